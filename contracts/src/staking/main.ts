/**
 * Delegated proof-of-stake staking in the native coin.
 *
 * - Validators register with a commission; anyone delegates coin to a validator (sent
 *   with the call) and receives shares of its bonded pool. Undelegating moves the stake
 *   to the validator's unbonding pool, withdrawable after `unbondingPeriod` seconds;
 *   redelegating moves it to another validator at once. A delegation may be locked.
 * - Rewards sent to a validator (`depositReward`) pay the commission to the validator and
 *   the rest to its delegators by reward-per-share accounting: O(1) per action, no loop
 *   over delegators.
 * - Slashing takes a fraction of a validator's bonded pool and of its unbonding pool,
 *   so every delegator (including those unbonding) loses the same fraction. A pool
 *   slashed to nothing ends its generation: its shares are worth nothing and are gone
 *   (each delegation sees it by its generation number, no loop), so a later delegation is
 *   priced 1:1 into an empty pool instead of being shared with worthless shares. Rewards
 *   earned before the slash stay claimable.
 * - The reward per share is 1e18-scaled; what does not divide into it (less than one
 *   unit per share) is carried to the validator's next reward, never lost.
 * - `activeSet(n)`: the n validators with the most bonded stake.
 * - On a validator network (`configureNetwork`, network.ts) it is also the registry of
 *   validators: BLS keys with proofs of possession and commission limits (registry.ts),
 *   the protocol's end-of-block step (downtime, block rewards, the set of each epoch),
 *   double-signing evidence, jail and unjail.
 * - Only `delegate`, `delegateLocked` and `depositReward` take coin; every other method
 *   refuses a call that carries some (`ValueNotAccepted`, noValue.ts).
 */
import { Address, blockTime, caller, callValue, Fields, transferCoin, U128 } from "../../sdk/index";
import * as ownable from "../../sdk/ownable";
import { onlyOwner, setOwner } from "../../sdk/ownable";
import {
  AlreadyRegistered,
  InsufficientShares,
  InvalidCommission,
  InvalidFraction,
  Locked,
  NothingToWithdraw,
  RedelegationDisabled,
  StillUnbonding,
  Tombstoned,
  TransferFailed,
  ZeroAmount,
} from "./errors.gen";
import {
  Delegated,
  DelegationLocked,
  Redelegated,
  RewardDeposited,
  RewardsClaimed,
  Slashed,
  Undelegated,
  ValidatorRegistered,
  Withdrawn,
} from "./events.gen";
import { listNew, relist } from "./listing";
import { noValue } from "./noValue";
import { networkConfigured } from "./params";
import {
  blsKeyOf,
  blsKeyUser,
  creditReward,
  D_LOCKED_UNTIL,
  D_REWARD_DEBT,
  D_SHARES,
  D_UNBONDING_GENERATION,
  D_UNBONDING_SHARES,
  D_UNBONDING_UNTIL,
  delegation,
  doubleSignSlot,
  downtimeSlot,
  earnedPerShare,
  liveShares,
  liveUnbondingShares,
  owed,
  resetDebt,
  settle,
  slashPools,
  unbondingPeriodSlot,
  V_COMMISSION,
  V_COMMISSION_CHANGED_AT,
  V_REGISTERED,
  V_REWARD_REMAINDER,
  V_SHARES,
  V_STAKE,
  V_TOMBSTONED,
  V_UNBONDING_GENERATION,
  V_UNBONDING_SHARES,
  V_UNBONDING_STAKE,
  validator,
  validatorCount,
  validators,
  WAD,
} from "./pools";
import { checkBlsKey, MAX_COMMISSION_BPS } from "./registry";
import { enqueue, queued, withdrawMatured } from "./unbondingQueue";
import { rankByStake } from "./validatorSet";

export {
  blsKey,
  commissionOf,
  configureNetwork,
  currentEpoch,
  endBlock,
  isTombstoned,
  jailedUntil,
  missedBlocks,
  setMembers,
  setPowers,
  slashEquivocation,
  unjail,
  validatorList,
} from "./network";
export { setCommission } from "./registry";
export { setSlashFractions, setUnbondingPeriod, slashFractions, unbondingPeriod } from "./settings";

// The ownership methods of sdk/ownable, each refusing coin first (noValue.ts).

export function owner(): Address {
  noValue();
  return ownable.owner();
}

export function pendingOwner(): Address {
  noValue();
  return ownable.pendingOwner();
}

export function transferOwnership(next: Address): void {
  noValue();
  ownable.transferOwnership(next);
}

export function acceptOwnership(): void {
  noValue();
  ownable.acceptOwnership();
}

/** `doubleSignFraction`, `downtimeFraction`: slashing fractions, 1e18-scaled. */
export function init(unbondingPeriod: u64, doubleSignFraction: U128, downtimeFraction: U128): void {
  noValue();
  if (doubleSignFraction.gt(WAD)) InvalidFraction(doubleSignFraction);
  if (downtimeFraction.gt(WAD)) InvalidFraction(downtimeFraction);
  setOwner(caller());
  unbondingPeriodSlot.set(unbondingPeriod);
  doubleSignSlot.set(doubleSignFraction);
  downtimeSlot.set(downtimeFraction);
  validatorCount.set(0);
}

/**
 * Registers the caller as a validator with `commissionBps` (at most 10,000) and its BLS
 * public key (48 bytes), proven by `pop`: the key's signature of the proof-of-possession
 * message for this chain and the caller (src/codec/bls.ts). A key is registered once.
 */
