/**
 * The LMDB store with a value cache (`cacheEntries`, the node's own handle): the Storage
 * contract still holds, reads agree with the database after every commit (evictions
 * included), a commit whose transaction fails leaves the cache on the committed values,
 * and a value read is the caller's to change.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Database, open } from "lmdb";
import { lmdbStorage } from "../../../src/state/lmdbStore.js";
import type { Storage, WriteSet } from "../../../src/state/storage.js";
import { ValueCache } from "../../../src/state/valueCache.js";
import { describeStore } from "./storeContract.js";

type Bin = Database<Uint8Array, Uint8Array>;

/** A cached store over a fresh LMDB file, and an uncached one over the same database. */
function openPair(
  cacheEntries: number,
  transaction?: (db: Bin, apply: () => void) => void,
): { cached: Storage; plain: Storage; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "weft-lmdb-cache-"));
  const db = open<Uint8Array, Uint8Array>({
    path: dir,
    keyEncoding: "binary",
    encoding: "binary",
    mapSize: 64 * 1024 * 1024,
  });
  const cached = lmdbStorage(db, "cached", {
    cacheEntries,
    ...(transaction === undefined ? {} : { transaction: (apply) => transaction(db, apply) }),
  });
  const plain = lmdbStorage(db, "plain");
  return {
    cached,
    plain,
    cleanup: () => {
      cached.close();
      (db as unknown as { closeSync?: () => void }).closeSync?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeStore("LMDB store with a value cache", () => {
  const { cached, cleanup } = openPair(4);
  return { store: cached, cleanup };
});

describe("LMDB store: the value cache", () => {
  it("reads what the database holds after every commit, through evictions (fast-check)", () => {
    const key = fc.constantFrom("01", "0100", "01ff", "02", "0201", "02ff", "ff", "ff00");
    const value = fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null });
    const keys = ["01", "0100", "01ff", "02", "0201", "02ff", "ff", "ff00"];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(key, value), { maxLength: 6 }), { maxLength: 8 }),
        fc.integer({ min: 2, max: 10 }),
        (commits, limit) => {
          const { cached, plain, cleanup } = openPair(limit);
          try {
            for (const c of commits) {
              // Reads between commits fill the cache with what is about to change.
              for (const k of keys) cached.get(k);
              cached.commit(new Map(c) as WriteSet);
              for (const k of keys) {
                assert.deepEqual(cached.get(k), plain.get(k), `key ${k}`);
                assert.equal(cached.has(k), plain.has(k), `has ${k}`);
              }
            }
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps the committed values when a commit's transaction fails after the writes", () => {
    let failNext = false;
    const { cached, plain, cleanup } = openPair(100, (db, apply) =>
      db.transactionSync(() => {
        apply();
        if (failNext) throw new Error("injected failure after the state's writes");
      }),
    );
    try {
      cached.commit(new Map([["0a", new Uint8Array([1])]]));
      assert.deepEqual(cached.get("0a"), new Uint8Array([1]));
      assert.equal(cached.get("0b"), undefined); // cached as absent
      failNext = true;
      assert.throws(() =>
        cached.commit(
          new Map<string, Uint8Array | null>([
            ["0a", null],
            ["0b", new Uint8Array([2])],
          ]),
        ),
      );
      assert.deepEqual(cached.get("0a"), new Uint8Array([1]));
      assert.equal(cached.get("0b"), undefined);
      assert.deepEqual(plain.get("0a"), new Uint8Array([1]), "the database rolled back too");
      assert.equal(plain.get("0b"), undefined);
    } finally {
      cleanup();
    }
  });

  it("hands out copies: changing a value read does not change the next read", () => {
    const { cached, cleanup } = openPair(100);
    try {
      cached.commit(new Map([["0c", new Uint8Array([5, 6])]]));
      const first = cached.get("0c") as Uint8Array;
      first[0] = 99;
      assert.deepEqual(cached.get("0c"), new Uint8Array([5, 6]));
    } finally {
      cleanup();
    }
  });

  it("stays within its limit and keeps what is used", () => {
    const cache = new ValueCache(10);
    cache.set("aa", new Uint8Array([1]));
    for (let i = 0; i < 100; i++) {
      cache.set(i.toString(16).padStart(4, "0"), null);
      assert.deepEqual(cache.get("aa"), new Uint8Array([1]), `after ${i} other entries`);
      assert.ok(cache.size <= 10, `size ${cache.size}`);
    }
    assert.equal(cache.get("0000"), undefined, "an old entry not used since was dropped");
    assert.throws(() => new ValueCache(1), RangeError);
  });
});
