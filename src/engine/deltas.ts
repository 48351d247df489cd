/**
 * Commutative deltas on u128 little-endian numbers (balances). Applying the deltas of
 * several transactions in any order gives the same sum, so the engine can apply them at
 * block end instead of making every transaction depend on the previous one.
 */
import type { StateValue } from "../state/keys.js";

const U128_MAX = (1n << 128n) - 1n;

/** Thrown when a delta would take a number below zero or past u128: an engine/chain bug. */
export class DeltaOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeltaOverflowError";
  }
}

export function decodeU128(value: StateValue | undefined): bigint {
  if (value === undefined) return 0n;
  let v = 0n;
  for (let i = value.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(value[i] as number);
  return v;
}

export function encodeU128(amount: bigint): StateValue {
  const out = new Uint8Array(16);
  let v = amount;
  for (let i = 0; i < 16; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** `base + delta` as a u128 value; throws `DeltaOverflowError` outside [0, 2^128). */
export function applyDelta(base: StateValue | undefined, delta: bigint): StateValue {
  const sum = decodeU128(base) + delta;
  if (sum < 0n || sum > U128_MAX)
    throw new DeltaOverflowError(`delta ${delta} takes ${decodeU128(base)} out of u128`);
  return encodeU128(sum);
}
