/**
 * Recently read or written state values, in front of the one store that writes them
 * (`lmdbStorage` with `cacheEntries`). Values are kept as committed: the store fills the
 * cache on a read and updates it only after a write's LMDB transaction has committed, so a
 * read never sees a value the database does not hold. A key known to be absent is kept
 * too (`null`): a block of transfers to new accounts reads many of those.
 *
 * Two generations bound the memory: entries go into the young map; when it holds half the
 * limit it becomes the old one and the former old one is dropped. A hit in the old map is
 * copied into the young one, so what is used keeps living. The young map always holds the
 * newer value of a key found in both.
 */
import type { StateKey, StateValue } from "./keys.js";

export class ValueCache {
  private young = new Map<StateKey, StateValue | null>();
  private old = new Map<StateKey, StateValue | null>();
  private readonly generation: number;

  /** At most `limit` entries (at least 2). */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 2)
      throw new RangeError(`a value cache needs a limit of at least 2 entries, got ${limit}`);
    this.generation = Math.floor(limit / 2);
  }

  /** The cached value (`null`: known absent), or `undefined` when the key is not cached. */
  get(key: StateKey): StateValue | null | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** Records `key`'s committed value (`null`: absent); the cache keeps `value` itself. */
  set(key: StateKey, value: StateValue | null): void {
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  /** Entries held now (both generations; a key in both counts twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
