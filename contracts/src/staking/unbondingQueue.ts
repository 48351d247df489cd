/**
 * Unbonding on a validator network: each delegation has a queue of at most
 * `MAX_UNBONDING_ENTRIES` entries, and each entry holds shares of the pool of the block
 * height it was made at (one pool per validator and height). A slash for an infraction at
 * height h takes its fraction from the pools of heights h .. now only: stake that was
 * still bonded when the infraction happened pays for it even if it has started to leave,
 * and stake that had already left does not. The loop over heights is bounded by the
 * evidence age (`configureNetwork` caps it at `MAX_EVIDENCE_AGE`). Without a network the
 * contract keeps its single unbonding pool per validator (delegation.ts).
 *
 * An entry is withdrawable once its unbonding period is over (`withdraw` pays every such
 * entry and keeps the others in order). `V_UNBONDING_STAKE` stays the validator's total.
 */
import { Address, blockHeight, blockTime, Fields, StorageMap2, U128 } from "../../sdk/index";
import { NothingToWithdraw, StillUnbonding, TooManyUnbondings } from "./errors.gen";
import { endEmptyGenerations, unbondingPeriodSlot, V_STAKE, V_UNBONDING_STAKE, WAD } from "./pools";

export const MAX_UNBONDING_ENTRIES: u32 = 7;
/** The longest evidence age (blocks) a network may set: it bounds the slash's loop over heights. */
export const MAX_EVIDENCE_AGE: u64 = 10_000;
const D_QUEUE_LENGTH: u8 = 7;
/** Entry i's fields: height at 16 + 3i, shares at 17 + 3i, withdrawable time at 18 + 3i. */
const ENTRY_BASE: u8 = 16;

export const poolStake = new StorageMap2<Address, u64, U128>("ubStake");
export const poolShares = new StorageMap2<Address, u64, U128>("ubShares");

function heightField(i: u32): u8 {
  return ENTRY_BASE + <u8>(3 * i);
}

function sharesField(i: u32): u8 {
  return ENTRY_BASE + 1 + <u8>(3 * i);
}

function untilField(i: u32): u8 {
  return ENTRY_BASE + 2 + <u8>(3 * i);
}

/** Puts `amount` (already out of the bonded pool) in this height's pool; returns when it can be withdrawn. */
export function enqueue(v: Address, vf: Fields, df: Fields, amount: U128): u64 {
  const height = blockHeight();
  const stake = poolStake.get(v, height, U128.Zero);
  const total = poolShares.get(v, height, U128.Zero);
  const shares = total.isZero() || stake.isZero() ? amount : amount.mulDiv(total, stake);
  poolStake.set(v, height, stake.add(amount));
  poolShares.set(v, height, total.add(shares));
  vf.set<U128>(V_UNBONDING_STAKE, vf.get<U128>(V_UNBONDING_STAKE, U128.Zero).add(amount));
  const completesAt = blockTime() + unbondingPeriodSlot.get(0);
  const length = df.get<u32>(D_QUEUE_LENGTH, 0);
  let at = length;
  for (let i: u32 = 0; i < length; i++) if (df.get<u64>(heightField(i), 0) == height) at = i;
  if (at == length) {
    if (length >= MAX_UNBONDING_ENTRIES) TooManyUnbondings(MAX_UNBONDING_ENTRIES);
    df.set<u32>(D_QUEUE_LENGTH, length + 1);
    df.set<u64>(heightField(at), height);
  }
  df.set<U128>(sharesField(at), df.get<U128>(sharesField(at), U128.Zero).add(shares));
  df.set<u64>(untilField(at), completesAt);
  return completesAt;
}

function entryValue(v: Address, height: u64, shares: U128): U128 {
  const total = poolShares.get(v, height, U128.Zero);
  if (total.isZero()) return U128.Zero;
  return shares.mulDiv(poolStake.get(v, height, U128.Zero), total);
}

/** Pays out every entry whose unbonding period is over; returns the amount (reverts if none is). */
export function withdrawMatured(v: Address, vf: Fields, df: Fields): U128 {
  const length = df.get<u32>(D_QUEUE_LENGTH, 0);
  if (length == 0) NothingToWithdraw();
  const now = blockTime();
  let paid = U128.Zero;
  let kept: u32 = 0;
  let earliest: u64 = u64.MAX_VALUE;
  for (let i: u32 = 0; i < length; i++) {
    const height = df.get<u64>(heightField(i), 0);
    const shares = df.get<U128>(sharesField(i), U128.Zero);
    const until = df.get<u64>(untilField(i), 0);
    if (now < until) {
      if (until < earliest) earliest = until;
      if (kept != i) {
        df.set<u64>(heightField(kept), height);
        df.set<U128>(sharesField(kept), shares);
        df.set<u64>(untilField(kept), until);
      }
      kept++;
      continue;
    }
    const amount = entryValue(v, height, shares);
    const total = poolShares.get(v, height, U128.Zero);
    if (total.eq(shares)) {
      poolStake.delete(v, height);
      poolShares.delete(v, height);
    } else {
      poolStake.set(v, height, poolStake.get(v, height, U128.Zero).sub(amount));
      poolShares.set(v, height, total.sub(shares));
    }
    paid = paid.add(amount);
  }
  if (kept == length) StillUnbonding(earliest, now);
  for (let i = kept; i < length; i++) {
    df.delete(heightField(i));
    df.delete(sharesField(i));
    df.delete(untilField(i));
  }
  df.set<u32>(D_QUEUE_LENGTH, kept);
  vf.set<U128>(V_UNBONDING_STAKE, vf.get<U128>(V_UNBONDING_STAKE, U128.Zero).sub(paid));
  return paid;
}

/** What a delegation's queue is worth now (after slashes). */
export function queued(v: Address, df: Fields): U128 {
  const length = df.get<u32>(D_QUEUE_LENGTH, 0);
  let sum = U128.Zero;
  for (let i: u32 = 0; i < length; i++)
    sum = sum.add(entryValue(v, df.get<u64>(heightField(i), 0), df.get<U128>(sharesField(i), U128.Zero)));
  return sum;
}

/** Slashes `fraction` of the pools made at heights `from` .. now; returns the amount taken. */
export function slashQueue(v: Address, vf: Fields, from: u64, fraction: U128): U128 {
  const now = blockHeight();
  let taken = U128.Zero;
  for (let h = from; h <= now; h++) {
    const stake = poolStake.get(v, h, U128.Zero);
    if (stake.isZero()) continue;
    const cut = stake.mulDiv(fraction, WAD);
    poolStake.set(v, h, stake.sub(cut));
    taken = taken.add(cut);
  }
  vf.set<U128>(V_UNBONDING_STAKE, vf.get<U128>(V_UNBONDING_STAKE, U128.Zero).sub(taken));
  return taken;
}

/**
 * A network slash for an infraction at height `from`: `fraction` of the bonded stake and
 * of the unbonding made since `from`. Returns the bonded and unbonding amounts taken.
 */
export function slashValidator(v: Address, vf: Fields, fraction: U128, from: u64): U128[] {
  const stake = vf.get<U128>(V_STAKE, U128.Zero);
  const bonded = stake.mulDiv(fraction, WAD);
  vf.set<U128>(V_STAKE, stake.sub(bonded));
  endEmptyGenerations(v, vf);
  return [bonded, slashQueue(v, vf, from, fraction)];
}
