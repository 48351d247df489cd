/**
 * The chain node in-process: genesis, admission, block production with the parallel
 * engine, the one-transaction commit, and resuming from the data directory.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { AdmissionError } from "../../../src/node/admission.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";

function options(dataDir: string): ChainNodeOptions {
  return {
    dataDir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 3,
    workers: 2,
    blockTimeMs: 1_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
  };
}

describe("chain node", () => {
  it("creates genesis, admits, produces a block, and resumes after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-node-"));
    try {
      let node = await ChainNode.open(options(dir));
      const genesisHead = node.head();
      assert.equal(genesisHead.number, 0);
      const sender = node.genesis.accounts[0]?.address as Address;
      const wusd = node.genesis.contracts.wusd as Address;
      const raws = [0n, 1n, 2n].map((sequence) =>
        tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence }, wusd, FEE, 5n),
      );
      // Out of order: the later sequences wait for the first.
      node.submit(raws[2] as Uint8Array);
      node.submit(raws[1] as Uint8Array);
      const first = node.submit(raws[0] as Uint8Array);
      assert.throws(
        () => node.submit(raws[0] as Uint8Array),
        (e: unknown) => e instanceof AdmissionError && e.code === "ALREADY_KNOWN",
      );
      const bad = new Uint8Array(raws[0] as Uint8Array);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
      assert.throws(
        () => node.submit(bad),
        (e: unknown) => e instanceof AdmissionError && e.code === "INVALID",
      );
      const methods = nodeMethods(node);
      const ctx = { transport: "http" as const, connectionId: "t", remoteAddress: "127.0.0.1" };
      assert.equal(methods.weft_nextNonce?.([sender], ctx), "0", "the chain's");
      assert.equal(
        methods.weft_nextNonce?.([sender, "0", "pending"], ctx),
        "3",
        "after the pool's run of 0, 1, 2",
      );
      const produced = await node.produceNow();
      assert.equal(produced?.block.header.number, 1);
      assert.deepEqual(
        produced?.receipts.map((r) => r.status),
        ["success", "success", "success"],
      );
      assert.equal(produced?.block.txHashes[0], first.hash);
      assert.equal(node.mempool.size, 0);
      assert.equal(node.db.receipt(first.hash)?.blockNumber, 1);
      assert.equal(node.db.tx(first.hash)?.index, 0);
      // The account index (built from the pool's decoded envelopes): the sender and the token, newest first.
      const positions = [2, 1, 0].map((tx) => ({ block: 1, tx }));
      assert.deepEqual(node.db.accountTxs(sender, 10), positions);
      assert.deepEqual(node.db.accountTxs(wusd, 10), positions);
      assert.deepEqual(node.db.accountTxs(FEE, 10), []);
      assert.throws(
        () => node.submit(raws[0] as Uint8Array),
        (e: unknown) => e instanceof AdmissionError && e.code === "ALREADY_INCLUDED",
      );
      const head = node.head();
      await node.close();

      node = await ChainNode.open(options(dir));
      assert.deepEqual(node.head(), head, "resumes at the committed head");
      assert.equal(node.nextSequence(sender, 0n), 3n);
      await node.close();
      await assert.rejects(ChainNode.open({ ...options(dir), chainId: 5n }), /holds chain 1337, not 5/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives the next block's context again only while its head and second are unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-node-"));
    try {
      const node = await ChainNode.open(options(dir));
      const at = (Math.floor(Date.now() / 1000) + 60) * 1000; // a second start, ahead of the head
      const first = node.nextBlock(at);
      assert.equal(node.nextBlock(at + 999), first, "the same second: the same context");
      const later = node.nextBlock(at + 1000);
      assert.notEqual(later, first);
      assert.equal(later.time, first.time + 1n);
      assert.equal(node.nextBlock(at), node.nextBlock(at), "back to the first second");
      assert.equal(node.nextBlock(at).time, first.time);
      const sender = node.genesis.accounts[0]?.address as Address;
      const wusd = node.genesis.contracts.wusd as Address;
      node.submit(tokenTransferRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 0n }, wusd, FEE, 5n));
      await node.produceNow();
      const next = node.nextBlock(at);
      assert.equal(next.height, first.height + 1n, "a new head: a new context");
      assert.deepEqual(next.recentHashes?.[0], new Uint8Array(Buffer.from(node.head().hash.slice(2), "hex")));
      await node.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates submissions on admission workers with the same verdicts as the main thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-node-"));
    try {
      const node = await ChainNode.open({
        ...options(dir),
        admissionWorkers: 2,
        minParallelTxs: 0,
        speedRule: false,
      });
      try {
        const sender = node.genesis.accounts[1]?.address as Address;
        const wusd = node.genesis.contracts.wusd as Address;
        const raws = [0n, 1n, 2n, 3n].map((sequence) =>
          tokenTransferRaw({ chainId: 1337n, sender, devIndex: 1, sequence }, wusd, FEE, 1n),
        );
        const records = await Promise.all(raws.map((r) => node.submitAsync(r)));
        assert.equal(node.mempool.size, 4);
        const codeOf = async (raw: Uint8Array) =>
          node.submitAsync(raw).then(
            () => "accepted",
            (e: unknown) => (e instanceof AdmissionError ? e.code : `unexpected ${String(e)}`),
          );
        assert.equal(await codeOf(raws[0] as Uint8Array), "ALREADY_KNOWN");
        assert.equal(await codeOf(new Uint8Array([1, 2, 3])), "DECODE");
        const forged = tokenTransferRaw({ chainId: 1337n, sender, devIndex: 2, sequence: 4n }, wusd, FEE, 1n);
        assert.equal(await codeOf(forged), "INVALID");
        const produced = await node.produceNow();
        assert.deepEqual(
          produced?.block.txHashes,
          records.map((r) => r.hash),
        );
        const execution = produced?.block.execution;
        assert.equal(execution?.mode, "parallel");
        const executed = new Set(execution?.timeline?.filter((t) => t.kind === "execute").map((t) => t.tx));
        assert.equal(executed.size, 4, "the stored timeline shows every transaction's execution");
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never runs a chain whose genesis is not the development genesis in dev mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-node-"));
    try {
      const node = await ChainNode.open({ ...options(dir), dev: true });
      assert.equal(node.genesis.kind, "development");
      node.db.putMeta("genesis", { ...node.genesis, kind: "custom" });
      await node.close();
      await assert.rejects(
        ChainNode.open({ ...options(dir), dev: true }),
        /a custom genesis: dev mode is only for the development genesis \(start with --dev off\)/,
      );
      const off = await ChainNode.open({ ...options(dir), dev: false });
      assert.equal(off.genesis.kind, "custom");
      await off.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
