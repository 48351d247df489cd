/**
 * The block loop of an engine with one worker: the transactions in block order, each
 * executed once. With a single worker, Block-STM runs every transaction after all
 * earlier ones have their final writes, nothing is ever aborted and no read meets an
 * estimate, so validation cannot fail: this loop skips the scheduler's tasks, read sets
 * and validation, and leaves the shared memory as a finished parallel run would (every
 * transaction EXECUTED, its writes in the version lists, the block done), so the final
 * write set and a receipt budget's cut work the same way. Given the budget, it stops at
 * the cut as the sequential executor does, and sets `CTL.limit` there (`commit.ts`).
 */
import type { StateView, TxExecutor } from "../types.js";
import type { WorkerBudget } from "./commit.js";
import type { MvMemory } from "./mvMemory.js";
import type { Replica } from "./replica.js";
import { EXECUTED, type Scheduler, statusWord } from "./scheduler.js";
import { CTL, type SharedViews, T_LAST_WORKER, T_STATUS, TX_WORDS } from "./shared.js";
import type { WriteList } from "./writeList.js";

/** The view the loop reads through (the worker's, which records reads per incarnation). */
export interface InOrderView extends StateView {
  reset(tx: number): void;
  readonly blocked: number;
}

export interface InOrderParts {
  views: SharedViews;
  mv: MvMemory;
  scheduler: Scheduler;
  replica: Replica;
  view: InOrderView;
  writes: WriteList;
  workerId: number;
  /** With both: the loop stops at the budget's cut (`commit.ts`), as the sequential executor does. */
  budget?: WorkerBudget;
  measures?: { weight(receipt: unknown): number; gas(receipt: unknown): number };
  /** Called after each execution with its start (trace timestamps), when tracing. */
  traced?: (tx: number, started: number) => void;
  now?: () => number;
}

/** Runs the block of `views.ctl[CTL.size]` transactions in order; returns every receipt with its index. */
export function runInOrder(
  parts: InOrderParts,
  txAt: (i: number) => unknown,
  executor: TxExecutor<unknown, unknown>,
): Array<[number, unknown]> {
  const { views, mv, scheduler, replica, view, writes, workerId, traced, now, budget, measures } = parts;
  const ctl = views.ctl;
  const txs = views.txs;
  let n = scheduler.size;
  let weight = 0;
  let gas = 0;
  const allocList = (words: number) => scheduler.allocList(words);
  const receipts: Array<[number, unknown]> = [];
  for (let j = 0; j < n; j++) {
    if (Atomics.load(ctl, CTL.abort) !== 0) return receipts;
    const started = now === undefined ? 0 : now();
    view.reset(j);
    const out = executor.execute(view, txAt(j), j);
    if (view.blocked >= 0) throw new Error(`invariant: transaction ${j} read an estimate with one worker`);
    writes.collect(out.writes, out.deltas, replica);
    mv.recordWrites(j, 0, writes, allocList);
    txs[j * TX_WORDS + T_LAST_WORKER] = workerId;
    Atomics.store(txs, j * TX_WORDS + T_STATUS, statusWord(0, EXECUTED));
    receipts.push([j, out.receipt]);
    traced?.(j, started);
    if (budget !== undefined && measures !== undefined) {
      weight += measures.weight(out.receipt);
      gas += measures.gas(out.receipt);
      if (weight > budget.max || gas > budget.gas) {
        // `j` is the cut: nothing after it runs.
        n = j + 1;
        Atomics.store(ctl, CTL.limit, n);
        Atomics.store(ctl, CTL.commitIdx, n);
      }
    }
  }
  Atomics.add(ctl, CTL.executions, n);
  Atomics.store(ctl, CTL.executionIdx, n);
  Atomics.store(ctl, CTL.validationIdx, n);
  Atomics.store(ctl, CTL.done, 1);
  return receipts;
}
