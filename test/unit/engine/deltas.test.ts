/** u128 codec of balances and deltas: the word-wise fast paths agree with the byte-wise definition. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  applyDelta,
  DeltaOverflowError,
  decodeU128,
  encodeU128,
  sumU128,
  valueFits,
} from "../../../src/engine/deltas.js";

/** The definition: byte i holds bits 8i..8i+7 of the number (two's complement for negatives). */
function referenceEncode(amount: bigint): Uint8Array {
  const out = new Uint8Array(16);
  let v = amount;
  for (let i = 0; i < 16; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function referenceDecode(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

const anyAmount = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 53n) + 5n }),
  fc.bigInt({ min: -(1n << 140n), max: 1n << 140n }),
  fc.constantFrom(0n, 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) - 1n, -1n),
);

describe("u128 codec", () => {
  it("encodes every bigint as the low 128 bits, byte for byte as the definition", () => {
    fc.assert(
      fc.property(anyAmount, (amount) => {
        assert.deepEqual(encodeU128(amount), referenceEncode(amount));
      }),
      { numRuns: 2_000 },
    );
  });

  it("decodes 16 bytes, and values of any other length, as the definition", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 40 })),
        (bytes) => {
          assert.equal(decodeU128(bytes), referenceDecode(bytes));
        },
      ),
      { numRuns: 2_000 },
    );
    assert.equal(decodeU128(undefined), 0n);
  });

  it("round-trips: decode(encode(v)) is v modulo 2^128", () => {
    fc.assert(
      fc.property(anyAmount, (amount) => {
        assert.equal(decodeU128(encodeU128(amount)), BigInt.asUintN(128, amount));
      }),
    );
  });

  it("applies deltas within u128 and refuses to leave it", () => {
    assert.equal(decodeU128(applyDelta(encodeU128(10n), -10n)), 0n);
    assert.equal(decodeU128(applyDelta(undefined, (1n << 128n) - 1n)), (1n << 128n) - 1n);
    assert.throws(() => applyDelta(encodeU128(1n), -2n), DeltaOverflowError);
    assert.throws(() => applyDelta(encodeU128((1n << 128n) - 1n), 1n), DeltaOverflowError);
  });

  it("adds deltas in words as the definition does, at every carry and edge", () => {
    const MAX = (1n << 128n) - 1n;
    const SAFE = (1n << 53n) - 1n;
    // Values and deltas near the edges of the number paths (2^32, 2^53, 2^64, 2^96, 2^128)
    // as well as anywhere; values of other lengths, and absent ones.
    const edge = (p: bigint) => fc.bigInt({ min: p - 3n, max: p + 3n });
    const value = fc.oneof(
      fc.bigInt({ min: 0n, max: MAX }),
      ...[0n, 32n, 53n, 64n, 96n].map((b) => edge(1n << b)),
      fc.bigInt({ min: MAX - SAFE - 3n, max: MAX }),
      fc.bigInt({ min: (1n << 128n) - (1n << 96n) - 3n, max: (1n << 128n) - (1n << 96n) + 3n }),
    );
    const delta = fc.oneof(
      fc.bigInt({ min: -SAFE - 2n, max: SAFE + 2n }),
      fc.bigInt({ min: -5n, max: 5n }),
      ...[32n, 53n, 64n].map((b) => edge(1n << b)),
      ...[32n, 53n, 64n].map((b) => edge(-(1n << b))),
      fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }),
    );
    const bytes = fc.oneof(
      value.map((v) => referenceEncode(v) as Uint8Array | undefined),
      fc.uint8Array({ maxLength: 20 }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(bytes, delta, (base, d) => {
        const sum = (base === undefined ? 0n : referenceDecode(base)) + d;
        const inRange = sum >= 0n && sum <= MAX;
        assert.equal(valueFits(base, d), inRange);
        const out = sumU128(base, d);
        if (!inRange) {
          assert.equal(out, undefined);
          assert.throws(() => applyDelta(base, d), DeltaOverflowError);
          return;
        }
        assert.deepEqual(out, referenceEncode(sum));
        assert.deepEqual(applyDelta(base, d), referenceEncode(sum));
      }),
      { numRuns: 20_000 },
    );
  });
});
