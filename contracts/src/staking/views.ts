/**
 * The staking contract's read-only methods: pools, a delegation's shares, stake, unbonding
 * coin and rewards, and the active set. Methods of the contract through main.ts.
 */
import { Address, U128 } from "../../sdk/index";
import { noValue } from "./noValue";
import { networkConfigured } from "./params";
import {
  D_REWARD_DEBT,
  D_SHARES,
  delegation,
  earnedPerShare,
  liveShares,
  liveUnbondingShares,
  owed,
  V_REWARD_REMAINDER,
  V_SHARES,
  V_STAKE,
  V_UNBONDING_SHARES,
  V_UNBONDING_STAKE,
  validator,
  WAD,
} from "./pools";
import { queued } from "./unbondingQueue";
import { rankByStake } from "./validatorSet";

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
