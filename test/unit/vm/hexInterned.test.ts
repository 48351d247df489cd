/**
 * `readHexInterned` (`src/vm/memoryAccess.ts`): event topics and addresses read from a
 * contract's memory as `0x` hex, through a direct-mapped cache and an intern table. Whatever
 * the caches hold (places shared by many different bytes, bytes changed in place, any
 * alignment and length), the string is the hex of the bytes there now.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashBytes } from "../../../src/state/internTable.js";
import type { Frame } from "../../../src/vm/frame.js";
import { MemoryViews, readHexInterned } from "../../../src/vm/memoryAccess.js";

function frameOver(memory: WebAssembly.Memory): Frame {
  return { memory: new MemoryViews(memory) } as unknown as Frame;
}

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe("readHexInterned", () => {
  it("is the hex of the bytes at the pointer, for any length, alignment and cache history", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const frame = frameOver(memory);
    const bytes = new Uint8Array(memory.buffer);
    const next = rng(7);
    // Few distinct values of each length, so that reads hit the caches; each write changes
    // bytes a cached read saw, at places many values share.
    for (let round = 0; round < 20_000; round++) {
      const length = next() % 41;
      const at = next() % 4096;
      for (let i = 0; i < length; i++) bytes[at + i] = next() % 3;
      const expected = `0x${Buffer.from(bytes.subarray(at, at + length)).toString("hex")}`;
      assert.equal(readHexInterned(frame, at, length), expected);
      assert.equal(readHexInterned(frame, at, length), expected, "a second read");
    }
  });

  it("tells apart different bytes with the same hash and length", () => {
    // Two 8-byte values whose 30-bit hashes are equal (found by search: a birthday collision).
    const seen = new Map<number, number>();
    const probe = new Uint8Array(8);
    const view = new DataView(probe.buffer);
    let pair: [number, number] | undefined;
    for (let n = 0; pair === undefined; n++) {
      view.setUint32(0, n, true);
      view.setUint32(4, Math.imul(n, 0x9e3779b1), true);
      const hash = hashBytes(probe, 0, 8);
      const other = seen.get(hash);
      if (other !== undefined) pair = [other, n];
      else seen.set(hash, n);
    }
    const memory = new WebAssembly.Memory({ initial: 1 });
    const frame = frameOver(memory);
    const mem = new DataView(memory.buffer);
    for (const [slot, n] of [pair[0], pair[1], pair[0]].entries()) {
      mem.setUint32(128, n, true);
      mem.setUint32(132, Math.imul(n, 0x9e3779b1), true);
      const expected = `0x${Buffer.from(new Uint8Array(memory.buffer, 128, 8)).toString("hex")}`;
      assert.equal(readHexInterned(frame, 128, 8), expected, `read ${slot}`);
    }
  });

  it("answers the same string object for the same bytes, and traps out of bounds", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const frame = frameOver(memory);
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0xab, 64, 96);
    bytes.fill(0xab, 201, 233);
    const a = readHexInterned(frame, 64, 32);
    assert.equal(a, `0x${"ab".repeat(32)}`);
    assert.equal(readHexInterned(frame, 201, 32), a);
    assert.throws(
      () => readHexInterned(frame, 65536 - 16, 32),
      (e: unknown) => {
        return (e as { kind?: string }).kind === "revert";
      },
    );
  });
});
