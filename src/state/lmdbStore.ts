/**
 * The persistent store, on LMDB (the `lmdb` package: memory-mapped B+tree, ACID, one
 * writer). Keys are stored as their raw bytes, so LMDB's byte order equals the hex
 * order the rest of the node uses. A write set commits in one LMDB transaction: after a
 * crash the store holds all of it or none of it.
 */
import { type Database, open } from "lmdb";
import { fromHex, toHex } from "../codec/bytes.js";
import { checkKey, checkValue, StateError } from "./errors.js";
import type { StateKey, StateValue } from "./keys.js";
import { lmdbNoSubdir } from "./lmdbHeader.js";
import { walkLmdbFile } from "./lmdbWalk.js";
import type { Storage, WriteSet } from "./storage.js";
import { ValueCache } from "./valueCache.js";

export interface LmdbStoreOptions {
  /** Largest size the map may reach, in bytes (default 64 GiB; sparse, costs nothing until used). */
  mapSizeBytes?: number;
}

function io<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw new StateError(
      "IO",
      `LMDB ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** LMDB's largest key with 4 KiB pages: lmdb-js refuses a longer one when the write is issued. */
const LMDB_MAX_KEY_BYTES = 1978;

/** A key's bytes, for a key `checkKey` has passed (so no second check and no copy). */
function keyBytes(key: StateKey): Buffer {
  return Buffer.from(key, "hex");
}

/** The smallest key above every key starting with `prefix`, or undefined if there is none. */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** @example const store = openLmdbStore(".weft/state"); store.commit(result.writeSet); */
export function openLmdbStore(path: string, options: LmdbStoreOptions = {}): Storage {
  // LMDB follows page pointers through a memory map: check the meta pages and tree roots first.
  walkLmdbFile(path, { depth: "roots" });
  const db = io("open", () =>
    open<Uint8Array, Uint8Array>({
      path,
      noSubdir: lmdbNoSubdir(path),
      keyEncoding: "binary",
      encoding: "binary",
      mapSize: options.mapSizeBytes ?? 64 * 1024 ** 3,
    }),
  );
  return lmdbStorage(db, path, {
    close: () => {
      // lmdb v3 has only an async close(); with no async writes pending it finishes at once.
      const sync = (db as { closeSync?: () => void }).closeSync;
      if (typeof sync === "function") io("close", () => sync.call(db));
      else
        io("close", () => db.close()).catch((error: unknown) => {
          process.emitWarning(`LMDB close of ${path} failed: ${String(error)}`);
        });
    },
  });
}

export interface LmdbStorageHooks {
  /**
   * Runs `apply` (which writes the state) in a transaction; default: a transaction of `db`
   * alone. `writes` is the write set `apply` commits (the chain database keeps each block's
   * previous values from it: `node/store/stateHistory.ts`); `before` reads a key's committed
   * value, from the value cache when it holds it (call it before `apply`; do not modify what
   * it returns).
   */
  transaction?: (
    apply: () => void,
    writes: WriteSet,
    before: (key: StateKey) => StateValue | undefined,
  ) => void;
  /**
   * `transaction` for `commitAsync`: writes, off the calling thread, in one LMDB
   * transaction, what `issue` issues (it calls the databases' asynchronous `put` and
   * `remove`, never the synchronous ones, and throws nothing once it has issued one), with
   * whatever else goes with it; resolves once committed. Default: `issue` in one `batch`
   * of `db` (lmdb-js runs a batch in one transaction on its write thread).
   */
  transactionAsync?: (
    issue: () => void,
    writes: WriteSet,
    before: (key: StateKey) => StateValue | undefined,
  ) => Promise<void>;
  /** Releases what the store holds (default: nothing; the caller owns the database). */
  close?: () => void;
  /**
   * Keeps up to this many recently read or committed values in memory (`valueCache.ts`).
   * Only for the store that is the database's one writer: another handle's commits would
   * not reach this cache. Default: no cache.
   */
  cacheEntries?: number;
}

/**
 * A `Storage` over one LMDB database (also a named database inside a larger environment,
 * as the node's chain database does, committing other records in the same transaction).
 */
export function lmdbStorage(
  database: Database<Uint8Array, Uint8Array>,
  label: string,
  hooks: LmdbStorageHooks = {},
): Storage {
  let db: Database<Uint8Array, Uint8Array> | undefined = database;
  const live = (): Database<Uint8Array, Uint8Array> => {
    if (db === undefined) throw new StateError("CLOSED", `the LMDB store at ${label} is closed`);
    return db;
  };
  const copy = (v: Uint8Array | undefined): StateValue | undefined =>
    v === undefined ? undefined : new Uint8Array(v);
  const transaction = hooks.transaction ?? ((apply: () => void) => live().transactionSync(apply));
  const cache = hooks.cacheEntries === undefined ? undefined : new ValueCache(hooks.cacheEntries);
  /** The committed value at `key` in the open database `d` (the cache's own array when cached). */
  const read = (d: Database<Uint8Array, Uint8Array>, key: StateKey): StateValue | undefined => {
    // Only keys that passed `checkKey` are ever cached: a hit needs no second check.
    const cached = cache?.get(key);
    if (cached !== undefined) return cached ?? undefined;
    checkKey(key);
    const value = io("get", () => copy(d.getBinary(keyBytes(key))));
    cache?.set(key, value ?? null);
    return value;
  };
  return {
    get(key) {
      const value = read(live(), key);
      // A copy of a cached value: the caller may change what it gets, the cache keeps the committed bytes.
      return cache === undefined ? value : value?.slice();
    },
    has(key) {
      const d = live();
      if (cache !== undefined) return read(d, key) !== undefined;
      checkKey(key);
      return io("get", () => d.doesExist(keyBytes(key)));
    },
    iterate(prefix, after) {
      // Checked eagerly (not a generator) so a bad prefix or a closed store throws at the call.
      if (prefix !== "") checkKey(prefix);
      if (after !== undefined) checkKey(after);
      const d = live();
      const first = fromHex(prefix);
      const end = prefixEnd(first);
      // Past `after`: LMDB's start is inclusive, so the scan starts at it and skips it.
      const start = after !== undefined && after > prefix ? fromHex(after) : first;
      const range = io("range", () => d.getRange(end === undefined ? { start } : { start, end }));
      return (function* (): Generator<[StateKey, StateValue]> {
        for (const { key, value } of range) {
          const hex = toHex(key);
          if (!hex.startsWith(prefix)) return;
          if (after !== undefined && hex <= after) continue;
          yield [hex, new Uint8Array(value)];
        }
      })();
    },
    put(key, value) {
      checkKey(key);
      checkValue(key, value);
      const d = live();
      io("put", () => d.putSync(keyBytes(key), value));
      cache?.set(key, value.slice());
    },
    delete(key) {
      checkKey(key);
      const d = live();
      io("delete", () => d.removeSync(keyBytes(key)));
      cache?.set(key, null);
    },
    commit(writes: WriteSet) {
      const d = live();
      for (const [k, v] of writes) {
        checkKey(k);
        if (v !== null) checkValue(k, v);
      }
      io("commit", () =>
        transaction(
          () => {
            for (const [k, v] of writes) {
              if (v === null) d.removeSync(keyBytes(k));
              else d.putSync(keyBytes(k), v);
            }
          },
          writes,
          (k) => read(d, k),
        ),
      );
      // Only now: a transaction that threw (a failed write, a fault after the state's
      // writes) committed nothing, and the cache still holds what the database does.
      if (cache !== undefined) for (const [k, v] of writes) cache.set(k, v === null ? null : v.slice());
    },
    async commitAsync(writes: WriteSet) {
      const d = live();
      // Every key and value checked before the first write is issued: an issued write cannot be taken back.
      const ops: Array<[Buffer, StateValue | null]> = [];
      for (const [k, v] of writes) {
        checkKey(k);
        if (v !== null) checkValue(k, v);
        if (k.length > 2 * LMDB_MAX_KEY_BYTES)
          throw new StateError(
            "IO",
            `LMDB commit failed: a key of ${k.length / 2} bytes (at most ${LMDB_MAX_KEY_BYTES})`,
          );
        ops.push([keyBytes(k), v]);
      }
      const issue = () => {
        for (const [k, v] of ops) {
          if (v === null) void d.remove(k);
          else void d.put(k, v);
        }
      };
      const run = hooks.transactionAsync ?? ((write: () => void) => d.batch(write).then(() => undefined));
      try {
        await run(issue, writes, (k) => read(d, k));
      } catch (error) {
        if (error instanceof StateError) throw error;
        throw new StateError(
          "IO",
          `LMDB commit failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      // Committed: later reads of LMDB see the writes, and so does the cache from now on.
      if (cache !== undefined) for (const [k, v] of writes) cache.set(k, v === null ? null : v.slice());
    },
    close() {
      if (db === undefined) return;
      db = undefined;
      cache?.clear();
      hooks.close?.();
    },
  };
}
