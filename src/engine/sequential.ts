/**
 * The sequential executor: the reference every parallel result is compared with.
 *
 * Runs the transactions one after another in block order. Each sees the pre-block
 * state overlaid with the writes of all earlier transactions; keys with pending deltas
 * read as their value plus the deltas so far. Deltas are kept apart and folded into the
 * write set at block end, exactly as the parallel engine does, so that both produce the
 * same write set.
 */
import type { StateKey, StateValue } from "../state/keys.js";
import type { StateReader, WriteSet } from "../state/storage.js";
import { applyDelta } from "./deltas.js";
import type { BlockExecutor, BlockResult, StateView, TxExecutor } from "./types.js";

/** Runs `txs` in order over `pre` and returns receipts and the block's write set. */
export function executeSequential<T, R>(
  executor: TxExecutor<T, R>,
  pre: StateReader,
  txs: readonly T[],
): BlockResult<R> {
  const writes: WriteSet = new Map();
  const deltas = new Map<StateKey, bigint>();
  const view: StateView = {
    read(key: StateKey): StateValue | undefined {
      const base = writes.has(key) ? (writes.get(key) ?? undefined) : pre.get(key);
      const delta = deltas.get(key);
      return delta === undefined ? base : applyDelta(base, delta);
    },
  };
  const receipts: R[] = [];
  for (let i = 0; i < txs.length; i++) {
    const out = executor.execute(view, txs[i] as T, i);
    for (const [key, value] of out.writes) {
      writes.set(key, value);
      // A plain write replaces whatever the deltas had accumulated: the transaction read
      // the summed value (through the view) and wrote its final result.
      deltas.delete(key);
    }
    for (const [key, delta] of out.deltas) deltas.set(key, (deltas.get(key) ?? 0n) + delta);
    receipts.push(out.receipt);
  }
  for (const [key, delta] of deltas) {
    const base = writes.has(key) ? (writes.get(key) ?? undefined) : pre.get(key);
    writes.set(key, applyDelta(base, delta));
  }
  return { receipts, writeSet: writes };
}

/** The sequential executor behind the `BlockExecutor` interface; `forBlock` gives each block's transaction executor. */
export function createSequentialExecutor<T, R, C>(
  forBlock: (config: C) => TxExecutor<T, R>,
): BlockExecutor<T, R, C> {
  return { executeBlock: (pre, txs, config) => executeSequential(forBlock(config), pre, txs) };
}
