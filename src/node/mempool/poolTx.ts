/** The record the mempool keeps per transaction, its ordering, and its shape check. */
import { MempoolError } from "./errors.js";

const U64_MAX = (1n << 64n) - 1n;
const HASH_RE = /^0x[0-9a-f]+$/;

/**
 * A validated transaction as the pool sees it. `tx` is the caller's own object, carried
 * untouched; everything the pool decides on is in the other fields, which must not change
 * while the record is in the pool (the pool indexes by them).
 */
export interface PoolTx<T> {
  /** Transaction hash, lowercase 0x hex; unique in the pool. */
  hash: string;
  /** The smart account that sends it. */
  sender: string;
  /** Which independent nonce flow of the sender (u64). */
  nonceKey: bigint;
  /** Position in that flow (u64); executes only when the chain's next sequence equals it. */
  sequence: bigint;
  /** Fee priority: the effective gas price. */
  price: bigint;
  /** Gas the transaction may use; block selection reserves this much. */
  gasLimit: number;
  /** Encoded size in bytes. */
  size: number;
  /** The transaction itself. */
  tx: T;
  /** When this node received it (ms since the epoch); drives `prune`. */
  receivedAt: number;
}

/**
 * Block-selection order: true when `a` goes before `b` — higher price first, then earlier
 * `receivedAt`, then smaller hash (so the order is total and deterministic).
 */
export function selectsBefore(a: PoolTx<unknown>, b: PoolTx<unknown>): boolean {
  if (a.price !== b.price) return a.price > b.price;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt;
  return a.hash < b.hash;
}

/** Eviction order, the exact reverse of selection: cheapest first, then newest, then larger hash. */
export function evictsBefore(a: PoolTx<unknown>, b: PoolTx<unknown>): boolean {
  return selectsBefore(b, a);
}

/** Throws `INVALID_ARGUMENT` unless `x` is a well-formed u64 bigint (`name`: a string, or a function giving it, called only when the check fails). */
export function checkU64(name: string | (() => string), x: unknown): void {
  if (typeof x !== "bigint" || x < 0n || x > U64_MAX) {
    const what = typeof name === "string" ? name : name();
    throw new MempoolError("INVALID_ARGUMENT", `${what} must be a u64 bigint, got ${String(x)}`);
  }
}

/** Throws `INVALID_ARGUMENT` when a field of `tx` has the wrong type or range. */
export function checkPoolTx(tx: PoolTx<unknown>): void {
  if (typeof tx.hash !== "string" || !HASH_RE.test(tx.hash)) {
    throw new MempoolError("INVALID_ARGUMENT", `transaction hash ${String(tx.hash)} is not lowercase 0x hex`);
  }
  if (typeof tx.sender !== "string" || tx.sender.length === 0) {
    throw new MempoolError("INVALID_ARGUMENT", `transaction ${tx.hash}: sender must be a non-empty string`);
  }
  checkU64(() => `transaction ${tx.hash}: nonceKey`, tx.nonceKey);
  checkU64(() => `transaction ${tx.hash}: sequence`, tx.sequence);
  if (typeof tx.price !== "bigint" || tx.price < 0n) {
    throw new MempoolError(
      "INVALID_ARGUMENT",
      `transaction ${tx.hash}: price must be a bigint >= 0n, got ${String(tx.price)}`,
    );
  }
  if (!Number.isSafeInteger(tx.gasLimit) || tx.gasLimit < 0) {
    throw new MempoolError(
      "INVALID_ARGUMENT",
      `transaction ${tx.hash}: gasLimit must be an integer >= 0, got ${tx.gasLimit}`,
    );
  }
  if (!Number.isSafeInteger(tx.size) || tx.size < 0) {
    throw new MempoolError(
      "INVALID_ARGUMENT",
      `transaction ${tx.hash}: size must be an integer >= 0, got ${tx.size}`,
    );
  }
  if (typeof tx.receivedAt !== "number" || !Number.isFinite(tx.receivedAt)) {
    throw new MempoolError(
      "INVALID_ARGUMENT",
      `transaction ${tx.hash}: receivedAt must be a finite time in ms, got ${tx.receivedAt}`,
    );
  }
}
