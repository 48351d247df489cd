/**
 * The farm's state layout and reward arithmetic.
 *
 * Global (written only by the owner's calls): the reward token, the rate per second, the
 * time the funded schedule ends, what is funded but not scheduled (less than one second
 * of rate), the sum of allocation points. A pool: its LP token, allocation points, total
 * staked, reward per share `acc` (U256, scaled by 1e36) and the time `acc` was last
 * brought up to date. A stake, keyed by (pool, user): amount, the `acc` it was last
 * settled at, and rewards settled but not paid.
 *
 * Between two writes of a pool's `acc` its total stake and every global parameter are
 * constant (a deposit, withdrawal or emergency withdrawal updates the pool first; an owner
 * call updates every pool first), so `acc` at any time t of that segment is a pure
 * function of what is stored: `acc + floor(R(last, t) × 1e36 / total)`, with
 * `R(a, b) = floor(rate × (min(b, end) − min(a, end)) × alloc / totalAlloc)`. A harvest
 * uses that value without storing it, so harvests never write a pool's keys.
 *
 * Bounds (docs/farm.md derives them): emitted ≤ funded; paid ≤ emitted; `acc` stays below
 * funded × 1e36 < 2^248 for any stake ≥ 1 wei; a user's settlement a × Δacc is at most
 * the pool's reward in the segment × 1e36, so it fits in 256 bits.
 */
import {
  Address,
  blockTime,
  Fields,
  StorageMap,
  StorageMap2,
  StorageValue,
  U128,
  U256,
} from "../../sdk/index";
import { ScheduleTooLong, UnknownPool } from "./errors.gen";

/** Reward per share is scaled by 1e36: a pool's rounding loses under total/1e36 units per update. */
export const SCALE = U128.fromU64(1_000_000_000_000_000_000).mul(U128.fromU64(1_000_000_000_000_000_000));
export const MAX_POOLS: u32 = 32;
/** A schedule may not end further than 2^40 seconds (~35,000 years) away. */
export const MAX_DURATION: u64 = (<u64>1) << 40;

export const rewardTokenSlot = new StorageValue<Address>("reward");
export const rateSlot = new StorageValue<U128>("rate");
export const endSlot = new StorageValue<u64>("end");
/** Funded but not scheduled: below one second of the rate (all of it while the rate is 0). */
export const unscheduledSlot = new StorageValue<U128>("unscheduled");
export const fundedSlot = new StorageValue<U128>("funded");
export const totalAllocSlot = new StorageValue<u64>("totalAlloc");
export const poolCountSlot = new StorageValue<u32>("count");
const pools = new StorageMap<u32, bool>("p");
/** pid + 1 of each LP token's pool (0: none). */
export const poolOfLp = new StorageMap<Address, u32>("lp");
const stakes = new StorageMap2<u32, Address, bool>("s");

// Pool fields.
export const P_LP: u8 = 0;
export const P_ALLOC: u8 = 1;
export const P_TOTAL: u8 = 2;
export const P_ACC: u8 = 3;
export const P_LAST: u8 = 4;

// Stake fields.
export const S_AMOUNT: u8 = 0;
export const S_ACC: u8 = 1;
export const S_OWED: u8 = 2;

export function poolFields(pid: u32): Fields {
  return new Fields(pools.keyOf(pid));
}

/** The pool `pid`, or a revert `UnknownPool`. */
export function pool(pid: u32): Fields {
  if (pid >= poolCountSlot.get(0)) UnknownPool(pid);
  return poolFields(pid);
}

export function stake(pid: u32, user: Address): Fields {
  return new Fields(stakes.keyOf(pid, user));
}

/** `a × b` in 256 bits; an overflow reverts (the bounds above keep the farm's products below it). */
export function mulWide(a: U256, b: U128): U256 {
  const low = new U256(a.l0, a.l1).mul128(b);
  const high = new U256(a.l2, a.l3).mul128(b);
  if (high.l2 != 0 || high.l3 != 0) unreachable();
  return low.add(new U256(0, 0, high.l0, high.l1));
}

