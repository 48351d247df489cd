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
 *
 * This file holds set-up (`init`, `register`, ownership) and lists the methods; the rest
 * are in delegation.ts, rewards.ts, slashing.ts, views.ts, network.ts, registry.ts and
 * settings.ts.
 */
import { Address, blockTime, caller, Fields, U128 } from "../../sdk/index";
import * as ownable from "../../sdk/ownable";
import { setOwner } from "../../sdk/ownable";
import { AlreadyRegistered, InvalidCommission, InvalidFraction, Tombstoned } from "./errors.gen";
import { ValidatorRegistered } from "./events.gen";
import { listNew } from "./listing";
import { noValue } from "./noValue";
import {
  blsKeyOf,
  blsKeyUser,
  doubleSignSlot,
  downtimeSlot,
  unbondingPeriodSlot,
  V_COMMISSION,
  V_COMMISSION_CHANGED_AT,
  V_REGISTERED,
  V_TOMBSTONED,
  validatorCount,
  validators,
  WAD,
} from "./pools";
import { checkBlsKey, MAX_COMMISSION_BPS } from "./registry";

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

export { delegate, delegateLocked, redelegate, undelegate, withdraw } from "./delegation";
export { claimRewards, depositReward } from "./rewards";
export { slash, slashDoubleSign, slashDowntime } from "./slashing";
export {
  activeSet,
  owedRewards,
  pendingRewards,
  rewardRemainder,
  sharesOf,
  stakeOf,
  unbondingOf,
  unbondingStake,
  validatorStake,
} from "./views";
