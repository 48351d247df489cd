/** The module cache: committed code is held for good, other code is transient and bounded; compiles are counted. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { codeHashHex } from "../../../src/vm/callContract.js";
import { createModuleCache } from "../../../src/vm/moduleCache.js";

describe("module cache", () => {
  it("holds loaded code for good, keeps at most transientCapacity other modules, and counts compiles", () => {
    const code = loadArtifact("probe").code;
    const cache = createModuleCache({ transientCapacity: 2 });
    const compiled: string[] = [];
    const get = (hash: string) =>
      cache.get(hash, () => {
        compiled.push(hash);
        return code;
      });
    const held = ["h1", "h2", "h3"].map((h) => cache.load(h, code));
    assert.equal(cache.size, 3);
    const a = get("a"); // transient
    get("b");
    assert.equal(get("a"), a, "a hit returns the same compiled module");
    get("c"); // evicts b (a was used after it)
    get("b"); // compiled again
    assert.deepEqual(compiled, ["a", "b", "c", "b"]);
    // Held modules are never dropped, however many transient ones come and go.
    for (const [i, h] of ["h1", "h2", "h3"].entries()) assert.equal(get(h), held[i]);
    // A transient module that commits becomes held without compiling again.
    const before = cache.stats.compiles;
    assert.equal(cache.load("b", code), get("b"));
    assert.equal(cache.stats.compiles, before);
    assert.equal(cache.size, 4);
    assert.deepEqual(cache.stats, { hits: 5, misses: 4, compiles: 7, restored: 0, adopted: 0, shared: 0 });
    // Another thread adopts the held modules without compiling.
    const other = createModuleCache();
    other.adopt(cache.held());
    assert.equal(other.size, 4);
    assert.deepEqual(other.stats, { hits: 0, misses: 0, compiles: 0, restored: 0, adopted: 4, shared: 0 });
  });

  it("keeps every module a block used until the next block begins, over the capacity (no compile per call)", () => {
    const code = loadArtifact("probe").code;
    const cache = createModuleCache({ transientCapacity: 2 });
    let compiles = 0;
    const get = (hash: string) =>
      cache.get(hash, () => {
        compiles++;
        return code;
      });
    const names = ["n0", "n1", "n2", "n3", "n4"];
    cache.beginBlock();
    // Three laps over five new codes in one block: each compiles once (on be831e4's
    // recency-only cache, every get of a lap compiled again: 15).
    for (let lap = 0; lap < 3; lap++) for (const n of names) get(n);
    assert.equal(compiles, 5);
    // The next block may evict what the last one used, down to the capacity.
    cache.beginBlock();
    get("fresh");
    assert.equal(compiles, 6);
    get("n4");
    assert.equal(compiles, 6, "the most recent of the last block stays, within the capacity");
    get("n0");
    assert.equal(compiles, 7, "older modules of the last block were evicted down to the capacity");
  });

  it("a code hash's hex is kept by its bytes, and follows a value changed in place", () => {
    const hash = new Uint8Array(32).fill(0xaa);
    assert.equal(codeHashHex(hash), "aa".repeat(32));
    assert.equal(codeHashHex(hash), "aa".repeat(32));
    assert.equal(codeHashHex(hash.slice()), "aa".repeat(32), "a copy (as every state read returns)");
    hash[31] = 0xbb;
    assert.equal(codeHashHex(hash), `${"aa".repeat(31)}bb`);
    // Hashes with the same first bytes (one cache entry) alternate and each gets its own hex.
    const other = hash.slice();
    other[20] = 0x01;
    for (let i = 0; i < 3; i++) {
      assert.equal(codeHashHex(hash), `${"aa".repeat(31)}bb`);
      assert.equal(codeHashHex(other), `${"aa".repeat(20)}01${"aa".repeat(10)}bb`);
    }
    // Top bits of the fourth byte (not in the cache's key) still tell hashes apart.
    const high = new Uint8Array(32).fill(0xaa);
    high[3] = 0x2a;
    assert.equal(codeHashHex(high), `aaaaaa2a${"aa".repeat(28)}`);
    assert.equal(codeHashHex(new Uint8Array(32).fill(0xaa)), "aa".repeat(32));
    // Any other length is encoded as it is; past the bound the cache starts over.
    assert.equal(codeHashHex(new Uint8Array([1, 2])), "0102");
    for (let i = 0; i < 5000; i++) {
      const h = new Uint8Array(32);
      new DataView(h.buffer).setUint32(0, i, true);
      assert.equal(codeHashHex(h).slice(0, 8), Buffer.from(h.subarray(0, 4)).toString("hex"));
    }
    assert.equal(codeHashHex(hash), `${"aa".repeat(31)}bb`);
  });
});
