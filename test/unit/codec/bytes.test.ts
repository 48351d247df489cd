/** Hex conversion: every malformed input is a CodecError, never a silently shorter result. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Address, addressToBytes } from "../../../src/codec/address.js";
import { CodecError, fromHex, toHex } from "../../../src/codec/bytes.js";

const invalid = (e: unknown) => e instanceof CodecError && e.code === "INVALID_HEX";

describe("hex", () => {
  it("round-trips any bytes, with or without 0x, either case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const hex = toHex(bytes);
        assert.deepEqual(fromHex(hex), bytes);
        assert.deepEqual(fromHex(`0x${hex.toUpperCase()}`), bytes);
      }),
    );
  });

  it("refuses odd lengths and any non-hex character, wherever it is", () => {
    for (const bad of ["0x1", "abc", "0xzz", "0x1g", "0x00 1", "0x-1", "12 34", "0x0x00", "ff\n"]) {
      assert.throws(() => fromHex(bad), invalid, bad);
    }
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.constantFrom(..."ghxyz -_G!é"),
        (bytes, at, ch) => {
          const hex = toHex(bytes);
          const i = at % hex.length;
          assert.throws(() => fromHex(`0x${hex.slice(0, i)}${ch}${hex.slice(i + 1)}`), invalid);
        },
      ),
    );
  });

  it("hands back an array the caller owns (not a view of a shared pool)", () => {
    const a = fromHex("0102");
    assert.equal(a.buffer.byteLength, 2);
  });
});

describe("addressToBytes", () => {
  it("reads 0x + 40 hex digits of either case; anything else is INVALID_ADDRESS", () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
    assert.deepEqual(addressToBytes(`0x${toHex(bytes)}`), bytes);
    assert.deepEqual(addressToBytes(`0x${toHex(bytes).toUpperCase()}`), bytes);
    const bad = (e: unknown) => e instanceof CodecError && e.code === "INVALID_ADDRESS";
    for (const text of [
      "0x",
      `0x${"ab".repeat(19)}`,
      `0x${"ab".repeat(21)}`,
      `0X${"ab".repeat(20)}`,
      "ab".repeat(20),
    ])
      assert.throws(() => addressToBytes(text as Address), bad, text);
    assert.throws(
      () => addressToBytes(`0x${"zz".repeat(20)}`),
      (e) => e instanceof CodecError,
    );
  });
});
