/**
 * The parallel engine against the sequential executor on random synthetic blocks:
 * random read/write/delete/delta patterns over few and many keys, random reverts, random
 * worker counts. Every receipt and the whole write set must be identical.
 *
 * WEFT_SOAK=<blocks> runs a longer soak (e.g. WEFT_SOAK=20000 node scripts/run-tests.mjs parallelSynthetic).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createParallelEngine, type ParallelEngine } from "../../../src/engine/parallel/index.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { sortedWrites } from "../../helpers/compare.js";
import { syntheticBaseStore, syntheticKeys, syntheticOpArb } from "../../helpers/syntheticBlocks.js";
import {
  executeSynthetic,
  type SyntheticReceipt,
  type SyntheticTx,
  syntheticExecutorModule,
} from "../../helpers/syntheticExecutor.js";

type Engine = ParallelEngine<SyntheticTx, SyntheticReceipt, null>;

const soak = Number(process.env.WEFT_SOAK ?? 0);
const engines = new Map<number, Engine>();
const stores = new Map<number, Storage>();

const key = syntheticKeys("aa");

const opArb = (keys: number) => syntheticOpArb(key, keys, true);

const blockArb = fc
  .tuple(fc.constantFrom(2, 5, 50, 1000), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 120 }))
  .chain(([keys, workers, size]) =>
    fc.record({
      workers: fc.constant(workers),
      txs: fc.array(fc.record({ ops: fc.array(opArb(keys), { minLength: 1, maxLength: 8 }) }), {
        minLength: size,
        maxLength: size,
      }),
    }),
  );

describe("parallel engine vs sequential (synthetic blocks)", () => {
  before(async () => {
    for (const workers of [1, 2, 3]) {
      const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
        workers,
        executor: syntheticExecutorModule,
        minParallelTxs: 0,
        contention: false,
        speed: false,
      });
      // Some keys exist before the block: reads of them, deletes of them, deltas on them.
      const base = syntheticBaseStore(key, 1, 0);
      engines.set(workers, engine);
      stores.set(workers, await engine.attach(base));
    }
  });
  after(async () => {
    for (const engine of engines.values()) await engine.close();
  });

  it("gives identical receipts and write sets on random blocks", async () => {
    await fc.assert(
      fc.asyncProperty(blockArb, async ({ workers, txs }) => {
        const engine = engines.get(workers) as Engine;
        const store = stores.get(workers) as Storage;
        const expected = executeSequential({ execute: executeSynthetic }, store, txs);
        const actual = await engine.executeBlock(store, txs, null);
        assert.equal(engine.lastStats?.mode, "parallel");
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
      }),
      { numRuns: soak > 0 ? soak : 2000 },
    );
  });

  it("keeps the replica in step across committed blocks", async () => {
    const engine = engines.get(2) as Engine;
    const store = stores.get(2) as Storage;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ops: fc.array(opArb(20), { minLength: 1, maxLength: 6 }) }), {
          minLength: 40,
          maxLength: 80,
        }),
        async (txs) => {
          const expected = executeSequential({ execute: executeSynthetic }, store, txs);
          const actual = await engine.executeBlock(store, txs, null);
          assert.deepEqual(actual.receipts, expected.receipts);
          assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
          store.commit(actual.writeSet);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("a key table emptied between blocks: every key's id is looked up again, values stay right", async () => {
    // 64 keys of capacity and blocks over 60 keys: the table passes 3/4 full and is emptied
    // every block or two, while the workers' replicas keep their values (deletes included).
    for (const workers of [1, 2]) {
      const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
        workers,
        executor: syntheticExecutorModule,
        minParallelTxs: 0,
        contention: false,
        speed: false,
        capacity: { keys: 64 },
      });
      try {
        const base = createMemoryStore();
        for (let n = 0; n < 60; n += 2) base.put(key(1, n), new Uint8Array([n, 7]));
        const store = await engine.attach(base);
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.record({ ops: fc.array(opArb(60), { minLength: 1, maxLength: 6 }) }), {
              minLength: 20,
              maxLength: 40,
            }),
            async (txs) => {
              const expected = executeSequential({ execute: executeSynthetic }, store, txs);
              const actual = await engine.executeBlock(store, txs, null);
              assert.equal(engine.lastStats?.mode, "parallel", engine.lastStats?.fallbackReason);
              assert.deepEqual(actual.receipts, expected.receipts);
              assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
              store.commit(actual.writeSet);
            },
          ),
          { numRuns: 40 },
        );
      } finally {
        await engine.close();
      }
    }
  });

  it("rejects a pre-state the workers do not hold", async () => {
    const engine = engines.get(1) as Engine;
    await assert.rejects(engine.executeBlock(createMemoryStore(), [], null), /attach/);
  });

  it("a worker that dies: the block and every later one run sequentially, loudly", async () => {
    const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
      workers: 2,
      executor: syntheticExecutorModule,
      minParallelTxs: 0,
      speed: false,
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const store = await engine.attach(createMemoryStore());
      const txs: SyntheticTx[] = [
        { ops: [{ op: "write", key: key(1, 1) }] },
        { ops: [{ op: "crashWorker" }, { op: "read", key: key(1, 1) }] },
        { ops: [{ op: "write", key: key(1, 2) }] },
      ];
      for (let round = 0; round < 2; round++) {
        const expected = executeSequential({ execute: executeSynthetic }, store, txs);
        const actual = await engine.executeBlock(store, txs, null);
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
        assert.equal(engine.lastStats?.mode, "sequential-fallback");
      }
      assert.match(errors.join("\n"), /exited \(code 7\)/);
    } finally {
      console.error = original;
      await engine.close();
    }
  });
});
