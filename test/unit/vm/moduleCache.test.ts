/** The module cache: compiles once per code hash and drops the least recently used past its capacity. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { codeHashHex } from "../../../src/vm/callContract.js";
import { createModuleCache } from "../../../src/vm/moduleCache.js";

describe("module cache", () => {
  it("hits reuse the compiled module; past capacity the least recently used goes", () => {
    const code = loadArtifact("probe").code;
    const cache = createModuleCache({ capacity: 2 });
    const compiled: string[] = [];
    const get = (hash: string) =>
      cache.get(hash, () => {
        compiled.push(hash);
        return code;
      });
    const a = get("a");
    get("b");
    assert.equal(get("a"), a, "a hit returns the same compiled module");
    get("c"); // evicts b: a was used after it
    assert.equal(cache.size, 2);
    assert.equal(get("a"), a);
    get("b"); // compiled again, evicting c
    get("a");
    assert.deepEqual(compiled, ["a", "b", "c", "b"]);
    assert.deepEqual(cache.stats, { hits: 3, misses: 4 });
  });

  it("a code hash's hex is kept per value, and follows a value changed in place", () => {
    const hash = new Uint8Array(32).fill(0xaa);
    assert.equal(codeHashHex(hash), "aa".repeat(32));
    assert.equal(codeHashHex(hash), "aa".repeat(32));
    hash[31] = 0xbb;
    assert.equal(codeHashHex(hash), `${"aa".repeat(31)}bb`);
  });
});
