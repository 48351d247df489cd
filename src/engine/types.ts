/**
 * What the engine sees. It knows nothing of contracts or accounts: a transaction is
 * something that, given a view of the state, reads keys and produces writes, commutative
 * deltas and a receipt. The sequential executor and the parallel engine both run
 * `TxExecutor`s over the same pre-block `StateReader` and must produce identical
 * `BlockResult`s.
 */
import type { StateKey, StateValue } from "../state/keys.js";
import type { StateReader, WriteSet } from "../state/storage.js";

/** The state as one transaction sees it: the pre-block state plus earlier transactions' effects. */
export interface StateView {
  /** Current value at `key` (including every earlier transaction's writes and deltas). */
  read(key: StateKey): StateValue | undefined;
  /**
   * Whether the u128 at `key` (absent = 0) plus `delta` stays within [0, 2^128), recorded as
   * that fact rather than as the value (Block-STM's aggregators in Aptos): a transaction that
   * only adds to a key depends on earlier ones only if their writes change this answer. The
   * engines' views have it; a view without it (read-only calls, admission, nested states)
   * makes `TxState` add in place, reading the value. Optional because a dozen plain
   * `{ read }` views serve one-off reads and gain nothing from it.
   */
  fits?(key: StateKey, delta: bigint): boolean;
}

/**
 * A commutative update: add `amount` (may be negative) to the u128 little-endian number at
 * a key. Used for keys that nearly every transaction touches (the fee recipient), so that
 * they never serialise a block. A transaction may read such a key; it then sees the sum.
 */
export type DeltaSet = Map<StateKey, bigint>;

/** What one execution of one transaction produced. */
export interface TxOutput<R> {
  receipt: R;
  writes: WriteSet;
  deltas: DeltaSet;
}

/** Runs one transaction against a view. Must be deterministic: same view answers, same output. */
export interface TxExecutor<T, R> {
  execute(view: StateView, tx: T, txIndex: number): TxOutput<R>;
}

/**
 * A bound on what a block's receipts may weigh (for the chain: bytes of return data and
 * events). The block keeps the longest prefix of its transactions whose receipts weigh at
 * most `max` in all; the first transaction that would take the total past it, and every
 * later one, are left out. Later transactions cannot change what earlier ones did, so the
 * prefix's receipts and write set are those of a block of just the prefix, and both
 * executors produce them from the one execution (no re-run).
 */
export interface ReceiptBudget<R> {
  max: number;
  /** What one receipt weighs; must depend on the receipt only. */
  weight(receipt: R): number;
  /**
   * The block's gas limit, on gas used: the prefix kept is also the longest whose receipts'
   * `used` gas sums to at most `max` (Aptos's block gas limit in Block-STM). Each
   * transaction's result depends only on those before it, so the cut is a pure function of
   * the block's ordered transactions and the pre-block state.
   */
  gas?: { max: number; used(receipt: R): number };
}

/** The result of a block: one receipt per transaction, in order, and the block's write set. */
export interface BlockResult<R> {
  /** One per transaction kept (all of them, unless the budget cut the block). */
  receipts: R[];
  /** Final value of every key the kept transactions changed (deltas already applied); `null` = deleted. */
  writeSet: WriteSet;
  /**
   * Set when the budget cut the block: the index of the first transaction left out (= the
   * number kept) and its receipt, as executed after the kept ones (nothing of it is in
   * `writeSet`), so the caller can tell one too heavy alone (`weight > max`) from one that
   * only has to wait.
   */
  cut?: { at: number; receipt: R };
}

/**
 * An executor of whole blocks: the sequential reference or the parallel engine, used the
 * same way. `config` is what changes per block (for the chain, the block's context);
 * `budget` bounds the block's receipts (the block is cut, see `ReceiptBudget`).
 */
export interface BlockExecutor<T, R, C> {
  executeBlock(
    pre: StateReader,
    txs: readonly T[],
    config: C,
    budget?: ReceiptBudget<R>,
  ): BlockResult<R> | Promise<BlockResult<R>>;
}