function toU128(v: U256): U128 {
  if (v.l2 != 0 || v.l3 != 0) unreachable();
  return new U128(v.l0, v.l1);
}

/** The pool's reward from `from` to `to` (seconds): its share of the rate, within the funded schedule. */
export function poolReward(pf: Fields, from: u64, to: u64): U128 {
  const end = endSlot.get(0);
  const a = from < end ? from : end;
  const b = to < end ? to : end;
  const totalAlloc = totalAllocSlot.get(0);
  const alloc = pf.get<u32>(P_ALLOC, 0);
  if (b <= a || alloc == 0 || totalAlloc == 0) return U128.Zero;
  const timed = U256.fromU128(rateSlot.get(U128.Zero)).mul128(U128.fromU64(b - a));
  return toU128(mulWide(timed, U128.fromU64(alloc)).divWide(new U128(totalAlloc, 0)));
}

/** The pool's reward per share at `now`, from what is stored (see the top of this file). */
export function accAt(pf: Fields, now: u64): U256 {
  const acc = pf.get<U256>(P_ACC, new U256());
  const last = pf.get<u64>(P_LAST, 0);
  const total = pf.get<U128>(P_TOTAL, U128.Zero);
  if (now <= last || total.isZero()) return acc;
  const reward = poolReward(pf, last, now);
  if (reward.isZero()) return acc;
  return acc.add(U256.fromU128(reward).mul128(SCALE).divWide(total));
}

/** Brings the pool's `acc` up to now and stores it (before its total stake or a global parameter changes). */
export function updatePool(pf: Fields): U256 {
  const now = blockTime();
  const last = pf.get<u64>(P_LAST, 0);
  if (now <= last) return pf.get<U256>(P_ACC, new U256());
  const acc = accAt(pf, now);
  pf.set<U256>(P_ACC, acc);
  pf.set<u64>(P_LAST, now);
  return acc;
}

export function updateAllPools(): void {
  const count = poolCountSlot.get(0);
  for (let pid: u32 = 0; pid < count; pid++) updatePool(poolFields(pid));
}

/** The rewards a stake earned since it was last settled, at reward per share `acc`. */
export function earned(sf: Fields, acc: U256): U128 {
  const amount = sf.get<U128>(S_AMOUNT, U128.Zero);
  const at = sf.get<U256>(S_ACC, new U256());
  if (amount.isZero() || !at.lt(acc)) return U128.Zero;
  return toU128(mulWide(acc.sub(at), amount).divWide(SCALE));
}

/** Moves what the stake earned up to `acc` into its unpaid rewards; returns them. */
export function settle(sf: Fields, acc: U256): U128 {
  const fresh = earned(sf, acc);
  const owed = sf.get<U128>(S_OWED, U128.Zero);
  if (!sf.get<U256>(S_ACC, new U256()).eq(acc)) sf.set<U256>(S_ACC, acc);
  if (fresh.isZero()) return owed;
  const total = owed.add(fresh);
  sf.set<U128>(S_OWED, total);
  return total;
}

/**
 * Sets the rate to `rate` and schedules what is left (the old rate until the old end, the
 * unscheduled rest, and `added`): the schedule ends when it is spent. The pools must be
 * up to date first.
 */
export function reschedule(rate: U128, added: U128): u64 {
  const now = blockTime();
  const end = endSlot.get(0);
  let left = unscheduledSlot.get(U128.Zero).add(added);
  if (end > now)
    left = left.add(toU128(U256.fromU128(rateSlot.get(U128.Zero)).mul128(U128.fromU64(end - now))));
  rateSlot.set(rate);
  if (rate.isZero()) {
    endSlot.set(now);
    unscheduledSlot.set(left);
    return now;
  }
  const seconds = left.div(rate);
  if (seconds.hi != 0 || seconds.lo > MAX_DURATION) ScheduleTooLong(seconds, MAX_DURATION);
  const newEnd = now + seconds.lo;
  endSlot.set(newEnd);
  unscheduledSlot.set(left.sub(seconds.mul(rate)));
  return newEnd;
}
