/**
 * NFT blocks on the parallel engine, compared with the sequential executor field by field
 * (receipts, events, gas, the write set): mints and transfers (with conflicting moves of
 * the same token, safe transfers to a receiver contract, approvals, users and burns), and
 * marketplace blocks (sales, hostile underpayments, double buys, rentals, claims).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { nftMints, nftSales, nftTransfers } from "../../../bench/nftWorkloads.js";
import { BENCH_BLOCK } from "../../../bench/workloads.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { listSome, marketBlock, mintsAndTransfers, nftWorld } from "../../helpers/nftBlocks.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

let engine: ChainEngine;

describe("NFT blocks: parallel engine = sequential", () => {
  before(async () => {
    engine = await chainEngine(2);
  });
  after(async () => {
    await engine.close();
  });

  it("mints and transfers (200 transactions, 30 users)", async () => {
    const w = nftWorld(30, 3);
    const txs = mintsAndTransfers(w, 200, 1);
    const store = await attachChain(engine, w.chain);
    const result = await assertSameAsSequential(engine, store, w.chain.block, txs);
    const statuses = new Set(result.receipts.map((r) => r.status));
    assert.ok(statuses.has("success") && statuses.has("revert"), "both outcomes occur");
    assert.equal(engine.lastStats?.mode, "parallel");
  });

  it("marketplace sales, rentals and claims (200 transactions, 30 users)", async () => {
    const w = nftWorld(30, 3);
    const listed = listSome(w, 2);
    const txs = marketBlock(w, listed, 200, 3);
    const store = await attachChain(engine, w.chain);
    const result = await assertSameAsSequential(engine, store, w.chain.block, txs);
    const sold = result.receipts.filter((r) => r.status === "success" && r.events.length >= 2).length;
    assert.ok(sold > 20, `sales and rentals happened (${sold})`);
    assert.ok(
      result.receipts.some((r) => r.status === "revert"),
      "hostile ones reverted",
    );
  });

  for (const make of [nftMints, nftTransfers, nftSales])
    it(`the benchmark's ${make.name} workload: every transaction succeeds, in parallel as in sequence`, async () => {
      const w = make(120, 1, 60);
      const sequential = executeSequential(createChainExecutor(BENCH_BLOCK), w.pre, w.txs);
      assert.deepEqual(
        sequential.receipts.filter((r) => r.status !== "success"),
        [],
        "the workload's transactions all succeed",
      );
      const store = await engine.attach(w.pre);
      await assertSameAsSequential(engine, store, BENCH_BLOCK, w.txs);
    });

  it("random NFT and market blocks (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 20, max: 80 }),
        async (seed, size) => {
          const w = nftWorld(8, 2);
          const listed = listSome(w, seed);
          const moves = mintsAndTransfers(w, size, seed);
          const trades = marketBlock(w, listed, size, seed + 1);
          // Interleaved: a move of a token may land between its listing's buys.
          const mixed = moves.flatMap((tx, i) => [tx, ...(trades[i] === undefined ? [] : [trades[i]])]);
          const store = await attachChain(engine, w.chain);
          await assertSameAsSequential(engine, store, w.chain.block, mixed);
        },
      ),
      { numRuns: 4 },
    );
  });
});
