/**
 * The staking contract's state layout and pool arithmetic: validator and delegation
 * fields, pool generations (a pool slashed to nothing starts a new one, and shares count
 * only in the generation they were minted in), reward settlement and the reward per share
 * with its carried remainder. The contract's methods (main.ts) are built on these.
 */
import { Address, Fields, StorageMap, StorageMap2, StorageValue, U128, U256 } from "../../sdk/index";
import { NotRegistered } from "./errors.gen";

export const WAD = U128.fromU64(1_000_000_000_000_000_000);
export const MAX_VALIDATORS: u32 = 128;

// Validator fields.
export const V_REGISTERED: u8 = 0;
export const V_COMMISSION: u8 = 1;
export const V_STAKE: u8 = 2;
export const V_SHARES: u8 = 3;
export const V_REWARD_PER_SHARE: u8 = 4;
export const V_UNBONDING_STAKE: u8 = 5;
export const V_UNBONDING_SHARES: u8 = 6;
/** Generation of the bonded pool and of the unbonding pool: a slash to zero starts a new one. */
export const V_GENERATION: u8 = 7;
export const V_UNBONDING_GENERATION: u8 = 8;
/** Rewards not yet in the reward per share, 1e18-scaled (below the total shares). */
export const V_REWARD_REMAINDER: u8 = 9;
/** Jailed until this time (seconds; 0 = not jailed; u64 max = tombstoned, for good). */
export const V_JAILED_UNTIL: u8 = 10;
export const V_TOMBSTONED: u8 = 11;
/** Blocks missed in the downtime window: a bit per height modulo the window, and their count. */
export const V_MISSED_BITS: u8 = 12;
export const V_MISSED_COUNT: u8 = 13;
/** When the commission last changed (seconds). */
export const V_COMMISSION_CHANGED_AT: u8 = 14;
/** The validator's position in registration order (breaks stake ties in the active set). */
export const V_INDEX: u8 = 15;
/**
 * Registered but not in the list `validatorAt` (the registry was full): its delegators keep
 * every action, it is never ranked, and a delegation lists it again (listing.ts).
 */
export const V_UNLISTED: u8 = 16;

// Delegation fields.
export const D_SHARES: u8 = 0;
export const D_REWARD_DEBT: u8 = 1;
export const D_LOCKED_UNTIL: u8 = 2;
export const D_UNBONDING_SHARES: u8 = 3;
export const D_UNBONDING_UNTIL: u8 = 4;
/** The generation of the bonded pool and of the unbonding pool the delegation's shares are in. */
export const D_GENERATION: u8 = 5;
export const D_UNBONDING_GENERATION: u8 = 6;

export const unbondingPeriodSlot = new StorageValue<u64>("unbonding");
export const doubleSignSlot = new StorageValue<U128>("doubleSign");
export const downtimeSlot = new StorageValue<U128>("downtime");
export const validatorCount = new StorageValue<u32>("count");
export const validatorAt = new StorageMap<u32, Address>("at");
export const validators = new StorageMap<Address, bool>("v");
export const delegations = new StorageMap2<Address, Address, bool>("d");
export const owed = new StorageMap<Address, U128>("owed");
/** A validator's 48-byte BLS public key, and which validator registered each key. */
export const blsKeyOf = new StorageMap<Address, Uint8Array>("bls");
export const blsKeyUser = new StorageMap<Uint8Array, Address>("blsUser");
/** A validator's reward per share when one of its bonded pool's generations ended. */
export const finalRewardPerShare = new StorageMap2<Address, u64, U128>("finalRps");

export function validator(v: Address): Fields {
  const f = new Fields(validators.keyOf(v));
  if (!f.get<bool>(V_REGISTERED, false)) NotRegistered(v);
  return f;
}

export function delegation(v: Address, d: Address): Fields {
  return new Fields(delegations.keyOf(v, d));
}

// Pool generations: shares count only in the generation they were minted in.

export function inCurrentGeneration(vf: Fields, df: Fields): bool {
  return df.get<u64>(D_GENERATION, 0) == vf.get<u64>(V_GENERATION, 0);
}

/** A delegation's shares of the bonded pool (none if their generation was slashed to nothing). */
export function liveShares(vf: Fields, df: Fields): U128 {
  return inCurrentGeneration(vf, df) ? df.get<U128>(D_SHARES, U128.Zero) : U128.Zero;
}

/** A delegation's shares of the unbonding pool (none if their generation was slashed to nothing). */
export function liveUnbondingShares(vf: Fields, df: Fields): U128 {
  const current = df.get<u64>(D_UNBONDING_GENERATION, 0) == vf.get<u64>(V_UNBONDING_GENERATION, 0);
  return current ? df.get<U128>(D_UNBONDING_SHARES, U128.Zero) : U128.Zero;
}

/** The reward per share a delegation's shares have earned: their generation's final one if it ended. */
export function earnedPerShare(v: Address, vf: Fields, df: Fields): U128 {
  if (inCurrentGeneration(vf, df)) return vf.get<U128>(V_REWARD_PER_SHARE, U128.Zero);
  return finalRewardPerShare.get(v, df.get<u64>(D_GENERATION, 0), U128.Zero);
}