export function register(commissionBps: u32, blsKey: Uint8Array, pop: Uint8Array): void {
  noValue();
  const v = caller();
  const f = new Fields(validators.keyOf(v));
  if (f.get<bool>(V_TOMBSTONED, false)) Tombstoned(v);
  if (f.get<bool>(V_REGISTERED, false)) AlreadyRegistered(v);
  if (commissionBps > MAX_COMMISSION_BPS) InvalidCommission(commissionBps);
  checkBlsKey(v, blsKey, pop);
  f.set<bool>(V_REGISTERED, true);
  listNew(v, f);
  f.set<U128>(V_COMMISSION, U128.fromU64(commissionBps));
  f.set<u64>(V_COMMISSION_CHANGED_AT, blockTime());
  blsKeyOf.set(v, blsKey);
  blsKeyUser.set(blsKey, v);
  ValidatorRegistered(v, commissionBps);
}

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

/**
 * Rewards for `v` (the coin sent): the commission to the validator, the rest to its
 * delegators pro rata. The per-share accumulator is 1e18-scaled u128: a reward so large
 * against the validator's total shares that it would overflow reverts (`Overflow`), whole.
 * What does not divide (rest × 1e18 plus the carried remainder, modulo the total shares)
 * is carried to the next reward: delegators' accruals plus the remainder always equal
 * what came in.
 */
export function depositReward(v: Address): void {
  const vf = validator(v);
  const amount = callValue();
  if (amount.isZero()) ZeroAmount();
  RewardDeposited(v, amount, creditReward(v, vf, amount));
}

/** Settles the caller's rewards from `v` (if any) and pays everything the caller is owed. */
export function claimRewards(v: Address): U128 {
  noValue();
  const d = caller();
  const vf = validator(v);
  const df = delegation(v, d);
  settle(v, vf, df, d);
  resetDebt(vf, df);
  const amount = owed.get(d, U128.Zero);
  owed.set(d, U128.Zero);
  if (!amount.isZero()) pay(d, amount);
  RewardsClaimed(d, amount);
  return amount;
}

/** Slashes `fraction` (1e18-scaled) of `v`'s bonded and unbonding stake (owner only). */
export function slash(v: Address, fraction: U128): void {
  noValue();
  onlyOwner();
  if (fraction.gt(WAD)) InvalidFraction(fraction);
  const parts = slashPools(v, validator(v), fraction);
  Slashed(v, fraction, parts[0], parts[1]);
}

export function slashDoubleSign(v: Address): void {
  noValue();
  slash(v, doubleSignSlot.get(U128.Zero));
}

export function slashDowntime(v: Address): void {
  noValue();
  slash(v, downtimeSlot.get(U128.Zero));
}

// Views.

export function validatorStake(v: Address): U128 {
  noValue();
  return validator(v).get<U128>(V_STAKE, U128.Zero);
}

export function unbondingStake(v: Address): U128 {
  noValue();
  return validator(v).get<U128>(V_UNBONDING_STAKE, U128.Zero);
}

export function sharesOf(v: Address, d: Address): U128 {
  noValue();
  return liveShares(validator(v), delegation(v, d));
}

/** Stake currently backing `d`'s shares in `v`. */
export function stakeOf(v: Address, d: Address): U128 {
  noValue();
  const vf = validator(v);
  const total = vf.get<U128>(V_SHARES, U128.Zero);
  if (total.isZero()) return U128.Zero;
  return liveShares(vf, delegation(v, d)).mulDiv(vf.get<U128>(V_STAKE, U128.Zero), total);
}

/** Coin `d` is unbonding from `v` (after any slashing). */
export function unbondingOf(v: Address, d: Address): U128 {
  noValue();
  const vf = validator(v);
  if (networkConfigured()) return queued(v, delegation(v, d));
  const total = vf.get<U128>(V_UNBONDING_SHARES, U128.Zero);
  if (total.isZero()) return U128.Zero;
  return liveUnbondingShares(vf, delegation(v, d)).mulDiv(vf.get<U128>(V_UNBONDING_STAKE, U128.Zero), total);
}

/** Rewards `d` would receive from `claimRewards(v)`. */
export function pendingRewards(v: Address, d: Address): U128 {
  noValue();
  const vf = validator(v);
  const df = delegation(v, d);
  const accrued = df.get<U128>(D_SHARES, U128.Zero).mulDiv(earnedPerShare(v, vf, df), WAD);
  const debt = df.get<U128>(D_REWARD_DEBT, U128.Zero);
  const fresh = accrued.gt(debt) ? accrued.sub(debt) : U128.Zero;
  return owed.get(d, U128.Zero).add(fresh);
}

/**
 * Rewards and commission already settled for `d` (by its delegations' changes and, for a
 * validator, the commission of every reward): any `claimRewards` of `d` pays them, with that
 * validator's pending part (`pendingRewards(v, d)` counts them too).
 */
export function owedRewards(d: Address): U128 {
  noValue();
  return owed.get(d, U128.Zero);
}

/** Rewards of `v` carried to its next reward (1e18-scaled: divide by 1e18 for coin). */
export function rewardRemainder(v: Address): U128 {
  noValue();
  return validator(v).get<U128>(V_REWARD_REMAINDER, U128.Zero);
}

/** The `n` validators with the most bonded stake, largest first (ties: earlier registration first). */
export function activeSet(n: u32): Array<Address> {
  noValue();
  return rankByStake(n, false).list;
}

function pay(to: Address, amount: U128): void {
  if (!transferCoin(to, amount)) TransferFailed(to, amount);
}
