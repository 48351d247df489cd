/**
 * Commutative deltas on u128 little-endian numbers (balances). Applying the deltas of
 * several transactions in any order gives the same sum, so the engine can apply them at
 * block end instead of making every transaction depend on the previous one.
 */
import type { StateValue } from "../state/keys.js";

const U128_MAX = (1n << 128n) - 1n;
const WORD = 0x100000000;

/** 16 bytes seen as two u64 (this platform's order: used only when it is little-endian). */
const scratchBytes = new Uint8Array(16);
const scratchWords = new BigUint64Array(scratchBytes.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Thrown when a delta would take a number below zero or past u128: an engine/chain bug. */
export class DeltaOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeltaOverflowError";
  }
}

/** The little-endian number in `value` (absent = 0); any length, 16 bytes fastest. */
export function decodeU128(value: StateValue | undefined): bigint {
  if (value === undefined) return 0n;
  if (value.length !== 16) {
    let v = 0n;
    for (let i = value.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(value[i] as number);
    return v;
  }
  return decodeU128At(value, 0);
}

/** The 16-byte little-endian number at `bytes[at]` (the caller checked the range). */
export function decodeU128At(bytes: Uint8Array, at: number): bigint {
  // Four 32-bit words as numbers, then at most four BigInt steps (a byte-wise BigInt loop
  // was ~3x slower and showed in every engine profile); below 2^53 a single conversion.
  const a = word32(bytes, at);
  const b = word32(bytes, at + 4);
  const c = word32(bytes, at + 8);
  const d = word32(bytes, at + 12);
  if ((c | d) === 0 && b < 0x200000) return BigInt(a + b * 0x100000000);
  if (LITTLE_ENDIAN) {
    // Two 64-bit halves through a scratch BigUint64Array: two BigInts made, where four
    // words and three shifts made ten (balances of 10^24 and more take this path).
    for (let i = 0; i < 16; i++) scratchBytes[i] = bytes[at + i] as number;
    const high = scratchWords[1] as bigint;
    const low = scratchWords[0] as bigint;
    return high === 0n ? low : (high << 64n) | low;
  }
  return (BigInt(d) << 96n) | (BigInt(c) << 64n) | (BigInt(b) << 32n) | BigInt(a);
}

function word32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

/** The low 128 bits of `amount` (two's complement for negatives), 16 bytes little-endian. */
export function encodeU128(amount: bigint): StateValue {
  const out = new Uint8Array(16);
  encodeU128At(out, 0, amount);
  return out;
}

/** Writes `encodeU128(amount)` at `out[at]` (the caller checked the range). */
export function encodeU128At(out: Uint8Array, at: number, amount: bigint): void {
  if (amount >= 0n && amount <= 0x1fffffffffffffn) {
    // Below 2^53 (most amounts and balances): number arithmetic, no BigInt steps.
    const n = Number(amount);
    const high = Math.floor(n / 0x100000000);
    putWord32(out, at, n >>> 0);
    putWord32(out, at + 4, high);
    putWord32(out, at + 8, 0);
    putWord32(out, at + 12, 0);
    return;
  }
  const v = BigInt.asUintN(128, amount);
  if (LITTLE_ENDIAN) {
    // A BigUint64Array element keeps the low 64 bits of what is stored in it.
    scratchWords[0] = v;
    scratchWords[1] = v >> 64n;
    for (let i = 0; i < 16; i++) out[at + i] = scratchBytes[i] as number;
    return;
  }
  const low = BigInt.asUintN(64, v);
  const high = v >> 64n;
  putWord32(out, at, Number(BigInt.asUintN(32, low)));
  putWord32(out, at + 4, Number(low >> 32n));
  putWord32(out, at + 8, Number(BigInt.asUintN(32, high)));
  putWord32(out, at + 12, Number(high >> 32n));
}

function putWord32(out: Uint8Array, at: number, word: number): void {
  out[at] = word & 0xff;
  out[at + 1] = (word >>> 8) & 0xff;
  out[at + 2] = (word >>> 16) & 0xff;
  out[at + 3] = word >>> 24;
}

/** `base + delta` as a u128 value; throws `DeltaOverflowError` outside [0, 2^128). */
export function applyDelta(base: StateValue | undefined, delta: bigint): StateValue {
  const value = sumU128(base, delta);
  if (value === undefined)
    throw new DeltaOverflowError(`delta ${delta} takes ${decodeU128(base)} out of u128`);
  return value;
}

/** `StateView.fits` from a value: whether `value` (u128, absent = 0) plus `delta` stays within [0, 2^128). */
export function valueFits(value: StateValue | undefined, delta: bigint): boolean {
  if (addWords(value, delta)) return sumWords[4] === 0;
  const sum = decodeU128(value) + delta;
  return sum >= 0n && sum <= U128_MAX;
}

/**
 * `base + delta` (base: u128 little-endian, absent = 0) as a new 16-byte value, or
 * undefined when the sum leaves [0, 2^128). Both give the same bytes whichever way they
 * are added: in words (`addWords`) or through BigInts.
 */
export function sumU128(base: StateValue | undefined, delta: bigint): StateValue | undefined {
  if (addWords(base, delta)) {
    if (sumWords[4] !== 0) return undefined;
    const out = new Uint8Array(16);
    putWord32(out, 0, sumWords[0] as number);
    putWord32(out, 4, sumWords[1] as number);
    putWord32(out, 8, sumWords[2] as number);
    putWord32(out, 12, sumWords[3] as number);
    return out;
  }
  const sum = decodeU128(base) + delta;
  return sum < 0n || sum > U128_MAX ? undefined : encodeU128(sum);
}

/** `addWords`' result: four 32-bit words, then 0 when the sum is in [0, 2^128) (else 1). */
const sumWords = new Float64Array(5);
const TWO_64 = 1n << 64n;
/** The low 64 bits of a delta, as stored by a BigUint64Array, read as two 32-bit words. */
const deltaWords = new Uint32Array(scratchBytes.buffer);

/**
 * Adds `delta` to `base` in 32-bit words as numbers, every step exact (below 2^34), with no
 * BigInt made (a balance of 10^20 decoded to four, the sum one more, encoding it two): into
 * `sumWords`. Only for a 16-byte (or absent) base and a delta within ±2^64 on a
 * little-endian platform; false (nothing done) otherwise. The delta's low 64 bits come from
 * a BigUint64Array store (its value modulo 2^64); a negative delta is those bits less 2^64,
 * that is -1 in the third word.
 */
function addWords(base: StateValue | undefined, delta: bigint): boolean {
  if (!LITTLE_ENDIAN || (base !== undefined && base.length !== 16) || delta < -TWO_64 || delta >= TWO_64)
    return false;
  scratchWords[0] = delta;
  let w0 = deltaWords[0] as number;
  let w1 = deltaWords[1] as number;
  let w2 = delta < 0n ? -1 : 0;
  let w3 = 0;
  if (base !== undefined) {
    w0 += word32(base, 0);
    w1 += word32(base, 4);
    w2 += word32(base, 8);
    w3 += word32(base, 12);
  }
  let carry = Math.floor(w0 / WORD);
  sumWords[0] = w0 - carry * WORD;
  w1 += carry;
  carry = Math.floor(w1 / WORD);
  sumWords[1] = w1 - carry * WORD;
  w2 += carry;
  carry = Math.floor(w2 / WORD);
  sumWords[2] = w2 - carry * WORD;
  w3 += carry;
  sumWords[3] = w3;
  sumWords[4] = w3 < 0 || w3 >= WORD ? 1 : 0;
  return true;
}
