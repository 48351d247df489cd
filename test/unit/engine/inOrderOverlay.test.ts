/**
 * One worker runs a block in order over a plain overlay (`inOrderOverlay.ts`), without the
 * multi-version memory; with a budget the workers cannot apply it must use the versioned
 * loop (`inOrder.ts`), since only that one gives the writes of any prefix afterwards.
 * Everything compared field by field with the sequential executor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { Receipt } from "../../../src/chain/receipt.js";
import { receiptBytes } from "../../../src/chain/receipt.js";
import { createParallelEngine, type ParallelEngine } from "../../../src/engine/parallel/index.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { ReceiptBudget } from "../../../src/engine/types.js";
import type { Storage } from "../../../src/state/storage.js";
import { assertSameBlock, capsThrough, cutBlock } from "../../helpers/blockCuts.js";
import { sortedWrites } from "../../helpers/compare.js";
import { attachChain, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";
import { syntheticBaseStore, syntheticKeys, syntheticOpArb } from "../../helpers/syntheticBlocks.js";
import {
  executeSynthetic,
  type SyntheticReceipt,
  type SyntheticTx,
  syntheticExecutorModule,
} from "../../helpers/syntheticExecutor.js";

type Engine = ParallelEngine<SyntheticTx, SyntheticReceipt, null>;

const key = syntheticKeys("ab");

const opArb = (keys: number) => syntheticOpArb(key, keys);

/** Blocks mixing conflicting (2 or 5 keys) and independent (1,000 keys) transactions. */
const blockArb = fc
  .tuple(fc.constantFrom(2, 5, 1000), fc.integer({ min: 1, max: 150 }))
  .chain(([keys, size]) =>
    fc.array(fc.record({ ops: fc.array(opArb(keys), { minLength: 1, maxLength: 8 }) }), {
      minLength: size,
      maxLength: size,
    }),
  );

const baseStore = (): Storage => syntheticBaseStore(key, 2, 1);

describe("one worker: in order over an overlay", () => {
  let engine: Engine;
  let store: Storage;
  before(async () => {
    engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
      workers: 1,
      executor: syntheticExecutorModule,
      minParallelTxs: 0,
      contention: false,
      speed: false,
    });
    store = await engine.attach(baseStore());
  });
  after(async () => {
    await engine.close();
  });

  it("random blocks, each committed before the next: the sequential executor's receipts and write set", async () => {
    await fc.assert(
      fc.asyncProperty(blockArb, async (txs) => {
        const expected = executeSequential({ execute: executeSynthetic }, store, txs);
        const actual = await engine.executeBlock(store, txs, null);
        assert.equal(engine.lastStats?.mode, "parallel");
        assert.equal(engine.lastStats?.loop, "overlay");
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
        assert.equal(actual.cut, undefined);
        store.commit(actual.writeSet);
      }),
      { numRuns: 300 },
    );
  });

  it("a budget the workers cannot apply: the versioned loop, cut where the sequential executor cuts", async () => {
    // The synthetic executor gives the engine no receipt measures, so the workers cannot
    // apply this budget: the lone worker runs the whole block and the engine keeps the
    // prefix. Over an overlay it would have only the whole block's writes to give.
    await fc.assert(
      fc.asyncProperty(blockArb, fc.integer({ min: 0, max: 400 }), async (txs, max) => {
        const budget: ReceiptBudget<SyntheticReceipt> = { max, weight: (r) => r.reads + 1 };
        const expected = executeSequential({ execute: executeSynthetic }, store, txs, budget);
        const actual = await engine.executeBlock(store, txs, null, budget);
        assert.equal(engine.lastStats?.mode, "parallel");
        assert.equal(engine.lastStats?.loop, "in-order");
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
        assert.deepEqual(actual.cut, expected.cut);
        store.commit(actual.writeSet);
      }),
      { numRuns: 150 },
    );
  });
});

describe("one worker over an overlay: chain blocks cut by the workers", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(1);
  });
  after(async () => {
    await engine.close();
  });

  it("the executor's own measures: the overlay stops at the cut, and keeps only the prefix's writes", async () => {
    const block = cutBlock({ floodBytes: 500, floodGas: 20_000_000 });
    const store = await attachChain(engine, block.chain);
    const whole = executeSequential(block.chain.executor, store, block.txs);
    const caps = capsThrough(whole.receipts.map((r) => receiptBytes(r)));
    let cuts = 0;
    for (const max of caps) {
      const budget: ReceiptBudget<Receipt> = { max, weight: receiptBytes };
      const expected = executeSequential(block.chain.executor, store, block.txs, budget);
      const actual = await engine.executeBlock(store, block.txs, block.chain.block, budget);
      assert.equal(engine.lastStats?.loop, "overlay", `max ${max}`);
      assertSameBlock(store, actual, expected, `max ${max}`);
      if (expected.cut !== undefined) {
        cuts++;
        // Nothing past the cut ran.
        assert.equal(engine.lastStats?.executions, expected.cut.at + 1, `max ${max}`);
      }
    }
    assert.ok(cuts >= 4, `cuts: ${cuts}`);
  });
});
