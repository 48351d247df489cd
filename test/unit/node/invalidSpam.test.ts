/**
 * A transaction dropped at execution as invalid pays nothing (issue 12): a hostile sender
 * drains its account with one transaction so that the many it sent on other nonce keys,
 * each valid at admission, turn invalid inside the block. The node charges it in
 * reputation (`reputation.ts`): throttled, then banned, its pending transactions dropped;
 * an honest sender in the same blocks is never refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { AdmissionError } from "../../../src/node/admission.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { SenderReputation } from "../../../src/node/reputation.js";
import { RpcError } from "../../../src/node/rpc/errors.js";
import { balanceKey } from "../../../src/state/keys.js";
import { callsRaw, deployRaw, type RawTxOptions, tokenTransferRaw } from "../../helpers/nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

function options(dataDir: string): ChainNodeOptions {
  return {
    dataDir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 3,
    workers: 1,
    blockTimeMs: 60_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    reputation: { throttleAt: 3, banAt: 4, throttledPending: 3 },
  };
}

const refusedWith = (code: string) => (error: unknown) =>
  error instanceof AdmissionError && error.code === code;

describe("transactions invalid at execution", () => {
  it("a hostile sender is throttled, then banned; an honest one is not touched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-spam-"));
    try {
      const node = await ChainNode.open(options(dir));
      try {
        const dev = (i: number) => node.genesis.accounts[i]?.address as Address;
        const wusd = node.genesis.contracts.wusd as Address;
        const opts = (i: number, nonceKey: bigint, sequence: bigint, more: Partial<RawTxOptions> = {}) => ({
          chainId: 1337n,
          sender: dev(i),
          devIndex: i,
          sequence,
          nonceKey,
          ...more,
        });
        node.submit(deployRaw(opts(0, 0n, 0n, { gasLimit: 50_000_000n }), loadArtifact("flood").code));
        const sink = (await node.produceNow())?.receipts[0]?.contractAddress as Address;
        let honestSeq = 0n;
        const honest = () => node.submit(tokenTransferRaw(opts(2, 0n, honestSeq++), wusd, FEE, 1n)).hash;
        // Valid at admission (10M gas × price 2 is affordable now), invalid once the drain ran.
        const doomed = (key: bigint, sequence = 0n) =>
          node.submit(tokenTransferRaw(opts(1, key, sequence, { gasLimit: 10_000_000n }), wusd, FEE, 1n));

        // Round 1: the drain (priority 5, runs first) and three doomed transactions.
        // Sends all but 12M of the balance away: enough for itself (2M gas × price 6), not for a doomed one.
        const drainRaw = (sequence: bigint) => {
          const balance = decodeU128(node.state.get(balanceKey(dev(1))));
          return callsRaw(opts(1, 0n, sequence, { priorityFee: 5n }), [
            { target: sink, method: "echo", args: encodeAbi(["u32"], [0]), value: balance - 12_000_000n },
          ]);
        };
        node.submit(drainRaw(0n));
        const doomedHashes = [1n, 2n, 3n].map((key) => doomed(key).hash);
        const honest1 = honest();
        const first = await node.produceNow();
        assert.deepEqual(
          first?.dropped.map((d) => [d.hash, d.cause]),
          doomedHashes.map((h) => [h, "invalid"]),
        );
        assert.ok(
          first?.dropped.every((d) => /insufficient funds/.test(d.reason)),
          JSON.stringify(first?.dropped),
        );
        assert.ok(new Set<string>(first?.block.txHashes).has(honest1));
        assert.equal(node.reputation.standing(dev(1)), "throttled");
        assert.equal(node.reputation.standing(dev(2)), "ok");

        // Round 2: an accomplice funds the account again; throttled, it may have three pending.
        node.submit(
          callsRaw(opts(0, 0n, 1n), [
            { target: dev(1), method: "publicKey", args: new Uint8Array(0), value: 30_000_000n },
          ]),
        );
        await node.produceNow();
        node.submit(drainRaw(1n));
        const ready = doomed(4n).hash;
        const waiting = doomed(7n, 1n).hash; // waits behind the missing sequence 0 of key 7
        assert.throws(() => doomed(5n), refusedWith("SENDER_THROTTLED"));
        const honest2 = honest();
        const second = await node.produceNow();
        assert.deepEqual(
          second?.dropped.map((d) => d.hash),
          [ready],
        );
        assert.ok(new Set<string>(second?.block.txHashes).has(honest2));
        // Banned: its waiting transaction is dropped, and nothing more is admitted, valid or not.
        assert.equal(node.reputation.standing(dev(1)), "banned");
        assert.equal(node.mempool.get(waiting), undefined);
        assert.equal(node.mempool.senderCount(dev(1)), 0);
        assert.throws(() => doomed(6n), refusedWith("SENDER_BANNED"));
        const methods = nodeMethods(node);
        const ctx = { transport: "http" as const, connectionId: "t", remoteAddress: "127.0.0.1" };
        const raw = tokenTransferRaw(opts(1, 9n, 0n, { gasLimit: 100_000n }), wusd, FEE, 1n);
        await assert.rejects(
          Promise.resolve(methods.weft_sendRawTransaction?.([`0x${Buffer.from(raw).toString("hex")}`], ctx)),
          (e: unknown) => e instanceof RpcError && e.code === -32031 && /banned/.test(e.message),
        );
        // The honest sender goes on.
        const honest3 = honest();
        assert.ok(new Set<string>((await node.produceNow())?.block.txHashes).has(honest3));
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("scores decay by half per half-life; memory is bounded", () => {
    const rep = new SenderReputation({ throttleAt: 4, banAt: 8, halfLifeMs: 1_000, maxSenders: 3 });
    const a = "0x00000000000000000000000000000000000000aa";
    for (let i = 0; i < 8; i++) rep.invalid(a, 0);
    assert.equal(rep.standing(a, 0), "banned");
    assert.equal(rep.refusal(a, 0, 0)?.code, "SENDER_BANNED");
    assert.equal(rep.score(a, 999), 8, "whole half-lives only");
    assert.equal(rep.score(a, 1_000), 4);
    assert.equal(rep.standing(a, 1_000), "throttled");
    assert.equal(rep.refusal(a, 0, 1_000), undefined, "throttled: one pending allowed");
    assert.equal(rep.refusal(a, 1, 1_000)?.code, "SENDER_THROTTLED");
    assert.equal(rep.standing(a, 2_000), "ok");
    assert.ok(rep.score(a, 60_000) < 0.001);
    assert.equal(rep.score(a.toUpperCase(), 1_000), 4, "addresses in any case");
    for (const s of ["0x01", "0x02", "0x03"]) rep.invalid(s, 2_000);
    assert.equal(rep.score(a, 2_000), 0, "the sender changed longest ago is forgotten first");
    assert.equal(rep.score("0x03", 2_000), 1);
    assert.throws(() => new SenderReputation({ throttleAt: 0 }), RangeError);
    assert.throws(() => new SenderReputation({ throttleAt: 5, banAt: 2 }), RangeError);
  });
});
