/**
 * Token vesting: schedules with a cliff and linear release, for sale buyers and team
 * allocations (OpenZeppelin VestingWallet's curve, many schedules in one contract).
 *
 * A schedule of `amount` from `start` over `duration` seconds has vested nothing before
 * `start + cliff`, then `amount × (t − start) / duration` (rounded down), and all of it from
 * `start + duration`. Its creator funds it at creation (a `transferFrom` of the whole
 * amount); anyone may `release` what has vested to the beneficiary. A revocable schedule's
 * creator may `revoke` it: what has vested by then stays the beneficiary's (released now
 * or later), the rest goes back to the creator. Nothing is ever released before it vests,
 * and never more than the amount (the tests check both over random schedules and times).
 *
 * Storage: one `Fields` per schedule (a key per field), so releases of different schedules
 * touch disjoint schedule keys; they do share the contract's balance in the token (one
 * key), and creations share the id counter. Each beneficiary's ids are listed under its own
 * keys (`scheduleCountOf`, `scheduleIdsOf`), so a wallet finds its schedules without a scan.
 */
import {
  Address,
  blockTime,
  caller,
  Fields,
  StorageMap,
  StorageMap2,
  StorageValue,
  selfAddress,
  tokenTransfer,
  tokenTransferFrom,
  U128,
} from "../../sdk/index";
import {
  AlreadyRevoked,
  InvalidSchedule,
  NotCreator,
  NothingToRelease,
  NotRevocable,
  TransferFailed,
  UnknownSchedule,
} from "./errors.gen";
import { Released, Revoked, ScheduleCreated } from "./events.gen";

const tokenSlot = new StorageValue<Address>("token");
const countSlot = new StorageValue<u64>("count");
const schedules = new StorageMap<u64, bool>("s");
/** Each beneficiary's schedule ids, in creation order: its count, and the id at each position. */
const countOf = new StorageMap<Address, u64>("n");
const idAt = new StorageMap2<Address, u64, u64>("i");
/** The most ids `scheduleIdsOf` returns at once. */
const MAX_PAGE: u64 = 256;

const F_BENEFICIARY: u8 = 0;
const F_CREATOR: u8 = 1;
const F_AMOUNT: u8 = 2;
const F_RELEASED: u8 = 3;
const F_START: u8 = 4;
const F_CLIFF: u8 = 5;
const F_DURATION: u8 = 6;
const F_REVOCABLE: u8 = 7;
const F_REVOKED: u8 = 8;

export function init(token_: Address): void {
  if (token_.isZero()) InvalidSchedule("the token is the zero address");
  tokenSlot.set(token_);
}

export function token(): Address {
  return tokenSlot.get(Address.zero());
}

/** How many schedules were created (ids are 0 to count − 1). */
export function scheduleCount(): u64 {
  return countSlot.get(0);
}

/** How many schedules name `beneficiary`. */
export function scheduleCountOf(beneficiary: Address): u64 {
  return countOf.get(beneficiary, 0);
}

/** The ids of `beneficiary`'s schedules from position `from` (creation order), at most `count` (and 256). */
export function scheduleIdsOf(beneficiary: Address, from: u64, count: u64): Array<u64> {
  const total = countOf.get(beneficiary, 0);
  const ids: u64[] = [];
  if (from >= total) return ids;
  let end = total - from < count ? total : from + count;
  if (end - from > MAX_PAGE) end = from + MAX_PAGE;
  for (let i = from; i < end; i++) ids.push(idAt.get(beneficiary, i, 0));
  return ids;
}

function schedule(id: u64): Fields {
  if (id >= countSlot.get(0)) UnknownSchedule(id);
  return new Fields(schedules.keyOf(id));
}

/**
 * Creates a schedule for `beneficiary`, funded by the caller with `amount` of the token
 * (approve this contract first); returns its id.
 */
export function createSchedule(
  beneficiary: Address,
  amount: U128,
  start: u64,
  cliff: u64,
  duration: u64,
  revocable: bool,
): u64 {
  if (beneficiary.isZero()) InvalidSchedule("the beneficiary is the zero address");
  if (amount.isZero()) InvalidSchedule("the amount is zero");
  if (duration == 0) InvalidSchedule("the duration is zero");
  if (cliff > duration) InvalidSchedule("the cliff is longer than the duration");
  if (start > u64.MAX_VALUE - duration) InvalidSchedule("start + duration overflows");
  const creator = caller();
  const token_ = tokenSlot.get(Address.zero());
  if (!tokenTransferFrom(token_, creator, selfAddress(), amount).ok)
    TransferFailed(token_, selfAddress(), amount);
  const id = countSlot.get(0);
  countSlot.set(id + 1);
  const s = new Fields(schedules.keyOf(id));
  s.set<Address>(F_BENEFICIARY, beneficiary);
  s.set<Address>(F_CREATOR, creator);
  s.set<U128>(F_AMOUNT, amount);
  s.set<u64>(F_START, start);
  s.set<u64>(F_CLIFF, cliff);
  s.set<u64>(F_DURATION, duration);
  s.set<bool>(F_REVOCABLE, revocable);
  const mine = countOf.get(beneficiary, 0);
  idAt.set(beneficiary, mine, id);
  countOf.set(beneficiary, mine + 1);
  ScheduleCreated(id, beneficiary, creator, amount, start, cliff, duration, revocable);
  return id;
}

