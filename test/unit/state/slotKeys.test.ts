/** Interned storage-slot keys: always the key `storageKey` builds, one string object per slot. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { storageKey } from "../../../src/state/keys.js";
import { internedStorageKey } from "../../../src/state/slotKeys.js";

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).chain((bytes) =>
  fc.boolean().map((upper) => {
    const hex = Buffer.from(bytes).toString("hex");
    return `0x${upper ? hex.toUpperCase() : hex}` as Address;
  }),
);

/** `key` placed at `offset` in a larger memory, with other bytes around it. */
function inMemory(key: Uint8Array, offset: number): Uint8Array {
  const memory = new Uint8Array(offset + key.length + 7).fill(0x5a);
  memory.set(key, offset);
  return memory;
}

describe("interned storage-slot keys", () => {
  it("equal the key built from scratch, wherever the bytes lie in memory", () => {
    fc.assert(
      fc.property(
        addressArb,
        fc.uint8Array({ minLength: 0, maxLength: 90 }),
        fc.nat(300),
        (address, key, offset) => {
          const expected = storageKey(address, key);
          assert.equal(internedStorageKey(address, inMemory(key, offset), offset, key.length), expected);
          assert.equal(internedStorageKey(address, inMemory(key, 3), 3, key.length), expected, "again");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("read a word at a time (memory given as words too) give the same keys, found from either way", () => {
    fc.assert(
      fc.property(
        addressArb,
        fc.uint8Array({ minLength: 0, maxLength: 90 }),
        fc.nat(75),
        fc.nat(255),
        (address, key, quarter, flip) => {
          // A memory as a contract's: a buffer seen as bytes and as words, the key at any offset
          // (aligned or not); a near miss differs in one byte of the key.
          const offset = quarter * 4 + (flip % 4 === 3 ? 1 : 0);
          const buffer = new ArrayBuffer(4 * Math.ceil((offset + key.length + 8) / 4));
          const memory = new Uint8Array(buffer).fill(0x5a);
          const words = new Int32Array(buffer);
          memory.set(key, offset);
          const expected = storageKey(address, key);
          assert.equal(internedStorageKey(address, memory, offset, key.length, words), expected);
          assert.equal(internedStorageKey(address, memory, offset, key.length), expected, "bytes only");
          assert.equal(internedStorageKey(address, memory, offset, key.length, words), expected, "again");
          if (key.length === 0) return;
          const at = offset + (flip % key.length);
          memory[at] = (memory[at] as number) ^ 1;
          const other = storageKey(address, memory.subarray(offset, offset + key.length));
          assert.notEqual(other, expected);
          assert.equal(internedStorageKey(address, memory, offset, key.length, words), other, "one byte off");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("tell apart keys that differ in one byte, in length only, or by contract", () => {
    const a = "0x00000000000000000000000000000000000000aa" as Address;
    const b = "0x00000000000000000000000000000000000000bb" as Address;
    const k1 = new Uint8Array([3, 1, 2, 3]);
    const k2 = new Uint8Array([3, 1, 2, 4]);
    const k3 = new Uint8Array([3, 1, 2, 3, 0]);
    const seen = new Set<string>();
    for (const address of [a, b]) {
      for (const key of [k1, k2, k3, new Uint8Array(0)]) {
        const interned = internedStorageKey(address, key, 0, key.length);
        assert.equal(interned, storageKey(address, key));
        seen.add(interned);
      }
    }
    assert.equal(seen.size, 8);
  });

  it("stay right past the table's bound (it empties itself and refills)", () => {
    const address = "0x00000000000000000000000000000000000000cc" as Address;
    const key = new Uint8Array(4);
    const view = new DataView(key.buffer);
    for (let i = 0; i < (1 << 17) + 1000; i++) {
      view.setUint32(0, i);
      const interned = internedStorageKey(address, key, 0, 4);
      if (i % 997 === 0) assert.equal(interned, storageKey(address, key));
    }
    view.setUint32(0, 12345);
    assert.equal(internedStorageKey(address, key, 0, 4), storageKey(address, key));
  });

  it("stay right across many contracts (past the bound on tables) and many keys of one (its index grows)", () => {
    const key = new Uint8Array([7, 7, 7]);
    for (let i = 0; i < 5_000; i++) {
      const address = `0x${i.toString(16).padStart(40, "0")}` as Address;
      assert.equal(internedStorageKey(address, key, 0, 3), storageKey(address, key));
    }
    const one = "0x00000000000000000000000000000000000000dd" as Address;
    const slot = new Uint8Array(24);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3_000; i++) {
        slot[22] = i >> 8;
        slot[23] = i & 0xff;
        assert.equal(internedStorageKey(one, slot, 0, 24), storageKey(one, slot));
      }
    }
  });
});
