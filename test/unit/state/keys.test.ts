/** State keys: per-address keys come from a cache, and must always equal the key built from scratch. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { balanceKey, codeHashKey, storageKey, storagePrefix } from "../../../src/state/keys.js";

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).chain((bytes) =>
  fc.boolean().map((upper) => {
    const hex = Buffer.from(bytes).toString("hex");
    return `0x${upper ? hex.toUpperCase() : hex}` as Address;
  }),
);

describe("state keys", () => {
  it("per-address keys are the space tag and the lowercase address, cached or not", () => {
    fc.assert(
      fc.property(addressArb, (address) => {
        const body = address.slice(2).toLowerCase();
        assert.equal(balanceKey(address), `01${body}`);
        assert.equal(codeHashKey(address), `02${body}`);
        assert.equal(storagePrefix(address), `03${body}`);
        assert.equal(storageKey(address, new Uint8Array([0xab, 1])), `03${body}ab01`);
        assert.equal(balanceKey(address), `01${body}`, "second call, from the cache");
      }),
      { numRuns: 500 },
    );
  });

  it("stay right past the cache's size (it empties itself and refills)", () => {
    const n = (1 << 16) + 10;
    for (let i = 0; i < n; i++) {
      const address = `0x${i.toString(16).padStart(40, "0")}` as Address;
      const key = balanceKey(address);
      if (key !== `01${i.toString(16).padStart(40, "0")}`) assert.fail(`wrong key for ${address}: ${key}`);
    }
    assert.equal(balanceKey(`0x${"0".repeat(40)}`), `01${"0".repeat(40)}`);
  });
});
