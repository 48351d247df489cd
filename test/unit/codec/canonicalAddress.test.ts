/**
 * `isCanonicalAddress` (char codes) accepts and refuses exactly what the regular expression
 * `/^0x[0-9a-f]{40}$/` it replaced in the transaction checks did: valid addresses, every
 * one-character change of one (any UTF-16 code unit at any place), lengths one off, and
 * arbitrary strings and values.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isCanonicalAddress } from "../../../src/codec/address.js";

const REGEXP = /^0x[0-9a-f]{40}$/;
const regexpSays = (value: unknown) => REGEXP.test(value as string);
const HEX = "0123456789abcdef";
const address = fc
  .array(fc.integer({ min: 0, max: 15 }), { minLength: 40, maxLength: 40 })
  .map((digits) => `0x${digits.map((d) => HEX[d]).join("")}`);

describe("isCanonicalAddress", () => {
  it("accepts every 0x + 40 lowercase hex digits", () => {
    fc.assert(fc.property(address, (a) => isCanonicalAddress(a) && regexpSays(a)));
  });

  it("answers as the regular expression for every address with one code unit changed", () => {
    fc.assert(
      fc.property(address, fc.nat(41), fc.integer({ min: 0, max: 0xffff }), (a, at, code) => {
        const changed = a.slice(0, at) + String.fromCharCode(code) + a.slice(at + 1);
        assert.equal(isCanonicalAddress(changed), regexpSays(changed), JSON.stringify(changed));
      }),
      { numRuns: 20_000 },
    );
    // Every code unit at every place of one address, exhaustively over the ASCII range and
    // the characters around the digit and letter ranges.
    const a = `0x${"0123456789abcdef".repeat(3).slice(0, 40)}`;
    for (let at = 0; at < 42; at++) {
      for (let code = 0; code < 0x180; code++) {
        const changed = a.slice(0, at) + String.fromCharCode(code) + a.slice(at + 1);
        assert.equal(isCanonicalAddress(changed), regexpSays(changed), JSON.stringify(changed));
      }
    }
  });

  it("answers as the regular expression for lengths one off, edges and other values", () => {
    const a = `0x${"ab".repeat(20)}`;
    const cases: unknown[] = [
      a,
      a.slice(0, 41),
      `${a}0`,
      `${a}\n`,
      `\n${a}`,
      a.toUpperCase(),
      `0X${a.slice(2)}`,
      `${a.slice(0, 41)}A`,
      `${a.slice(0, 41)}g`,
      "",
      "0x",
      undefined,
      null,
      42,
      [a],
      { toString: () => a },
    ];
    for (const value of cases)
      assert.equal(isCanonicalAddress(value), typeof value === "string" && regexpSays(value), String(value));
    assert.equal(
      isCanonicalAddress([a]),
      false,
      "a one-element array is not an address (the regexp read its string form)",
    );
    assert.equal(isCanonicalAddress({ toString: () => a }), false, "nor an object whose toString gives one");
  });

  it("answers as the regular expression for arbitrary strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: "binary", maxLength: 44 })),
        (s) => {
          assert.equal(isCanonicalAddress(s), regexpSays(s));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
