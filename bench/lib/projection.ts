/**
 * A scaling projection (a model, not a measurement): record a block's dependency
 * structure and each transaction's cost from a sequential run, then schedule it on P
 * threads with a discrete-event model of the engine's scheduler.
 *
 * Model: transactions are taken in block order (the execution index), each by the thread
 * that frees up first; a transaction starts when its thread is free and every earlier
 * transaction it reads from has finished (Block-STM reaches this by re-execution; the
 * model charges the engine's measured per-transaction overhead instead of simulating
 * aborts). Speedup = sequential time / makespan.
 */

import { executeSequential } from "../../src/engine/sequential.js";
import type { StateView, TxExecutor } from "../../src/engine/types.js";
import type { StateKey, StateValue } from "../../src/state/keys.js";
import type { StateReader } from "../../src/state/storage.js";

export interface BlockProfile {
  /** Microseconds per transaction, measured sequentially. */
  costUs: number[];
  /** For each transaction, the earlier transactions it read a value from. */
  deps: number[][];
}

/** Runs the block sequentially, timing each transaction and recording whose writes it read. */
export function profileBlock<T, R>(
  executor: TxExecutor<T, R>,
  pre: StateReader,
  txs: readonly T[],
): BlockProfile {
  const lastWriter = new Map<StateKey, number>();
  const deltaWriters = new Map<StateKey, number[]>();
  const costUs: number[] = [];
  const deps: number[][] = [];
  let current: Set<number> = new Set();
  const tracking: TxExecutor<T, R> = {
    execute(view: StateView, tx: T, index: number) {
      current = new Set();
      const traced: StateView = {
        read(key: StateKey): StateValue | undefined {
          const w = lastWriter.get(key);
          if (w !== undefined) current.add(w);
          for (const d of deltaWriters.get(key) ?? []) current.add(d);
          return view.read(key);
        },
      };
      const started = performance.now();
      const out = executor.execute(traced, tx, index);
      costUs.push((performance.now() - started) * 1000);
      deps.push([...current]);
      for (const key of out.writes.keys()) {
        lastWriter.set(key, index);
        deltaWriters.delete(key);
      }
      for (const key of out.deltas.keys()) {
        const list = deltaWriters.get(key) ?? [];
        list.push(index);
        deltaWriters.set(key, list);
      }
      return out;
    },
  };
  executeSequential(tracking, pre, txs);
  return { costUs, deps };
}

/**
 * Projected speedup on `threads` threads, with every transaction's cost multiplied by
 * `overhead`. Costs are clamped at the 99th percentile: a garbage-collection pause
 * measured inside one transaction would otherwise dominate the makespan, and collections
 * do not serialise threads (each worker has its own heap).
 */
export function projectSpeedup(profile: BlockProfile, threads: number, overhead: number): number {
  const sorted = [...profile.costUs].sort((a, b) => a - b);
  const cap = sorted[Math.floor(sorted.length * 0.99)] ?? Number.POSITIVE_INFINITY;
  const free = new Array<number>(threads).fill(0);
  const finish = new Array<number>(profile.costUs.length).fill(0);
  let sequential = 0;
  let makespan = 0;
  profile.costUs.forEach((measured, j) => {
    const cost = Math.min(measured, cap);
    sequential += cost;
    let thread = 0;
    for (let t = 1; t < threads; t++) if ((free[t] as number) < (free[thread] as number)) thread = t;
    let start = free[thread] as number;
    for (const d of profile.deps[j] ?? []) start = Math.max(start, finish[d] as number);
    const end = start + cost * overhead;
    finish[j] = end;
    free[thread] = end;
    makespan = Math.max(makespan, end);
  });
  return makespan === 0 ? 1 : sequential / makespan;
}