// Rewards: settle a delegation's pending rewards into what the delegator is owed.

/** Also moves a delegation whose generation ended into the current one, with no shares. */
export function settle(v: Address, vf: Fields, df: Fields, d: Address): void {
  const shares = df.get<U128>(D_SHARES, U128.Zero);
  // No shares (a new delegation, or one fully undelegated) earned nothing: no reads, no division.
  if (!shares.isZero()) {
    const accrued = shares.mulDiv(earnedPerShare(v, vf, df), WAD);
    const debt = df.get<U128>(D_REWARD_DEBT, U128.Zero);
    if (accrued.gt(debt)) owed.set(d, owed.get(d, U128.Zero).add(accrued.sub(debt)));
  }
  if (!inCurrentGeneration(vf, df)) {
    df.set<U128>(D_SHARES, U128.Zero);
    df.set<u64>(D_GENERATION, vf.get<u64>(V_GENERATION, 0));
  }
}

export function resetDebt(vf: Fields, df: Fields): void {
  const shares = df.get<U128>(D_SHARES, U128.Zero);
  df.set<U128>(
    D_REWARD_DEBT,
    shares.isZero() ? U128.Zero : shares.mulDiv(vf.get<U128>(V_REWARD_PER_SHARE, U128.Zero), WAD),
  );
}

/**
 * Spreads `rest` over the bonded pool's `total` shares: rest × 1e18 plus the carried
 * remainder, divided by the shares, raises the reward per share; what does not divide is
 * carried to the next reward. Delegators' accruals plus the remainder always equal what
 * came in. A reward so large that the per-share figure would overflow u128 reverts.
 */
export function addReward(vf: Fields, total: U128, rest: U128): void {
  const scaled = U256.fromU128(rest)
    .mul128(WAD)
    .add(U256.fromU128(vf.get<U128>(V_REWARD_REMAINDER, U128.Zero)));
  const increase = scaled.div128(total);
  const remainder = scaled.sub(U256.fromU128(increase).mul128(total));
  vf.set<U128>(V_REWARD_REMAINDER, new U128(remainder.l0, remainder.l1));
  vf.set<U128>(V_REWARD_PER_SHARE, vf.get<U128>(V_REWARD_PER_SHARE, U128.Zero).add(increase));
}

/**
 * After a slash: a pool left with shares but no stake ends its generation. Its shares
 * are worthless, and pricing a new delegation against them would hand them part of it.
 * The bonded pool's final reward per share is kept, so rewards earned before stay claimable.
 */
export function endEmptyGenerations(v: Address, vf: Fields): void {
  if (vf.get<U128>(V_STAKE, U128.Zero).isZero() && !vf.get<U128>(V_SHARES, U128.Zero).isZero()) {
    const generation = vf.get<u64>(V_GENERATION, 0);
    finalRewardPerShare.set(v, generation, vf.get<U128>(V_REWARD_PER_SHARE, U128.Zero));
    vf.set<u64>(V_GENERATION, generation + 1);
    vf.set<U128>(V_SHARES, U128.Zero);
  }
  const uStake = vf.get<U128>(V_UNBONDING_STAKE, U128.Zero);
  if (uStake.isZero() && !vf.get<U128>(V_UNBONDING_SHARES, U128.Zero).isZero()) {
    vf.set<u64>(V_UNBONDING_GENERATION, vf.get<u64>(V_UNBONDING_GENERATION, 0) + 1);
    vf.set<U128>(V_UNBONDING_SHARES, U128.Zero);
  }
}

/**
 * Credits `amount` of reward (coin already held by the contract) to `v`: the commission
 * to the validator, the rest to its delegators by reward per share. With no delegators
 * the whole reward is the validator's. Returns the commission.
 */
export function creditReward(v: Address, vf: Fields, amount: U128): U128 {
  const total = vf.get<U128>(V_SHARES, U128.Zero);
  let commission = amount.mulDiv(vf.get<U128>(V_COMMISSION, U128.Zero), U128.fromU64(10_000));
  if (total.isZero()) commission = amount;
  const rest = amount.sub(commission);
  if (!rest.isZero()) addReward(vf, total, rest);
  owed.set(v, owed.get(v, U128.Zero).add(commission));
  return commission;
}

/**
 * Takes `fraction` (1e18-scaled) of `v`'s bonded stake and of its unbonding stake, so that
 * stake on its way out pays like stake still bonded; the coin stays in the contract,
 * unspendable: it is burned. Returns the bonded and unbonding amounts taken.
 */
export function slashPools(v: Address, vf: Fields, fraction: U128): U128[] {
  const stake = vf.get<U128>(V_STAKE, U128.Zero);
  const uStake = vf.get<U128>(V_UNBONDING_STAKE, U128.Zero);
  const bonded = stake.mulDiv(fraction, WAD);
  const unbonding = uStake.mulDiv(fraction, WAD);
  vf.set<U128>(V_STAKE, stake.sub(bonded));
  vf.set<U128>(V_UNBONDING_STAKE, uStake.sub(unbonding));
  endEmptyGenerations(v, vf);
  return [bonded, unbonding];
}
