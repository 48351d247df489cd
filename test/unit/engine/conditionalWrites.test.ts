/**
 * The multi-version memory's lock-free version lists (`versionList.ts`) under incarnations
 * that write different keys: each transaction writes, deletes or reverts depending on what
 * it read, so a new incarnation publishes fewer or other keys than the one before (its old
 * versions marked REMOVED), over a few hot keys and commutative deltas, with 1 and 2
 * workers; every block equals the sequential executor's, receipts and write set. The
 * synthetic blocks of parallelSynthetic write the same keys in every incarnation, so they
 * never leave a version REMOVED (none in 300 of their blocks, counted with a probe); these
 * do, if rarely where the two workers seldom overlap (8 REMOVED marks in 600 blocks on a
 * loaded 2-core machine): the soak below makes more.
 *
 * WEFT_SOAK=<blocks> runs more blocks (default 300).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createParallelEngine, type ParallelEngine } from "../../../src/engine/parallel/index.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { Storage } from "../../../src/state/storage.js";
import { sortedWrites } from "../../helpers/compare.js";
import { syntheticBaseStore, syntheticKeys } from "../../helpers/syntheticBlocks.js";
import {
  executeSynthetic,
  type SyntheticOp,
  type SyntheticReceipt,
  type SyntheticTx,
  syntheticExecutorModule,
} from "../../helpers/syntheticExecutor.js";

type Engine = ParallelEngine<SyntheticTx, SyntheticReceipt, null>;

const soak = Number(process.env.WEFT_SOAK ?? 0);
const key = syntheticKeys("c1");
const HOT = 3;

const hot = fc.nat(HOT - 1).map((n) => key(1, n));
/** Keys written only on a condition: an incarnation that reads otherwise leaves them (REMOVED). */
const cold = fc.nat(7).map((n) => key(1, HOT + n));
const opArb: fc.Arbitrary<SyntheticOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("writeIf" as const), key: fc.oneof(hot, cold), when: hot }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("writeIf" as const),
      key: fc.oneof(hot, cold),
      when: hot,
      gone: fc.oneof(hot, cold),
    }),
  },
  { weight: 2, arbitrary: hot.map((k) => ({ op: "write" as const, key: k })) },
  { weight: 2, arbitrary: hot.map((k) => ({ op: "read" as const, key: k })) },
  { weight: 1, arbitrary: hot.map((when) => ({ op: "revertIf" as const, when })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(1), fc.bigInt(1n, 1000n))
      .map(([n, amount]) => ({ op: "delta" as const, key: key(2, n), amount })),
  },
  { weight: 1, arbitrary: fc.nat(1).map((n) => ({ op: "read" as const, key: key(2, n) })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 2000 }).map((iterations) => ({ op: "spin" as const, iterations })),
  },
);

const blockArb = fc.record({
  workers: fc.constantFrom(1, 2),
  txs: fc.array(fc.record({ ops: fc.array(opArb, { minLength: 2, maxLength: 5 }) }), {
    minLength: 2,
    maxLength: 80,
  }),
});

describe("incarnations writing other keys (version lists: REMOVED, ESTIMATE, deltas)", () => {
  const engines = new Map<number, Engine>();
  const stores = new Map<number, Storage>();
  before(async () => {
    for (const workers of [1, 2]) {
      const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
        workers,
        executor: syntheticExecutorModule,
        minParallelTxs: 0,
        contention: false,
        speed: false,
      });
      engines.set(workers, engine);
      // Key 0 of space 1 exists before the block (every third does), and delta key 0 of space 2.
      stores.set(workers, await engine.attach(syntheticBaseStore(key, 1, 0)));
    }
  });
  after(async () => {
    for (const engine of engines.values()) await engine.close();
  });

  it("every block equals the sequential executor's, field by field", async () => {
    let executions = 0;
    let txCount = 0;
    await fc.assert(
      fc.asyncProperty(blockArb, async ({ workers, txs }) => {
        const engine = engines.get(workers) as Engine;
        const store = stores.get(workers) as Storage;
        const expected = executeSequential({ execute: executeSynthetic }, store, txs);
        const actual = await engine.executeBlock(store, txs, null);
        assert.equal(engine.lastStats?.mode, "parallel");
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
        if (workers === 2) {
          executions += engine.lastStats?.executions ?? 0;
          txCount += txs.length;
        }
      }),
      { numRuns: soak > 0 ? soak : 300 },
    );
    // The blocks made the workers run transactions again (new incarnations).
    assert.ok(executions > txCount, `${executions} executions of ${txCount} transactions`);
  });
});