function vestedAt(s: Fields, time: u64): U128 {
  const amount = s.get<U128>(F_AMOUNT, U128.Zero);
  const start = s.get<u64>(F_START, 0);
  const duration = s.get<u64>(F_DURATION, 1);
  if (time < start + s.get<u64>(F_CLIFF, 0)) return U128.Zero;
  if (time >= start + duration) return amount;
  return amount.mulDiv(U128.fromU64(time - start), U128.fromU64(duration));
}

/** What schedule `id` has vested by `time` (seconds); after a revocation, at most what had vested then. */
export function vestedAmount(id: u64, time: u64): U128 {
  return vestedAt(schedule(id), time);
}

/** What can be released now. */
export function releasable(id: u64): U128 {
  const s = schedule(id);
  return vestedAt(s, blockTime()).sub(s.get<U128>(F_RELEASED, U128.Zero));
}

export function released(id: u64): U128 {
  return schedule(id).get<U128>(F_RELEASED, U128.Zero);
}

export function beneficiaryOf(id: u64): Address {
  return schedule(id).get<Address>(F_BENEFICIARY, Address.zero());
}

export function amountOf(id: u64): U128 {
  return schedule(id).get<U128>(F_AMOUNT, U128.Zero);
}

/** When schedule `id` starts (seconds); a revoked schedule reads 0, with a cliff of 0 and a duration of 1. */
export function startOf(id: u64): u64 {
  return schedule(id).get<u64>(F_START, 0);
}

export function cliffOf(id: u64): u64 {
  return schedule(id).get<u64>(F_CLIFF, 0);
}

export function durationOf(id: u64): u64 {
  return schedule(id).get<u64>(F_DURATION, 1);
}

export function creatorOf(id: u64): Address {
  return schedule(id).get<Address>(F_CREATOR, Address.zero());
}

export function revoked(id: u64): bool {
  return schedule(id).get<bool>(F_REVOKED, false);
}

/** Pays what has vested of schedule `id` to its beneficiary (anyone may send it); returns the amount. */
export function release(id: u64): U128 {
  const s = schedule(id);
  const done = s.get<U128>(F_RELEASED, U128.Zero);
  const amount = vestedAt(s, blockTime()).sub(done);
  if (amount.isZero()) NothingToRelease(id);
  s.set<U128>(F_RELEASED, done.add(amount));
  const to = s.get<Address>(F_BENEFICIARY, Address.zero());
  const token_ = tokenSlot.get(Address.zero());
  if (!tokenTransfer(token_, to, amount)) TransferFailed(token_, to, amount);
  Released(id, to, amount);
  return amount;
}

/**
 * The creator ends a revocable schedule: it keeps what has vested by now (its amount becomes
 * that, fully vested), and the rest goes back to the creator; returns the refund.
 */
export function revoke(id: u64): U128 {
  const s = schedule(id);
  const who = caller();
  if (!who.equals(s.get<Address>(F_CREATOR, Address.zero()))) NotCreator(id, who);
  if (!s.get<bool>(F_REVOCABLE, false)) NotRevocable(id);
  if (s.get<bool>(F_REVOKED, false)) AlreadyRevoked(id);
  const now = blockTime();
  const vested = vestedAt(s, now);
  const refund = s.get<U128>(F_AMOUNT, U128.Zero).sub(vested);
  s.set<bool>(F_REVOKED, true);
  // From now on the schedule is `vested`, all of it vested at once.
  s.set<U128>(F_AMOUNT, vested);
  s.set<u64>(F_START, 0);
  s.set<u64>(F_CLIFF, 0);
  s.set<u64>(F_DURATION, 1);
  if (!refund.isZero() && !tokenTransfer(tokenSlot.get(Address.zero()), who, refund))
    TransferFailed(tokenSlot.get(Address.zero()), who, refund);
  Revoked(id, refund);
  return refund;
}
