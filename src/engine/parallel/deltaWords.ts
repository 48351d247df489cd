/**
 * Commutative deltas as the multi-version memory stores them: a sign byte and the u128
 * magnitude, little-endian, in the value arena; and the sums of many of them kept in four
 * signed 32-bit limbs held as doubles (`versionList.ts`), one bigint at the end.
 */
import { encodeU128 } from "../deltas.js";

/** Bytes of a stored delta: the sign (1 = negative), then the magnitude. */
export const DELTA_BYTES = 17;
/** Deltas a walk sums in its limbs before folding them into the bigint. */
export const FOLD_STEPS = 1 << 20;
const TWO_32 = 0x100000000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function putWord32(out: Uint8Array, at: number, word: number): void {
  out[at] = word & 0xff;
  out[at + 1] = (word >>> 8) & 0xff;
  out[at + 2] = (word >>> 16) & 0xff;
  out[at + 3] = word >>> 24;
}

/** The little-endian unsigned 32-bit word at `at`. */
export function word32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

/** Writes `delta` at `at` (`DELTA_BYTES`), with no temporary array for amounts below 2^53. */
export function putDelta(values: Uint8Array, at: number, delta: bigint): void {
  values[at] = delta < 0n ? 1 : 0;
  const magnitude = delta < 0n ? -delta : delta;
  if (magnitude <= MAX_SAFE) {
    const n = Number(magnitude);
    putWord32(values, at + 1, n >>> 0);
    putWord32(values, at + 5, Math.floor(n / TWO_32));
    putWord32(values, at + 9, 0);
    putWord32(values, at + 13, 0);
  } else values.set(encodeU128(magnitude), at + 1);
}

/** l0 + l1·2^32 + l2·2^64 + l3·2^96, each limb a signed integer below 2^53 in magnitude. */
export function limbsToBigInt(l0: number, l1: number, l2: number, l3: number): bigint {
  // Most amounts fit 64 bits: l0 + l1·2^32 is exact as a double while below 2^53.
  if (l2 === 0 && l3 === 0 && Math.abs(l1) < 0x100000 && Math.abs(l0) < TWO_32 * 0x100)
    return BigInt(l0 + l1 * TWO_32);
  let sum = BigInt(l0) + (BigInt(l1) << 32n);
  if (l2 !== 0) sum += BigInt(l2) << 64n;
  if (l3 !== 0) sum += BigInt(l3) << 96n;
  return sum;
}
