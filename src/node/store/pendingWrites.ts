/**
 * One LMDB transaction's writes gathered on the calling thread, then handed to lmdb-js's
 * write thread in one batch (`issue`, inside `RootDatabase.batch`): the B-tree work and the
 * commit leave the main thread, which only copies keys and values into lmdb-js's
 * instruction buffer.
 *
 * Gathering comes first and may throw (a fault hook, a key LMDB would refuse) with nothing
 * written; `issue` throws nothing LMDB is known to refuse, because an issued write cannot be
 * taken back (the batch would commit what was issued before a throw). Code that reads while
 * it gathers (the state history's pruning) reads through `view`, which answers as the open
 * transaction would: the gathered puts and removals over the committed database, by key and
 * in key ranges.
 */
import type { Database } from "lmdb";

type Bin = Database<Uint8Array, Uint8Array>;

/** The reads and writes the chain database's record writers use (an lmdb-js `Database` has them). */
export interface WritableDb {
  getBinary(key: Uint8Array): Uint8Array | undefined;
  getKeys(options?: { start?: Uint8Array; end?: Uint8Array; limit?: number }): Iterable<Uint8Array>;
  putSync(key: Uint8Array, value: Uint8Array): unknown;
  removeSync(key: Uint8Array): unknown;
}

/** LMDB's largest key with 4 KiB pages (lmdb-js refuses longer ones at `put`). */
export const MAX_KEY_BYTES = 1978;

const hexOf = (key: Uint8Array): string =>
  Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex");

function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

export class PendingWrites {
  private readonly ops: Array<[db: Bin, key: Uint8Array, value: Uint8Array | null]> = [];
  /** Per database, the last gathered value of each key (null: removed). */
  private readonly latest = new Map<Bin, Map<string, { key: Uint8Array; value: Uint8Array | null }>>();

  get count(): number {
    return this.ops.length;
  }

  put(db: Bin, key: Uint8Array, value: Uint8Array): void {
    this.gather(db, key, value);
  }

  remove(db: Bin, key: Uint8Array): void {
    this.gather(db, key, null);
  }

  /** `db` as `WritableDb`: writes gathered here, reads seeing them (see the module comment). */
  view(db: Bin): WritableDb {
    // Only viewed databases keep their keys for reads (the others' writes are only issued).
    if (!this.latest.has(db)) this.latest.set(db, new Map());
    const mine = () => this.latest.get(db);
    return {
      getBinary: (key) => {
        const pending = mine()?.get(hexOf(key));
        if (pending !== undefined) return pending.value ?? undefined;
        return db.getBinary(key) ?? undefined;
      },
      getKeys: (options = {}) => {
        const pending = mine();
        const { limit, ...range } = options;
        const inRange = (key: Uint8Array) =>
          (range.start === undefined || compare(key, range.start) >= 0) &&
          (range.end === undefined || compare(key, range.end) < 0);
        // The gathered puts in the range, in key order, merged with the committed keys.
        const added = [...(pending?.values() ?? [])]
          .filter((p) => p.value !== null && inRange(p.key))
          .map((p) => p.key)
          .sort(compare);
        return (function* () {
          let given = 0;
          const full = () => limit !== undefined && given >= limit;
          if (full()) return;
          let next = 0;
          for (const key of db.getKeys(range)) {
            const k = key as Uint8Array;
            while (next < added.length && compare(added[next] as Uint8Array, k) < 0) {
              yield added[next++] as Uint8Array;
              given++;
              if (full()) return;
            }
            if (pending?.has(hexOf(k)) === true) continue; // removed, or among `added`
            yield k;
            given++;
            if (full()) return;
          }
          while (next < added.length) {
            yield added[next++] as Uint8Array;
            given++;
            if (full()) return;
          }
        })();
      },
      putSync: (key, value) => this.put(db, key, value),
      removeSync: (key) => this.remove(db, key),
    };
  }

  /** Issues every gathered write as an asynchronous write, in order (call inside one `batch`). */
  issue(): void {
    for (const [db, key, value] of this.ops) {
      if (value === null) void db.remove(key);
      else void db.put(key, value);
    }
  }

  private gather(db: Bin, key: Uint8Array, value: Uint8Array | null): void {
    if (key.length === 0 || key.length > MAX_KEY_BYTES)
      throw new RangeError(`an LMDB key of ${key.length} bytes (1 to ${MAX_KEY_BYTES})`);
    this.ops.push([db, key, value]);
    this.latest.get(db)?.set(hexOf(key), { key, value });
  }
}
