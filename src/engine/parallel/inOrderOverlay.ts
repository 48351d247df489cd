/**
 * The block loop of an engine with one worker, without the multi-version memory: the
 * sequential executor's own run (`sequentialRun`) over the worker's replica of the
 * committed state, which is the block's pre-state.
 *
 * With a single worker, Block-STM runs every transaction after all earlier ones have their
 * final writes: nothing is aborted, no read meets an estimate, no other thread reads a
 * version while the block runs, and validation cannot fail. So the versions, read sets and
 * locks buy nothing: the worker keeps the block's writes and deltas in a plain overlay, as
 * the sequential executor does, and sends the final write set (deltas applied) as one
 * buffer (`encodeWriteSet`). Receipts and the write set are the sequential executor's by
 * construction; the engine's tests still compare them field by field.
 *
 * Issue 13: in this loop's predecessor (`inOrder.ts`, which recorded every write as a
 * version and every read in a read set) a native transfer cost about twice its sequential
 * CPU; the multi-version work behind each credit check was the largest part.
 *
 * Given the budget it stops at the cut as the sequential executor does (the cut
 * transaction's receipt is returned, its writes are not kept) and sets `CTL.limit` there,
 * so the engine finds the block as the versioned loop leaves it (`commit.ts`). Without a
 * budget the workers can apply, the engine uses the versioned loop (`inOrder.ts`): only it
 * can give the writes of any prefix afterwards.
 */
import { type SequentialRun, sequentialRun } from "../sequential.js";
import type { ReceiptBudget, TxExecutor } from "../types.js";
import type { WorkerBudget } from "./commit.js";
import { encodeWriteSet } from "./finalWrites.js";
import type { ReceiptEncoder } from "./protocol.js";
import type { Replica } from "./replica.js";
import { EXECUTED, type Scheduler, statusWord } from "./scheduler.js";
import { CTL, type SharedViews, T_LAST_WORKER, T_STATUS, TX_WORDS } from "./shared.js";
import { StreamAbandoned } from "./txStream.js";

export interface OverlayParts {
  views: SharedViews;
  scheduler: Scheduler;
  /** The committed state (the block's pre-state); also names written keys by id. */
  replica: Replica;
  workerId: number;
  budget?: WorkerBudget;
  measures?: { weight(receipt: unknown): number; gas(receipt: unknown): number };
  /** Called after each execution with its start (trace timestamps), when tracing. */
  traced?: (tx: number, started: number) => void;
  now?: () => number;
  /**
   * The codec's receipt encoder: each receipt is encoded as its transaction finishes, and
   * none is kept as an object to the block's end (kept ones outlived the young generation).
   */
  encoder?: ReceiptEncoder<unknown>;
}

export interface OverlayOutcome {
  /** Every receipt with its index (the cut transaction's too); empty when `receiptBytes` holds them. */
  receipts: Array<[number, unknown]>;
  /** The receipts in the codec's encoding, when an encoder was given. */
  receiptBytes?: Uint8Array;
  /** The kept transactions' write set, encoded (`encodeWriteSet`). */
  writes: Uint8Array;
}

/** Runs the block of `views.ctl[CTL.size]` transactions in order. */
export function runInOrderOverlay(
  parts: OverlayParts,
  txAt: (i: number) => unknown,
  executor: TxExecutor<unknown, unknown>,
): OverlayOutcome {
  const { views, scheduler, replica, workerId, traced, now, budget, measures, encoder } = parts;
  const ctl = views.ctl;
  const txs = views.txs;
  const n = scheduler.size;
  let receiptBudget: ReceiptBudget<unknown> | undefined;
  if (budget !== undefined && measures !== undefined) {
    receiptBudget = { max: budget.max, weight: measures.weight };
    if (budget.gas !== Number.POSITIVE_INFINITY) receiptBudget.gas = { max: budget.gas, used: measures.gas };
  }
  const pre = { get: (key: string) => replica.get(key) };
  const keep = encoder === undefined ? undefined : (receipt: unknown, j: number) => encoder.add(j, receipt);
  const run: SequentialRun<unknown> = sequentialRun(executor, pre, n, txAt, receiptBudget, keep);
  for (let j = 0; j < n; j++) {
    // The engine abandoned the run (its stream failed): nothing of it is used.
    if (Atomics.load(ctl, CTL.abort) !== 0) throw new StreamAbandoned();
    const started = now === undefined ? 0 : now();
    const more = run.step();
    traced?.(j, started);
    if (!more) break;
  }
  const result = run.finish();
  const receipts: Array<[number, unknown]> = result.receipts.map((r, j) => [j, r]);
  let ran = n;
  if (result.cut !== undefined) {
    // The cut transaction ran (its receipt tells the caller why it was left out); nothing after it.
    if (encoder === undefined) receipts.push([result.cut.at, result.cut.receipt]);
    else encoder.add(result.cut.at, result.cut.receipt);
    ran = result.cut.at + 1;
    Atomics.store(ctl, CTL.limit, ran);
    Atomics.store(ctl, CTL.commitIdx, ran);
  }
  for (let j = 0; j < ran; j++) {
    txs[j * TX_WORDS + T_LAST_WORKER] = workerId;
    Atomics.store(txs, j * TX_WORDS + T_STATUS, statusWord(0, EXECUTED));
  }
  Atomics.add(ctl, CTL.executions, ran);
  Atomics.store(ctl, CTL.executionIdx, ran);
  Atomics.store(ctl, CTL.validationIdx, ran);
  Atomics.store(ctl, CTL.done, 1);
  const writes = encodeWriteSet(result.writeSet, (key) => replica.slot(key).id);
  return encoder === undefined ? { receipts, writes } : { receipts, writes, receiptBytes: encoder.finish() };
}
