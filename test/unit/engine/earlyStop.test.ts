/**
 * Early stop of incarnations whose reads went out of date (issue 12: 40 transactions of 75M
 * gas, each spinning until the one before it writes, took 249-886 ms in parallel against
 * 1-84 ms sequentially: incarnations that read too early spun to their gas limit before
 * validation threw them away). A worker now re-checks an executing incarnation's reads
 * every few hundred reads and stops it once one of them is out of date (or it read an
 * estimate and keeps reading); the stopped run publishes nothing and the transaction runs
 * again. Results must not change: parallel = sequential field by field, and the early
 * stops happened. Speed is measured by `bench/staleSpin.ts`, not here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { BlockResult } from "../../../src/engine/types.js";
import { hex } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import type { Storage } from "../../../src/state/storage.js";
import { sortedWrites } from "../../helpers/compare.js";
import { TestChain } from "../../helpers/contracts.js";
import { attachChain, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";
import { deploySpinner, spinBlock } from "../../helpers/staleSpin.js";

const TXS = 40;
const GAS = 75_000_000;
/** Transaction 0's plain loop before its write: long enough that the others start first. */
const BURN = 4_000_000;

function rootAfter(store: Storage, result: BlockResult<Receipt>): string {
  const state = new Map(store.iterate(""));
  for (const [key, value] of result.writeSet) {
    if (value === null) state.delete(key);
    else state.set(key, value);
  }
  return hex(stateRootFrom(state.entries()));
}

describe("early stop of incarnations with out-of-date reads", () => {
  const engines: ChainEngine[] = [];
  before(async () => {
    engines.push(await chainEngine(1), await chainEngine(2));
  });
  after(async () => {
    for (const engine of engines) await engine.close();
  });

  it("the stale-spin block: parallel (1 and 2 workers) = sequential, field by field, with early stops", async () => {
    const chain = new TestChain(TXS + 2);
    const spinner = deploySpinner(chain);
    const txs = spinBlock(spinner, TXS, GAS, BURN);
    for (const engine of engines) {
      const store = await attachChain(engine, chain);
      const expected = executeSequential(chain.executor, store, txs);
      assert.ok(
        expected.receipts.every((r) => r.status === "success"),
        "every transaction finds its key and writes",
      );
      assert.ok(
        expected.receipts.slice(1).every((r) => r.gasUsed < GAS / 10),
        "sequentially none spins",
      );
      const actual = await engine.executeBlock(store, txs, chain.block);
      const stats = engine.lastStats;
      assert.equal(stats?.mode, "parallel", `${engine.workers} worker(s): ran in parallel`);
      actual.receipts.forEach((r, i) => {
        const e = expected.receipts[i] as Receipt;
        assert.equal(r.status, e.status, `tx ${i} status`);
        assert.equal(r.gasUsed, e.gasUsed, `tx ${i} gas`);
        assert.equal(r.fee, e.fee, `tx ${i} fee`);
        assert.deepEqual(r.events, e.events, `tx ${i} events`);
      });
      assert.deepEqual(actual.receipts, expected.receipts, "receipts");
      assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet), "write set");
      assert.equal(rootAfter(store, actual), rootAfter(store, expected), "state root");
      // One worker runs in order: nothing is ever out of date. Two: transaction 1 starts while
      // 0 burns, reads key 0 absent and spins until 0 writes it; it must then be stopped.
      if (engine.workers === 1) assert.equal(stats?.earlyStops, 0);
      else assert.ok((stats?.earlyStops ?? 0) > 0, `early stops: ${stats?.earlyStops}`);
    }
  });
});
