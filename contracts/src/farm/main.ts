/**
 * Yield farming in the manner of MasterChef: stake AMM LP tokens in pools, earn a reward
 * token at a rate per second shared between pools by allocation points and within a pool
 * by stake, through a reward per share (pools.ts).
 *
 * - The owner funds the rewards (`fund`: the tokens move in); nothing is minted. The rate
 *   runs only while funds last: the schedule ends when what was funded is spent, so the
 *   rewards emitted never exceed the rewards funded, and the rewards paid never exceed
 *   those emitted (docs/farm.md).
 * - `deposit`, `withdraw` and `emergencyWithdraw` bring the pool up to date (they change its
 *   total stake); `harvest` only reads the pool: it settles the caller at the pool's reward
 *   per share of this second, computed from storage, so harvests by different users write
 *   disjoint keys of the farm.
 * - Rewards a pool earns while nothing is staked in it, or that a user forfeits by an
 *   emergency withdrawal, stay in the farm unpaid.
 * - The farm counts each pool's stake itself: LP tokens sent to it directly change nothing.
 */
import {
  Address,
  blockTime,
  caller,
  selfAddress,
  tokenTransfer,
  tokenTransferFrom,
  U128,
  U256,
} from "../../sdk/index";
import { onlyOwner, setOwner } from "../../sdk/ownable";
import { DuplicatePool, InsufficientStake, TooManyPools, TransferFailed, ZeroAmount } from "./errors.gen";
import {
  AllocPointSet,
  Deposit,
  EmergencyWithdraw,
  Funded,
  Harvest,
  PoolAdded,
  RewardRateSet,
  Withdraw,
} from "./events.gen";
import {
  accAt,
  earned,
  endSlot,
  fundedSlot,
  MAX_POOLS,
  P_ACC,
  P_ALLOC,
  P_LAST,
  P_LP,
  P_TOTAL,
  pool,
  poolCountSlot,
  poolFields,
  poolOfLp,
  rateSlot,
  reschedule,
  rewardTokenSlot,
  S_ACC,
  S_AMOUNT,
  S_OWED,
  settle,
  stake,
  totalAllocSlot,
  unscheduledSlot,
  updateAllPools,
  updatePool,
} from "./pools";

export { acceptOwnership, owner, pendingOwner, transferOwnership } from "../../sdk/ownable";

/** `rewardToken` is paid out at `rewardRate` per second (shared by all pools) once funded. */
export function init(rewardToken: Address, rewardRate: U128): void {
  setOwner(caller());
  rewardTokenSlot.set(rewardToken);
  rateSlot.set(rewardRate);
  endSlot.set(blockTime());
  unscheduledSlot.set(U128.Zero);
  fundedSlot.set(U128.Zero);
  totalAllocSlot.set(0);
  poolCountSlot.set(0);
}

// The owner's calls: each brings every pool up to date first.

/** Adds a pool for `lpToken` with `allocPoint` (0 earns nothing until set); returns its id. */
export function addPool(lpToken: Address, allocPoint: u32): u32 {
  onlyOwner();
  const existing = poolOfLp.get(lpToken, 0);
  if (existing != 0) DuplicatePool(lpToken, existing - 1);
  const pid = poolCountSlot.get(0);
  if (pid >= MAX_POOLS) TooManyPools(MAX_POOLS);
  updateAllPools();
  const pf = poolFields(pid);
  pf.set<Address>(P_LP, lpToken);
  pf.set<u32>(P_ALLOC, allocPoint);
  pf.set<u64>(P_LAST, blockTime());
  poolCountSlot.set(pid + 1);
  poolOfLp.set(lpToken, pid + 1);
  totalAllocSlot.set(totalAllocSlot.get(0) + allocPoint);
  PoolAdded(pid, lpToken, allocPoint);
  return pid;
}

export function setAllocPoint(pid: u32, allocPoint: u32): void {
  onlyOwner();
  const pf = pool(pid);
  updateAllPools();
  const total = totalAllocSlot.get(0) - pf.get<u32>(P_ALLOC, 0) + allocPoint;
  pf.set<u32>(P_ALLOC, allocPoint);
  totalAllocSlot.set(total);
  AllocPointSet(pid, allocPoint, total);
}

/** Changes the rate per second; what is left of the funds is rescheduled at it. */
export function setRewardRate(rate: U128): u64 {
  onlyOwner();
  updateAllPools();
  const end = reschedule(rate, U128.Zero);
  RewardRateSet(rate, end);
  return end;
}

/** Moves `amount` of the reward token from the owner into the farm and extends the schedule; returns its new end. */
export function fund(amount: U128): u64 {
  onlyOwner();
  if (amount.isZero()) ZeroAmount();
  updateAllPools();
  const owner = caller();
  const token = rewardTokenSlot.get(Address.zero());
  const end = reschedule(rateSlot.get(U128.Zero), amount);
  fundedSlot.set(fundedSlot.get(U128.Zero).add(amount));
  pull(token, owner, amount);
  Funded(owner, amount, end);
  return end;
}

// Stakers.

