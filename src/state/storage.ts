/**
 * The state interface every store implements. Writes arrive as a `WriteSet` (key →
 * value, or `null` for a delete) and are committed atomically: all of it or none.
 */
import type { StateKey, StateValue } from "./keys.js";

/** Writes of a block or transaction: a value, or `null` to delete the key. */
export type WriteSet = Map<StateKey, StateValue | null>;

/** Read access to one consistent version of the state. */
export interface StateReader {
  /** The value at `key`, or `undefined` if absent. */
  get(key: StateKey): StateValue | undefined;
}

/** A committed state store. */
export interface Storage extends StateReader {
  has(key: StateKey): boolean;
  /**
   * Entries whose key starts with `prefix`, in ascending key order; with `after`, only the
   * keys above it (the scan starts there, so a page from the middle of a large prefix costs
   * what it returns, not what it skips).
   */
  iterate(prefix: StateKey, after?: StateKey): IterableIterator<[StateKey, StateValue]>;
  /** Writes one key (committed immediately). */
  put(key: StateKey, value: StateValue): void;
  /** Deletes one key (committed immediately); absent keys are fine. */
  delete(key: StateKey): void;
  /** Applies every write of `writes` in one atomic step. */
  commit(writes: WriteSet): void;
  /**
   * `commit` with the writing off the calling thread, where the store can (LMDB: its write
   * thread). Equally atomic; the returned promise resolves once the writes are committed
   * and every later read sees them (until then reads see the state before them), and
   * rejects, having committed nothing, if they could not be. Absent: use `commit`.
   */
  commitAsync?(writes: WriteSet): Promise<void>;
  close(): void;
}
