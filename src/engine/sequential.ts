/**
 * The sequential executor: the reference every parallel result is compared with.
 *
 * Runs the transactions one after another in block order. Each sees the pre-block
 * state overlaid with the writes of all earlier transactions; keys with pending deltas
 * read as their value plus the deltas so far. Deltas are kept apart and folded into the
 * write set at block end, exactly as the parallel engine does, so that both produce the
 * same write set.
 *
 * With a receipt budget it stops at the first transaction whose receipt takes a total
 * past its bound (receipt weight, or gas used past the block's gas limit): that one's receipt is returned as the cut, its writes are not kept, and the
 * transactions after it are not executed.
 */
import type { StateKey, StateValue } from "../state/keys.js";
import type { StateReader, WriteSet } from "../state/storage.js";
import { BudgetMeter } from "./budget.js";
import { applyDelta, valueFits } from "./deltas.js";
import { nextTurn } from "./nextTurn.js";
import type { BlockExecutor, BlockResult, ReceiptBudget, StateView, TxExecutor } from "./types.js";

/** Runs `txs` in order over `pre` and returns receipts and the block's write set (cut by `budget`, if given). */
export function executeSequential<T, R>(
  executor: TxExecutor<T, R>,
  pre: StateReader,
  txs: readonly T[],
  budget?: ReceiptBudget<R>,
): BlockResult<R> {
  const run = sequentialRun(executor, pre, txs.length, (i) => txs[i] as T, budget);
  while (run.step());
  return run.finish();
}

/**
 * The same run in slices: after each transaction that ends `sliceMs` or more after the
 * slice began, it waits for the next turn of the event loop (`nextTurn`), so that the
 * thread answers what waits (RPC, consensus messages, timers) while a long block executes
 * on it. The transactions run in the same order over the same views: the result is
 * `executeSequential`'s, provided nothing commits to `pre` meanwhile (the node serialises
 * its commits with block work).
 */
export async function executeSequentialSliced<T, R>(
  executor: TxExecutor<T, R>,
  pre: StateReader,
  txs: readonly T[],
  budget: ReceiptBudget<R> | undefined,
  sliceMs: number,
): Promise<BlockResult<R>> {
  const run = sequentialRun(executor, pre, txs.length, (i) => txs[i] as T, budget);
  let began = performance.now();
  while (run.step()) {
    if (performance.now() - began < sliceMs) continue;
    await nextTurn();
    began = performance.now();
  }
  return run.finish();
}

/** A sequential run in steps (`sequentialRun`). */
export interface SequentialRun<R> {
  /** Executes the next transaction; false once none is left or the budget cut the block. */
  step(): boolean;
  /** The block's result: receipts of the kept transactions, the write set (deltas applied), the cut. */
  finish(): BlockResult<R>;
}

/**
 * One sequential run over `count` transactions, the `i`-th given by `txAt(i)` (asked once,
 * in order). Also the parallel engine's lone worker's loop (`parallel/inOrderOverlay.ts`),
 * which passes `keep`: each kept transaction's receipt is handed to it as the transaction
 * finishes (the worker encodes it there, so the receipt object dies young) instead of being
 * collected, and the result's `receipts` is then empty.
 */
export function sequentialRun<T, R>(
  executor: TxExecutor<T, R>,
  pre: StateReader,
  count: number,
  txAt: (i: number) => T,
  budget: ReceiptBudget<R> | undefined,
  keep?: (receipt: R, index: number) => void,
): SequentialRun<R> {
  // One map for what the block's transactions left: a value (or null, deleted) for a key
  // written, the sum of the deltas for a key only added to since its last write (a bigint).
  // A read asks one map where a map of writes and one of deltas took two lookups (every
  // read asked both once any transaction had paid a fee: the fee recipient's delta).
  const entries = new Map<StateKey, StateValue | null | bigint>();
  const view: StateView = {
    read(key: StateKey): StateValue | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return pre.get(key);
      if (entry === null) return undefined;
      return typeof entry === "bigint" ? applyDelta(pre.get(key), entry) : entry;
    },
    fits(key: StateKey, delta: bigint): boolean {
      // base + pending + delta in range, without making the summed value `read` would.
      const entry = entries.get(key);
      if (entry === undefined) return valueFits(pre.get(key), delta);
      if (entry === null) return valueFits(undefined, delta);
      return typeof entry === "bigint" ? valueFits(pre.get(key), entry + delta) : valueFits(entry, delta);
    },
  };
  // A plain write replaces whatever the deltas had accumulated: the transaction read the
  // summed value (through the view) and wrote its final result.
  const merge = (value: StateValue | null, key: StateKey): void => {
    entries.set(key, value);
  };
  // A delta on a written key is added to the value at once (every transaction's `fits`
  // kept each partial sum in range): the same final value as summing the deltas first.
  const addDelta = (delta: bigint, key: StateKey): void => {
    const entry = entries.get(key);
    if (entry === undefined) entries.set(key, delta);
    else if (typeof entry === "bigint") entries.set(key, entry + delta);
    else entries.set(key, applyDelta(entry ?? undefined, delta));
  };
  const receipts: R[] = [];
  const meter = budget === undefined ? undefined : new BudgetMeter(budget);
  let cut: BlockResult<R>["cut"];
  let i = 0;
  return {
    step() {
      if (i >= count || cut !== undefined) return false;
      const out = executor.execute(view, txAt(i), i);
      if (meter !== undefined && !meter.fits(out.receipt)) {
        cut = { at: i, receipt: out.receipt };
        return false;
      }
      // `forEach`, not `for…of`: no iterator and no [key, value] pair per entry (they were
      // a fifth of the garbage a token transfer leaves).
      out.writes.forEach(merge);
      out.deltas.forEach(addDelta);
      if (keep === undefined) receipts.push(out.receipt);
      else keep(out.receipt, i);
      i++;
      return i < count;
    },
    finish() {
      // The keys only added to get their value now: the pre-block value plus the sum.
      entries.forEach((entry, key) => {
        if (typeof entry === "bigint") entries.set(key, applyDelta(pre.get(key), entry));
      });
      const writeSet = entries as WriteSet;
      return cut === undefined ? { receipts, writeSet } : { receipts, writeSet, cut };
    },
  };
}

/** The sequential executor behind the `BlockExecutor` interface; `forBlock` gives each block's transaction executor. */
export function createSequentialExecutor<T, R, C>(
  forBlock: (config: C) => TxExecutor<T, R>,
): BlockExecutor<T, R, C> {
  return {
    executeBlock: (pre, txs, config, budget) => executeSequential(forBlock(config), pre, txs, budget),
  };
}