/** Stakes `amount` of the pool's LP token (the caller approved the farm for it). */
export function deposit(pid: u32, amount: U128): void {
  if (amount.isZero()) ZeroAmount();
  const pf = pool(pid);
  const user = caller();
  const sf = stake(pid, user);
  settle(sf, updatePool(pf));
  sf.set<U128>(S_AMOUNT, sf.get<U128>(S_AMOUNT, U128.Zero).add(amount));
  pf.set<U128>(P_TOTAL, pf.get<U128>(P_TOTAL, U128.Zero).add(amount));
  pull(pf.get<Address>(P_LP, Address.zero()), user, amount);
  Deposit(user, pid, amount);
}

/** Unstakes `amount`; the rewards earned so far stay owed to the caller (see `harvest`). */
export function withdraw(pid: u32, amount: U128): void {
  if (amount.isZero()) ZeroAmount();
  const pf = pool(pid);
  const user = caller();
  const sf = stake(pid, user);
  const staked = sf.get<U128>(S_AMOUNT, U128.Zero);
  if (staked.lt(amount)) InsufficientStake(staked, amount);
  settle(sf, updatePool(pf));
  sf.set<U128>(S_AMOUNT, staked.sub(amount));
  pf.set<U128>(P_TOTAL, pf.get<U128>(P_TOTAL, U128.Zero).sub(amount));
  push(pf.get<Address>(P_LP, Address.zero()), user, amount);
  Withdraw(user, pid, amount);
}

/** Pays the caller every reward it has earned in the pool; returns the amount (0 is no error). */
export function harvest(pid: u32): U128 {
  const pf = pool(pid);
  const user = caller();
  const sf = stake(pid, user);
  const amount = settle(sf, accAt(pf, blockTime()));
  if (!amount.isZero()) {
    sf.set<U128>(S_OWED, U128.Zero);
    push(rewardTokenSlot.get(Address.zero()), user, amount);
  }
  Harvest(user, pid, amount);
  return amount;
}

/**
 * Returns the caller's whole stake without touching the reward token; the rewards the
 * stake earned since it was last settled are forfeited (those already settled stay owed).
 */
export function emergencyWithdraw(pid: u32): U128 {
  const pf = pool(pid);
  const user = caller();
  const sf = stake(pid, user);
  const staked = sf.get<U128>(S_AMOUNT, U128.Zero);
  if (staked.isZero()) ZeroAmount();
  const acc = updatePool(pf);
  sf.set<U128>(S_AMOUNT, U128.Zero);
  sf.set<U256>(S_ACC, acc);
  pf.set<U128>(P_TOTAL, pf.get<U128>(P_TOTAL, U128.Zero).sub(staked));
  push(pf.get<Address>(P_LP, Address.zero()), user, staked);
  EmergencyWithdraw(user, pid, staked);
  return staked;
}

function pull(token: Address, from: Address, amount: U128): void {
  const self = selfAddress();
  const result = tokenTransferFrom(token, from, self, amount);
  if (!result.ok || !result.value<bool>()) TransferFailed(token, self, amount);
}

function push(token: Address, to: Address, amount: U128): void {
  if (!tokenTransfer(token, to, amount)) TransferFailed(token, to, amount);
}

// Views.

export function rewardToken(): Address {
  return rewardTokenSlot.get(Address.zero());
}

export function rewardRate(): U128 {
  return rateSlot.get(U128.Zero);
}

/** When the funded schedule ends (seconds): no rewards accrue after it until more is funded. */
export function endTime(): u64 {
  return endSlot.get(0);
}

/** Every reward token the owner has funded. */
export function totalFunded(): U128 {
  return fundedSlot.get(U128.Zero);
}

/** Funded but not yet scheduled (less than one second of the rate; everything while it is 0). */
export function unscheduled(): U128 {
  return unscheduledSlot.get(U128.Zero);
}

export function totalAllocPoint(): u64 {
  return totalAllocSlot.get(0);
}

export function poolCount(): u32 {
  return poolCountSlot.get(0);
}

export function poolLpToken(pid: u32): Address {
  return pool(pid).get<Address>(P_LP, Address.zero());
}

export function poolAllocPoint(pid: u32): u32 {
  return pool(pid).get<u32>(P_ALLOC, 0);
}

export function poolTotalStaked(pid: u32): U128 {
  return pool(pid).get<U128>(P_TOTAL, U128.Zero);
}

/** The pool's reward per share now (1e36-scaled), whether or not it is stored yet. */
export function accRewardPerShare(pid: u32): U256 {
  return accAt(pool(pid), blockTime());
}

/** When the pool's stored reward per share was last brought up to date. */
export function lastRewardTime(pid: u32): u64 {
  return pool(pid).get<u64>(P_LAST, 0);
}

export function stakedOf(pid: u32, user: Address): U128 {
  pool(pid);
  return stake(pid, user).get<U128>(S_AMOUNT, U128.Zero);
}

/** What `harvest(pid)` would pay `user` now. */
export function pendingReward(pid: u32, user: Address): U128 {
  const pf = pool(pid);
  const sf = stake(pid, user);
  return sf.get<U128>(S_OWED, U128.Zero).add(earned(sf, accAt(pf, blockTime())));
}

/** The stored reward per share of the pool (1e36-scaled), for checks and explorers. */
export function storedAccRewardPerShare(pid: u32): U256 {
  return pool(pid).get<U256>(P_ACC, new U256());
}
