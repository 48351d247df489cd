/**
 * The staking contract's delegations: bonding coin into a validator's pool for shares
 * (`delegate`, `delegateLocked`, the second half of `redelegate`), unbonding shares back to
 * stake (`undelegate`, the first half of `redelegate`) and paying out unbonded stake once
 * its period is over (`withdraw`). Each change settles the delegation's rewards first
 * (pools.ts). Methods of the contract through main.ts.
 */
import { Address, blockTime, caller, callValue, Fields, transferCoin, U128 } from "../../sdk/index";
import {
  InsufficientShares,
  Locked,
  NothingToWithdraw,
  RedelegationDisabled,
  StillUnbonding,
  TransferFailed,
  ZeroAmount,
} from "./errors.gen";
import { Delegated, DelegationLocked, Redelegated, Undelegated, Withdrawn } from "./events.gen";
import { relist } from "./listing";
import { noValue } from "./noValue";
import { networkConfigured } from "./params";
import {
  D_LOCKED_UNTIL,
  D_SHARES,
  D_UNBONDING_GENERATION,
  D_UNBONDING_SHARES,
  D_UNBONDING_UNTIL,
  delegation,
  liveUnbondingShares,
  resetDebt,
  settle,
  unbondingPeriodSlot,
  V_SHARES,
  V_STAKE,
  V_UNBONDING_GENERATION,
  V_UNBONDING_SHARES,
  V_UNBONDING_STAKE,
  validator,
} from "./pools";
import { enqueue, withdrawMatured } from "./unbondingQueue";

function bond(v: Address, vf: Fields, d: Address, amount: U128): U128 {
  const df = delegation(v, d);
  settle(v, vf, df, d);
  const stake = vf.get<U128>(V_STAKE, U128.Zero);
  const total = vf.get<U128>(V_SHARES, U128.Zero);
  const shares = total.isZero() || stake.isZero() ? amount : amount.mulDiv(total, stake);
  if (shares.isZero()) ZeroAmount();
  vf.set<U128>(V_STAKE, stake.add(amount));
  vf.set<U128>(V_SHARES, total.add(shares));
  df.set<U128>(D_SHARES, df.get<U128>(D_SHARES, U128.Zero).add(shares));
  resetDebt(vf, df);
  relist(v, vf, stake.add(amount));
  Delegated(v, d, amount, shares);
  return shares;
}

/** Removes `shares` of `d`'s delegation to `v` from the bonded pool; returns their stake. */
function unbond(v: Address, vf: Fields, d: Address, shares: U128): U128 {
  if (shares.isZero()) ZeroAmount();
  const df = delegation(v, d);
  const now = blockTime();
  const lockedUntil = df.get<u64>(D_LOCKED_UNTIL, 0);
  if (now < lockedUntil) Locked(lockedUntil, now);
  settle(v, vf, df, d);
  const held = df.get<U128>(D_SHARES, U128.Zero);
  if (held.lt(shares)) InsufficientShares(held, shares);
  const stake = vf.get<U128>(V_STAKE, U128.Zero);
  const total = vf.get<U128>(V_SHARES, U128.Zero);
  const amount = shares.mulDiv(stake, total);
  vf.set<U128>(V_STAKE, stake.sub(amount));
  vf.set<U128>(V_SHARES, total.sub(shares));
  df.set<U128>(D_SHARES, held.sub(shares));
  resetDebt(vf, df);
  return amount;
}

/** Delegates the coin sent with the call to `v`; returns the shares received. */
export function delegate(v: Address): U128 {
  const amount = callValue();
  if (amount.isZero()) ZeroAmount();
  return bond(v, validator(v), caller(), amount);
}

/** Like `delegate`, and locks the whole delegation until `until` (seconds). */
export function delegateLocked(v: Address, until: u64): U128 {
  const shares = delegate(v);
  const df = delegation(v, caller());
  if (until > df.get<u64>(D_LOCKED_UNTIL, 0)) {
    df.set<u64>(D_LOCKED_UNTIL, until);
    DelegationLocked(v, caller(), until);
  }
  return shares;
}

/**
 * Starts unbonding `shares` of the caller's delegation to `v`; returns when it completes.
 * On a validator network it is an entry of the delegation's queue (unbondingQueue.ts).
 */
export function undelegate(v: Address, shares: U128): u64 {
  noValue();
  const vf = validator(v);
  const d = caller();
  const amount = unbond(v, vf, d, shares);
  if (networkConfigured()) {
    const at = enqueue(v, vf, delegation(v, d), amount);
    Undelegated(v, d, amount, at);
    return at;
  }
  const uStake = vf.get<U128>(V_UNBONDING_STAKE, U128.Zero);
  const uTotal = vf.get<U128>(V_UNBONDING_SHARES, U128.Zero);
  const uShares = uTotal.isZero() || uStake.isZero() ? amount : amount.mulDiv(uTotal, uStake);
  vf.set<U128>(V_UNBONDING_STAKE, uStake.add(amount));
  vf.set<U128>(V_UNBONDING_SHARES, uTotal.add(uShares));
  const df = delegation(v, d);
  df.set<U128>(D_UNBONDING_SHARES, liveUnbondingShares(vf, df).add(uShares));
  df.set<u64>(D_UNBONDING_GENERATION, vf.get<u64>(V_UNBONDING_GENERATION, 0));
  const completesAt = blockTime() + unbondingPeriodSlot.get(0);
  df.set<u64>(D_UNBONDING_UNTIL, completesAt);
  Undelegated(v, d, amount, completesAt);
  return completesAt;
}

/** Moves `shares` of the caller's delegation from `from` to `to` at once (no unbonding). */
export function redelegate(from: Address, to: Address, shares: U128): U128 {
  noValue();
  // On a validator network stake must unbond: an instant move would escape a slash for
  // an infraction whose evidence has not arrived yet.
  if (networkConfigured()) RedelegationDisabled();
  const d = caller();
  const amount = unbond(from, validator(from), d, shares);
  Redelegated(from, to, d, amount);
  return bond(to, validator(to), d, amount);
}

/**
 * Pays out the caller's unbonded stake from `v` once its unbonding period is over (on a
 * validator network: every entry of the queue whose period is over).
 */
export function withdraw(v: Address): U128 {
  noValue();
  const vf = validator(v);
  const d = caller();
  const df = delegation(v, d);
  if (networkConfigured()) {
    const paid = withdrawMatured(v, vf, df);
    pay(d, paid);
    Withdrawn(v, d, paid);
    return paid;
  }
  const uShares = liveUnbondingShares(vf, df);
  if (uShares.isZero()) NothingToWithdraw();
  const until = df.get<u64>(D_UNBONDING_UNTIL, 0);
  const now = blockTime();
  if (now < until) StillUnbonding(until, now);
  const uStake = vf.get<U128>(V_UNBONDING_STAKE, U128.Zero);
  const uTotal = vf.get<U128>(V_UNBONDING_SHARES, U128.Zero);
  const amount = uShares.mulDiv(uStake, uTotal);
  vf.set<U128>(V_UNBONDING_STAKE, uStake.sub(amount));
  vf.set<U128>(V_UNBONDING_SHARES, uTotal.sub(uShares));
  df.set<U128>(D_UNBONDING_SHARES, U128.Zero);
  pay(d, amount);
  Withdrawn(v, d, amount);
  return amount;
}

/** Sends `amount` of coin to `to`; reverts `TransferFailed` if the transfer is refused. */
export function pay(to: Address, amount: U128): void {
  if (!transferCoin(to, amount)) TransferFailed(to, amount);
}
