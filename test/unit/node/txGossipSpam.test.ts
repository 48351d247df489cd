/**
 * Transaction gossip spam from one peer, in process: the node's tx topic judge
 * (`attachTxGossip`'s validate) fed batches of transactions that look valid but fail later
 * (nonce far ahead, a sender that is not an account, past the nonce gap): the pool stays bounded, an honest transaction still gets in, and invalid
 * transactions cost the peer points.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import type { Gossip, TopicSpec, Verdict } from "../../../src/net/gossip.js";
import { PENALTY } from "../../../src/net/peerScore.js";
import { encodeTxBatch } from "../../../src/net/txBatch.js";
import { attachTxGossip, type TxGossip } from "../../../src/node/txGossip.js";
import { type RawTxOptions, tokenTransferRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const TO = "0x00000000000000000000000000000000000000aa" as Address;

describe("tx gossip spam from one peer", () => {
  let chain: TestNode;
  let gossip: TxGossip;
  let judge: TopicSpec["validate"];
  let wusd: Address;
  let accounts: Address[];

  before(async () => {
    chain = await startTestNode((c) => {
      c.dev = false;
      c.blockTimeMs = 3_600_000;
      c.mempool.maxNonceGap = 16;
    });
    const fake = {
      register: (_topic: string, spec: TopicSpec) => {
        judge = spec.validate;
      },
      unregister: () => {},
      publish: async () => {},
      peers: () => [],
    } as unknown as Gossip;
    gossip = attachTxGossip(chain.running.node, fake, "tx", { flushMs: 5 });
    const genesis = chain.running.node.genesis;
    accounts = genesis.accounts.map((a) => a.address as Address);
    wusd = genesis.contracts.wusd as Address;
  });

  after(async () => {
    gossip.close();
    await chain.close();
  });

  const tx = (o: Partial<RawTxOptions> & { sequence: bigint }, devIndex = 0) =>
    tokenTransferRaw(
      { chainId: 1337n, sender: accounts[devIndex] as Address, devIndex, maxFee: 10n, priorityFee: 6n, ...o },
      wusd,
      TO,
      1n,
    );
  const send = async (raws: Uint8Array[]): Promise<Verdict> => judge(encodeTxBatch(raws), "spammer");
  const points = (v: Verdict) => (typeof v === "object" ? v.points : 0);

  it("nonces far ahead are ignored and admit nothing", async () => {
    const far = Array.from({ length: 100 }, (_, i) => tx({ sequence: 1000n + BigInt(i) }));
    const before = gossip.stats.refused;
    const v = await send(far);
    assert.equal(v, "ignore");
    assert.equal(gossip.stats.refused - before, 100);
    assert.equal(chain.running.node.mempool.size, 0);
  });

  it("the same refused transactions replayed in new batches are judged only up to the peer's budget", async () => {
    // Before the budget, every replay cost a full validation each time, and no points (a nonce
    // past our gap is nobody's fault): signed once, replayed forever.
    let budgeted: TopicSpec["validate"] = () => "ignore";
    const fake = {
      register: (_topic: string, spec: TopicSpec) => {
        budgeted = spec.validate;
      },
      unregister: () => {},
      publish: async () => {},
      peers: () => [],
    } as unknown as Gossip;
    const limited = attachTxGossip(chain.running.node, fake, "tx", {
      refusalRate: { perSecond: 0.001, burst: 50 },
    });
    try {
      const far = Array.from({ length: 40 }, (_, i) => tx({ sequence: 5000n + BigInt(i) }));
      for (let round = 0; round < 5; round++) {
        const batch = round % 2 === 0 ? far : [...far].reverse();
        assert.equal(await budgeted(encodeTxBatch(batch), "replayer"), "ignore");
      }
      assert.equal(limited.stats.refused, 51, "50 within the budget, and the one that found it spent");
      assert.equal(limited.stats.skipped, 3);
      // Another peer is judged as before: its honest transaction gets in.
      const before = chain.running.node.mempool.size;
      assert.equal(await budgeted(encodeTxBatch([tx({ sequence: 1n }, 1)]), "honest"), "accept");
      assert.equal(chain.running.node.mempool.size, before + 1);
    } finally {
      limited.close();
    }
  });

  it("transactions from a sender that is not an account cost the peer points per transaction", async () => {
    const stranger = "0x00000000000000000000000000000000000000bb" as Address;
    const bad = Array.from({ length: 10 }, (_, i) => tx({ sequence: BigInt(i), sender: stranger }));
    assert.equal(points(await send(bad)), 10 * PENALTY.INVALID_TX);
  });

  it("a flood from one sender fills only its own share; an honest transaction still gets in", async () => {
    const start = chain.running.node.mempool.size;
    const flood = Array.from({ length: 20 }, (_, i) => tx({ sequence: BigInt(i) }));
    assert.equal(await send(flood), "ignore", "the 18th on are past the nonce gap");
    const sizeAfterFlood = chain.running.node.mempool.size;
    assert.equal(sizeAfterFlood - start, 17);
    assert.equal(await send([tx({ sequence: 0n }, 1)]), "accept");
    assert.equal(chain.running.node.mempool.size, sizeAfterFlood + 1);
  });
});
