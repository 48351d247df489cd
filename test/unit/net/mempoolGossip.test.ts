/**
 * The shared mempool over real libp2p nodes: three nodes with RPC, in a line; a transaction
 * sent to one node's RPC is admitted by every node; a hostile peer's batches (garbage, a
 * transaction with a bad signature) are not admitted, not forwarded, and cost it its score.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import { encodeTxBatch } from "../../../src/net/txBatch.js";
import { attachTxGossip, type TxGossip } from "../../../src/node/txGossip.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { linked, meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";
import { call } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const TOPIC = chainTopics(1337n).tx;
const TO = "0x00000000000000000000000000000000000000aa" as Address;
const hashOf = (raw: Uint8Array) => `0x${toHex(keccak256(raw))}`;

describe("mempool gossip between nodes", () => {
  let chains: TestNode[] = [];
  let nets: P2pNode[] = [];
  let gossips: TxGossip[] = [];
  let hostile: P2pNode;
  let sender: Address;
  let wusd: Address;

  before(async () => {
    // No block is produced during the test: the transactions stay pending where we look.
    for (let i = 0; i < 3; i++)
      chains.push(
        await startTestNode((c) => {
          c.dev = false;
          c.blockTimeMs = 3_600_000;
        }),
      );
    // Nodes 0-1-2 in a line; node 3, hostile, speaks the protocol but is linked to node 2 only.
    nets = await startNodes(4, () => ({ scoring: { banThreshold: -100 } }));
    hostile = nets[3] as P2pNode;
    gossips = chains.map((chain, i) =>
      attachTxGossip(chain.running.node, (nets[i] as P2pNode).gossip, TOPIC, { flushMs: 5 }),
    );
    hostile.gossip.register(TOPIC, { maxBytes: 1 << 20, validate: () => "accept" });
    await waitFor("the line to connect", () => linked(nets));
    await waitFor("the tx topic's mesh", () => meshed(nets, TOPIC));
    const genesis = chains[0]?.running.node.genesis;
    sender = genesis?.accounts[0]?.address as Address;
    wusd = genesis?.contracts.wusd as Address;
  });

  after(async () => {
    for (const gossip of gossips) gossip.close();
    await stopNodes(nets);
    for (const chain of chains) await chain.close();
    chains = [];
  });

  const raw = (sequence: bigint, amount = 7n) =>
    tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence }, wusd, TO, amount);

  it("a transaction sent to one node's RPC is admitted by every node", async () => {
    const tx = raw(0n);
    const sent = await call((chains[0] as TestNode).url, "weft_sendRawTransaction", [`0x${toHex(tx)}`]);
    assert.deepEqual(sent.result, { hash: hashOf(tx) });
    await waitFor("every pool to hold it", () => chains.every((c) => c.running.node.mempool.has(hashOf(tx))));
    assert.equal(gossips[1]?.stats.admitted, 1);
    assert.equal(gossips[2]?.stats.admitted, 1);
    // A later transaction sent to the far end travels the other way.
    const next = raw(1n);
    await call((chains[2] as TestNode).url, "weft_sendRawTransaction", [`0x${toHex(next)}`]);
    await waitFor("every pool to hold the second", () =>
      chains.every((c) => c.running.node.mempool.has(hashOf(next))),
    );
  });

  it("a hostile peer's garbage and badly signed transactions are neither admitted nor forwarded", async () => {
    const target = nets[2] as P2pNode;
    const good = raw(2n);
    const forged = raw(3n, 1_000_000n);
    forged[forged.length - 5] = (forged[forged.length - 5] as number) ^ 0xff; // a flipped byte of the signature
    await hostile.gossip.publish(TOPIC, encodeTxBatch([forged]));
    await waitFor("the forged batch's refusal", () => (gossips[2]?.stats.refused ?? 0) >= 1);
    assert.equal(target.gossip.stats.rejected, 1);
    assert.equal(chains[2]?.running.node.mempool.has(hashOf(forged)), false);
    const before = target.scores.score(hostile.peerId);
    assert.ok(before < 0);
    // Garbage: not a batch at all. It costs far more.
    await hostile.gossip.publish(TOPIC, new Uint8Array([1, 0, 9, 0, 0]));
    await waitFor("the garbage's rejection", () => target.gossip.stats.rejected === 2);
    assert.ok(target.scores.score(hostile.peerId) <= before - 20);
    // A good transaction from the same peer is still admitted (it is not banned yet) and forwarded on.
    await hostile.gossip.publish(TOPIC, encodeTxBatch([good]));
    await waitFor("the good one everywhere", () =>
      chains.every((c) => c.running.node.mempool.has(hashOf(good))),
    );
    for (const chain of chains) assert.equal(chain.running.node.mempool.has(hashOf(forged)), false);
    assert.equal((nets[1] as P2pNode).gossip.stats.rejected, 0, "nothing hostile reached node 1");
    // Until it is banned, and disconnected.
    for (let n = 0; n < 4; n++) await hostile.gossip.publish(TOPIC, new Uint8Array([1, 0, 9, n]));
    await waitFor("the ban", () => target.scores.isBanned(hostile.peerId));
    await waitFor("the disconnection", () => !target.connectedPeers().includes(hostile.peerId));
  });
});

describe("a pool held before the gossip attached (a restart's restored mempool)", () => {
  let chains: TestNode[] = [];
  let nets: P2pNode[] = [];
  let gossips: TxGossip[] = [];

  after(async () => {
    for (const gossip of gossips) gossip.close();
    await stopNodes(nets);
    for (const chain of chains) await chain.close();
    chains = [];
  });

  it("is published once the topic has a peer, and reaches the other pools", async () => {
    for (let i = 0; i < 2; i++)
      chains.push(
        await startTestNode((c) => {
          c.dev = false;
          c.blockTimeMs = 3_600_000;
        }),
      );
    const genesis = chains[0]?.running.node.genesis;
    const sender = genesis?.accounts[0]?.address as Address;
    const wusd = genesis?.contracts.wusd as Address;
    const txs = [0n, 1n, 2n].map((sequence) =>
      tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence }, wusd, TO, 3n),
    );
    // Admitted while no gossip listens, as `restorePending` does at startup.
    for (const tx of txs) await (chains[0] as TestNode).running.node.submitAsync(tx);
    nets = await startNodes(2);
    gossips = chains.map((chain, i) =>
      attachTxGossip(chain.running.node, (nets[i] as P2pNode).gossip, TOPIC, {
        flushMs: 5,
        announceCheckMs: 50,
      }),
    );
    await waitFor("the line to connect", () => linked(nets));
    await waitFor("the held transactions in the other pool", () =>
      txs.every((tx) => (chains[1] as TestNode).running.node.mempool.has(hashOf(tx))),
    );
    assert.equal(gossips[1]?.stats.admitted, 3);
    assert.equal(gossips[0]?.stats.published, 3, "published once each");
  });
});
