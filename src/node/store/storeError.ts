/**
 * A read or write of the chain database that failed while the node runs, as a typed error:
 * `STORE_CORRUPT` when LMDB reports a damaged file (a page missing or of the wrong kind),
 * `STORE_IO` for any other failure of LMDB or the disk under it (an I/O error, a full
 * disk or map). The message names the operation and the data directory and says what to
 * do. LMDB (the `lmdb` package) marks its own failures with a numeric `code` (an errno, or
 * LMDB's negative codes), also when they come wrapped as the `cause` of another error;
 * errors without one (a caller's own, thrown inside a transaction) pass through unchanged.
 */
import { StateError } from "../../state/errors.js";
import { isLmdbDamage } from "../../state/lmdbHeader.js";
import type { Storage, WriteSet } from "../../state/storage.js";

export type StoreErrorCode = "STORE_CORRUPT" | "STORE_IO";

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The data directory. */
  readonly path: string;
  /** What to do about it. */
  readonly advice: string;
  constructor(
    code: StoreErrorCode,
    path: string,
    /** What failed ("a state read", "a block's commit", ...). */
    readonly operation: string,
    cause: Error,
  ) {
    const advice =
      code === "STORE_CORRUPT"
        ? `the chain database is damaged: stop the node and run \`weft db check --dir ${path}\`, then restore it from a backup`
        : `check the disk (space, errors), then run \`weft db check --dir ${path}\` before starting the node again`;
    super(`${operation} failed on the chain database in ${path}: ${cause.message}; ${advice}`, { cause });
    this.name = "StoreError";
    this.code = code;
    this.path = path;
    this.advice = advice;
  }
}

/** What `/health` and `weft_status` say of a store failure. */
export function storeFailureJson(failure: StoreError): Record<string, string> {
  return { code: failure.code, path: failure.path, advice: failure.advice, message: failure.message };
}

/** A `StoreError` as plain data, to cross a thread (a structured clone keeps no class). */
export interface StoreErrorData {
  code: StoreErrorCode;
  path: string;
  operation: string;
  cause: string;
}

export function storeErrorData(error: StoreError): StoreErrorData {
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  return { code: error.code, path: error.path, operation: error.operation, cause };
}

/** The `StoreError` a worker thread sent as `data`: the same code, path, message and advice. */
export function storeErrorFrom(data: StoreErrorData): StoreError {
  return new StoreError(data.code, data.path, data.operation, new Error(data.cause));
}

/** The LMDB (or OS) error in `error` or its causes: an Error with a numeric `code`. */
function lmdbFailure(error: unknown): Error | undefined {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++, e = (e as Error).cause) {
    if (e instanceof StoreError) return undefined;
    if (e instanceof StateError && e.code === "CORRUPT_FILE") return e;
    const numbered = typeof (e as { code?: unknown }).code === "number";
    if (numbered || isLmdbDamage(e)) return e;
  }
  return undefined;
}

/** The `StoreError` in `error` or its causes, if there is one. */
export function storeErrorIn(error: unknown): StoreError | undefined {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++, e = (e as Error).cause)
    if (e instanceof StoreError) return e;
  return undefined;
}

/** `error` as a `StoreError` when it is a failure of LMDB (see the module comment), else `error` itself. */
export function asStoreError(path: string, operation: string, error: unknown): unknown {
  const failure = lmdbFailure(error);
  if (failure === undefined) return error;
  const corrupt = failure instanceof StateError || isLmdbDamage(failure);
  return new StoreError(corrupt ? "STORE_CORRUPT" : "STORE_IO", path, operation, failure);
}

/** Runs `read` (or a write), turning an LMDB failure into a `StoreError`. */
export function guarded<T>(path: string, operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw asStoreError(path, operation, error);
  }
}

/** Iterates `make()`'s records, turning an LMDB failure (at the start or mid-way) into a `StoreError`. */
export function* guardedIteration<T>(path: string, operation: string, make: () => Iterable<T>): Generator<T> {
  let iterator: Iterator<T>;
  try {
    iterator = make()[Symbol.iterator]();
  } catch (error) {
    throw asStoreError(path, operation, error);
  }
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = iterator.next();
    } catch (error) {
      throw asStoreError(path, operation, error);
    }
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * `storage` with every LMDB failure of its reads, iterations and commits turned into a
 * `StoreError` naming `path`; `beforeRead` runs before each read (a test's fault injection).
 */
export function guardedStorage(path: string, storage: Storage, beforeRead?: () => void): Storage {
  const read = <T>(operation: string, run: () => T): T =>
    guarded(path, operation, () => {
      beforeRead?.();
      return run();
    });
  return {
    get: (key) => read("a state read", () => storage.get(key)),
    has: (key) => read("a state read", () => storage.has(key)),
    iterate: (prefix, after) => {
      // Started at the call (a bad prefix throws there), guarded through the iteration.
      const records = read("a state scan", () => storage.iterate(prefix, after));
      return guardedIteration(path, "a state scan", () => records);
    },
    put: (key, value) => guarded(path, "a state write", () => storage.put(key, value)),
    delete: (key) => guarded(path, "a state write", () => storage.delete(key)),
    commit: (writes) => guarded(path, "a block's commit", () => storage.commit(writes)),
    ...(storage.commitAsync === undefined
      ? {}
      : {
          commitAsync: async (writes: WriteSet) => {
            try {
              await (storage.commitAsync as (w: WriteSet) => Promise<void>)(writes);
            } catch (error) {
              throw asStoreError(path, "a block's commit", error);
            }
          },
        }),
    close: () => storage.close(),
  };
}

/** Tests only: a failure, as LMDB reports one (a message and a numeric code), that every read of a worker's database throws. */
export interface InjectedReadFault {
  message: string;
  code: number;
}

/** The `openChainDb` options of a worker thread given `fault` (none without one). */
export function injectedReadFaults(fault: InjectedReadFault | undefined): {
  storeFaults?: (point: "read" | "write") => void;
} {
  if (fault === undefined) return {};
  return {
    storeFaults: (point) => {
      if (point === "read") throw Object.assign(new Error(fault.message), { code: fault.code });
    },
  };
}
