/**
 * Transactions streamed to the workers in chunks (`txStream.ts`): blocks of many chunks
 * with conflicts that abort and re-execute transactions across chunk boundaries, a chunk
 * the codec refuses (sent with `v8.serialize`), a block larger than the shared buffer's
 * first size (it grows), and a codec failing mid-stream (the workers let go, the error
 * reaches the caller, the next block runs normally). Every result is compared field by
 * field with the sequential executor.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createParallelEngine, type ParallelEngine } from "../../../src/engine/parallel/index.js";
import { TX_CHUNK } from "../../../src/engine/parallel/txStream.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { sortedWrites } from "../../helpers/compare.js";
import {
  executeSynthetic,
  type SyntheticReceipt,
  type SyntheticTx,
  syntheticCodecModule,
  syntheticExecutorModule,
} from "../../helpers/syntheticExecutor.js";

type Engine = ParallelEngine<SyntheticTx, SyntheticReceipt, null>;

const key = (n: number) => `bb${n.toString(16).padStart(4, "0")}`;

/** `size` transactions over `keys` keys (few keys: many conflicts), some paying a hot delta key. */
function block(size: number, keys: number, seed: number): SyntheticTx[] {
  let state = seed;
  const rng = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const pick = () => key(Math.floor(rng() * keys));
  const txs: SyntheticTx[] = [];
  for (let i = 0; i < size; i++) {
    txs.push({
      ops: [
        { op: "read", key: pick() },
        { op: "spin", iterations: Math.floor(rng() * 2000) },
        { op: "write", key: pick() },
        { op: "delta", key: key(9999), amount: BigInt(1 + (i % 7)) },
      ],
    });
  }
  return txs;
}

async function assertSame(engine: Engine, store: Storage, txs: SyntheticTx[]): Promise<void> {
  const expected = executeSequential({ execute: executeSynthetic }, store, txs);
  const actual = await engine.executeBlock(store, txs, null);
  assert.equal(engine.lastStats?.mode, "parallel", engine.lastStats?.fallbackReason);
  assert.deepEqual(actual.receipts, expected.receipts);
  assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
}

describe("transactions streamed in chunks", () => {
  const engines: Array<{ name: string; workers: number; engine: Engine; store: Storage }> = [];
  before(async () => {
    for (const [name, module] of [
      ["codec", syntheticCodecModule],
      ["v8", syntheticExecutorModule],
    ] as const) {
      for (const workers of [1, 2, 3]) {
        const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
          workers,
          executor: module,
          minParallelTxs: 0,
          contention: false,
          speed: false,
        });
        const base = createMemoryStore();
        for (let n = 0; n < 40; n += 2) base.put(key(n), new Uint8Array([n, 1]));
        engines.push({ name, workers, engine, store: await engine.attach(base) });
      }
    }
  });
  after(async () => {
    for (const { engine } of engines) await engine.close();
  });

  it("blocks of many chunks, with aborts and re-executions across chunk boundaries", async () => {
    for (const { engine, store } of engines) {
      for (const [size, seed] of [
        [TX_CHUNK * 6 + 17, 1],
        [TX_CHUNK + 1, 2],
        [TX_CHUNK, 3],
      ] as const) {
        await assertSame(engine, store, block(size, 12, seed));
      }
    }
  });

  it("a chunk the codec refuses goes by v8.serialize; the others by the codec", async () => {
    for (const { engine, store } of engines.filter((e) => e.name === "codec")) {
      const txs = block(TX_CHUNK * 4, 30, 4);
      (txs[TX_CHUNK * 2 + 5] as SyntheticTx).codec = "refuse";
      await assertSame(engine, store, txs);
    }
  });

  it("a block larger than the shared buffer's first megabyte: the buffer grows", async () => {
    for (const { engine, store } of engines) {
      const txs = block(TX_CHUNK * 3, 30, 5);
      for (const tx of txs) tx.padding = "x".repeat(6_000); // ~2.3 MB in all
      await assertSame(engine, store, txs);
    }
  });

  it("a codec failing mid-stream: the workers let go, the caller gets the error, the next block runs", async () => {
    for (const { engine, store } of engines.filter((e) => e.name === "codec")) {
      const txs = block(TX_CHUNK * 5, 30, 6);
      (txs[TX_CHUNK * 3 + 1] as SyntheticTx).codec = "poison";
      await assert.rejects(engine.executeBlock(store, txs, null), /poisoned transaction/);
      await assertSame(engine, store, block(TX_CHUNK * 2 + 3, 30, 7));
    }
  });
});
