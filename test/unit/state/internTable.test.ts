/** Strings interned by their bytes (`src/state/internTable.ts`): one object per byte string, values untouched. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { hashBytes, InternTable, MAX_CHAIN } from "../../../src/state/internTable.js";

/** The table's value for `memory[start, start + length)`, interning the hex on a miss. */
function interned(table: InternTable, memory: Uint8Array, start: number, length: number): string {
  const hash = hashBytes(memory, start, length);
  const known = table.find(memory, start, length, hash);
  if (known !== undefined) return known;
  const hex = `0x${Buffer.from(memory.subarray(start, start + length)).toString("hex")}`;
  return table.add(memory, start, length, hash, hex);
}

describe("intern table", () => {
  it("answers the string built from the bytes, wherever they lie, and the same object again", () => {
    const table = new InternTable(1 << 10);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(9), (bytes, offset) => {
        const memory = new Uint8Array(offset + bytes.length + 3).fill(0xa5);
        memory.set(bytes, offset);
        const first = interned(table, memory, offset, bytes.length);
        assert.equal(first, `0x${Buffer.from(bytes).toString("hex")}`);
        const elsewhere = new Uint8Array(bytes.length + 1);
        elsewhere.set(bytes, 1);
        assert.equal(interned(table, elsewhere, 1, bytes.length), first);
      }),
    );
  });

  it("hashes and finds the same with the memory's words as without, aligned or not", () => {
    const table = new InternTable(1 << 10);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(40), (bytes, offset) => {
        const buffer = new ArrayBuffer(4 * Math.ceil((offset + bytes.length + 4) / 4));
        const memory = new Uint8Array(buffer).fill(0xa5);
        const words = new Int32Array(buffer);
        memory.set(bytes, offset);
        const hash = hashBytes(memory, offset, bytes.length);
        assert.equal(hashBytes(memory, offset, bytes.length, words), hash);
        const hex = `0x${Buffer.from(bytes).toString("hex")}`;
        const found = table.find(memory, offset, bytes.length, hash, words);
        assert.equal(found ?? table.add(memory, offset, bytes.length, hash, hex), hex);
        assert.equal(table.find(memory, offset, bytes.length, hash, words), hex);
        assert.equal(table.find(memory, offset, bytes.length, hash), hex);
        if (bytes.length > 0) {
          memory[offset + bytes.length - 1] = (memory[offset + bytes.length - 1] as number) ^ 0x80;
          assert.equal(table.find(memory, offset, bytes.length, hash, words), undefined, "last byte differs");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("keeps its own copy: changing the memory afterwards changes nothing it answers", () => {
    const table = new InternTable(16);
    const memory = new Uint8Array([1, 2, 3, 4]);
    assert.equal(interned(table, memory, 0, 4), "0x01020304");
    memory[0] = 9;
    assert.equal(interned(table, memory, 0, 4), "0x09020304");
    assert.equal(interned(table, new Uint8Array([1, 2, 3, 4]), 0, 4), "0x01020304");
  });

  it("tells apart bytes whose hashes collide, and bytes that differ in length only", () => {
    const table = new InternTable(16);
    const a = new Uint8Array([1, 2]);
    const b = new Uint8Array([3, 4]);
    // Force a collision: both under hash 7.
    table.add(a, 0, 2, 7, "a");
    table.add(b, 0, 2, 7, "b");
    assert.equal(table.find(a, 0, 2, 7), "a");
    assert.equal(table.find(b, 0, 2, 7), "b");
    assert.equal(table.find(new Uint8Array([1, 2, 0]), 0, 3, 7), undefined);
    assert.equal(table.find(new Uint8Array([5, 6]), 0, 2, 7), undefined);
    assert.equal(interned(table, new Uint8Array([0]), 0, 0), "0x");
    assert.equal(interned(table, new Uint8Array([0]), 0, 1), "0x00");
  });

  it("keeps at most MAX_CHAIN entries under one hash (colliding bytes are answered, not kept)", () => {
    const table = new InternTable(1 << 10);
    for (let i = 0; i < 3 * MAX_CHAIN; i++) {
      const bytes = new Uint8Array([i]);
      assert.equal(table.find(bytes, 0, 1, 42) ?? table.add(bytes, 0, 1, 42, `v${i}`), `v${i}`);
    }
    assert.equal(table.size, MAX_CHAIN);
    assert.equal(table.find(new Uint8Array([0]), 0, 1, 42), "v0");
    assert.equal(table.find(new Uint8Array([MAX_CHAIN]), 0, 1, 42), undefined, "past the chain: not kept");
  });

  it("stays bounded: it empties itself at its maximum and keeps answering right", () => {
    const table = new InternTable(8);
    for (let i = 0; i < 100; i++) {
      const memory = new Uint8Array([i, i >> 8]);
      assert.equal(interned(table, memory, 0, 2), `0x${Buffer.from(memory).toString("hex")}`);
      assert.ok(table.size <= 8, `size ${table.size}`);
    }
  });
});
