/**
 * The sequential executor in slices (`executeSequentialSliced`): what the node's engine runs
 * on the main thread for small, contended or fallen-back blocks, giving the event loop a turn
 * between slices so that the node answers RPC and consensus while a long block executes. The
 * result must be `executeSequential`'s field by field (receipts, write set, cut), on random
 * blocks with deltas, deletes, reverts and receipt budgets; and the event loop must get turns
 * during the run (with slices of 0 ms: after every transaction).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { executeSequential, executeSequentialSliced } from "../../../src/engine/sequential.js";
import type { ReceiptBudget } from "../../../src/engine/types.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { sortedWrites } from "../../helpers/compare.js";
import {
  executeSynthetic,
  type SyntheticOp,
  type SyntheticReceipt,
} from "../../helpers/syntheticExecutor.js";

function key(space: number, n: number): string {
  return `aa${space.toString(16).padStart(2, "0")}${n.toString(16).padStart(4, "0")}`;
}

const opArb: fc.Arbitrary<SyntheticOp> = fc.oneof(
  { weight: 5, arbitrary: fc.nat(20).map((n) => ({ op: "read" as const, key: key(1, n) })) },
  { weight: 4, arbitrary: fc.nat(20).map((n) => ({ op: "write" as const, key: key(1, n) })) },
  { weight: 1, arbitrary: fc.nat(20).map((n) => ({ op: "delete" as const, key: key(1, n) })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(2), fc.bigInt(1n, 1000n))
      .map(([n, amount]) => ({ op: "delta" as const, key: key(2, n), amount })),
  },
  { weight: 1, arbitrary: fc.constant({ op: "revert" as const }) },
);

const store = createMemoryStore();
for (let n = 0; n < 20; n += 3) store.put(key(1, n), new Uint8Array([n, 1]));
store.put(key(2, 0), new Uint8Array(16).fill(1));

/** A budget on the receipts' `reads` (a stand-in for their bytes), so that some blocks are cut. */
const budgetOf = (max: number): ReceiptBudget<SyntheticReceipt> => ({ max, weight: (r) => r.reads });

describe("sequential executor in slices", () => {
  it("gives executeSequential's receipts, write set and cut on random blocks", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 8 }) }), { maxLength: 60 }),
        fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        async (txs, max) => {
          const budget = max === undefined ? undefined : budgetOf(max);
          const executor = { execute: executeSynthetic };
          const expected = executeSequential(executor, store, txs, budget);
          const actual = await executeSequentialSliced(executor, store, txs, budget, 0);
          assert.deepEqual(actual.receipts, expected.receipts);
          assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
          assert.deepEqual(actual.cut, expected.cut);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the event loop a turn between slices", async () => {
    const txs = Array.from({ length: 30 }, (_, i) => ({ ops: [{ op: "write" as const, key: key(1, i) }] }));
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const before = turns;
    await executeSequentialSliced({ execute: executeSynthetic }, store, txs, undefined, 0);
    const during = turns - before;
    counting = false;
    // Slices of 0 ms: a turn after every transaction but the last (the counter runs once a turn).
    assert.ok(during >= txs.length - 1, `${during} turns of the event loop during 30 slices`);
  });
});
