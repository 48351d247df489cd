/**
 * The base fee, EIP-1559 style: each block's base fee follows the previous block's gas
 * use. Above half the gas limit (the target) it rises, below it falls, by at most 1/8 per
 * block, never under the minimum. Envelopes pay base fee + priority fee (capped by their
 * max fee); the base fee part is burned, so block space has a price that no producer can
 * pocket, and the priority fee orders the pool. (A rise is at least 1, so that a base fee
 * of 1 can climb at all.)
 */
export const BASE_FEE_MAX_CHANGE_DENOMINATOR = 8n;

export interface FeeParent {
  baseFee: bigint;
  gasUsed: number;
  gasLimit: number;
}

/** The base fee of the block after `parent`, at least `minimum`. */
export function nextBaseFee(parent: FeeParent, minimum: bigint): bigint {
  const target = BigInt(Math.floor(parent.gasLimit / 2));
  const used = BigInt(parent.gasUsed);
  const base = parent.baseFee < minimum ? minimum : parent.baseFee;
  if (target === 0n || used === target) return base;
  if (used > target) {
    const delta = (base * (used - target)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
    return base + (delta > 0n ? delta : 1n);
  }
  const delta = (base * (target - used)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
  const next = base - delta;
  return next < minimum ? minimum : next;
}
