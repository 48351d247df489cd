/**
 * The staking contract's rewards: a validator's rewards come in (`depositReward`, split
 * between commission and delegators by the reward per share, pools.ts) and a delegator
 * takes what it is owed (`claimRewards`). Methods of the contract through main.ts.
 */
import { Address, caller, callValue, U128 } from "../../sdk/index";
import { pay } from "./delegation";
import { ZeroAmount } from "./errors.gen";
import { RewardDeposited, RewardsClaimed } from "./events.gen";
import { noValue } from "./noValue";
import { creditReward, delegation, owed, resetDebt, settle, validator } from "./pools";

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
