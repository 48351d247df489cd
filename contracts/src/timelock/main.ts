/**
 * A timelock in the manner of Compound's Timelock: the admin (a governor) queues calls
 * that may run only from their time (`eta`, at least `delay` seconds ahead) and within a
 * grace period after it, executes them, or cancels them. Its own settings (the delay, the
 * admin) change only through an operation it executes, so they too wait for the delay.
 * Whatever the timelock owns (the DeFi suite's parameters in the dev genesis) is thereby
 * changed only in the open, after a delay.
 *
 * An operation is (target, value, method, args, eta); its id is keccak256 of their ABI
 * encoding. A call Weft-style names its method and its ABI-encoded args, not calldata.
 * The VM refuses a contract calling itself (reentrancy), so an operation whose target is
 * the timelock runs its own `setDelay(u64)` or `setPendingAdmin(address)` directly.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  Bytes32,
  blockTime,
  callContract,
  caller,
  keccak256,
  StorageMap,
  StorageValue,
  selfAddress,
  U128,
} from "../../sdk/index";
import {
  AlreadyQueued,
  DelayOutOfRange,
  EtaTooSoon,
  ExecutionFailed,
  NotAdmin,
  NotPendingAdmin,
  NotQueued,
  NotReady,
  Stale,
  UnknownOwnMethod,
} from "./errors.gen";
import { AdminChanged, Cancelled, DelayChanged, Executed, PendingAdminSet, Queued } from "./events.gen";

/** Compound bounds the delay to 2-30 days; here 1 second (a dev chain shows it in a test) to 30 days, with 14 days of grace. */
export const MINIMUM_DELAY: u64 = 1;
export const MAXIMUM_DELAY: u64 = 30 * 24 * 3600;
export const GRACE_PERIOD: u64 = 14 * 24 * 3600;

const adminSlot = new StorageValue<Address>("admin");
const pendingSlot = new StorageValue<Address>("pending");
const delaySlot = new StorageValue<u64>("delay");
/** Queued operations: id → true. */
const queued = new StorageMap<Bytes32, bool>("q");

export function init(admin_: Address, delay_: u64): void {
  checkDelay(delay_);
  adminSlot.set(admin_);
  delaySlot.set(delay_);
  AdminChanged(Address.zero(), admin_);
}

function checkDelay(d: u64): void {
  if (d < MINIMUM_DELAY || d > MAXIMUM_DELAY) DelayOutOfRange(d, MINIMUM_DELAY, MAXIMUM_DELAY);
}

export function admin(): Address {
  return adminSlot.get(Address.zero());
}

export function pendingAdmin(): Address {
  return pendingSlot.get(Address.zero());
}

export function delay(): u64 {
  return delaySlot.get(0);
}

export function gracePeriod(): u64 {
  return GRACE_PERIOD;
}

/** The id of an operation: keccak256 of (target, value, method, args, eta) ABI-encoded. */
export function operationId(
  target: Address,
  value: U128,
  method: string,
  args: Uint8Array,
  eta: u64,
): Bytes32 {
  const w = new AbiWriter();
  w.address(target);
  w.u128(value);
  w.string(method);
  w.bytes(args);
  w.u64(eta);
  return keccak256(w.finish());
}

export function isQueued(id: Bytes32): bool {
  return queued.get(id, false);
}

function onlyAdmin(): void {
  const who = caller();
  if (!who.equals(adminSlot.get(Address.zero()))) NotAdmin(who);
}

/** Queues a call to run from `eta`, at least `delay` seconds from now; returns its id. */
export function queue(target: Address, value: U128, method: string, args: Uint8Array, eta: u64): Bytes32 {
  onlyAdmin();
  const earliest = blockTime() + delaySlot.get(0);
  if (eta < earliest) EtaTooSoon(eta, earliest);
  const id = operationId(target, value, method, args, eta);
  if (queued.get(id, false)) AlreadyQueued(id);
  queued.set(id, true);
  Queued(id, target, value, method, args, eta);
  return id;
}

/** Cancels a queued operation. */
export function cancel(target: Address, value: U128, method: string, args: Uint8Array, eta: u64): void {
  onlyAdmin();
  const id = operationId(target, value, method, args, eta);
  if (!queued.get(id, false)) NotQueued(id);
  queued.delete(id);
  Cancelled(id);
}

/**
 * Runs a queued operation once its time has come and before its grace period ends, with
 * `value` of the timelock's coin; a failed call reverts with `ExecutionFailed` and leaves it
 * queued. Returns what the call returned.
 */
export function execute(
  target: Address,
  value: U128,
  method: string,
  args: Uint8Array,
  eta: u64,
): Uint8Array {
  onlyAdmin();
  const id = operationId(target, value, method, args, eta);
  if (!queued.get(id, false)) NotQueued(id);
  const now = blockTime();
  if (now < eta) NotReady(id, eta, now);
  if (now > eta + GRACE_PERIOD) Stale(id, eta, eta + GRACE_PERIOD);
  queued.delete(id);
  if (target.equals(selfAddress())) {
    ownOperation(method, args);
    Executed(id, target, method);
    return new Uint8Array(0);
  }
  const result = callContract(target, method, args, value);
  if (!result.ok) ExecutionFailed(id, result.data);
  Executed(id, target, method);
  return result.data;
}

/** An operation on the timelock itself: a new delay, or the next admin (who must accept). */
function ownOperation(method: string, args: Uint8Array): void {
  const r = new AbiReader(args);
  if (method == "setDelay") {
    const next = r.read<u64>();
    r.finish();
    checkDelay(next);
    DelayChanged(delaySlot.get(0), next);
    delaySlot.set(next);
  } else if (method == "setPendingAdmin") {
    const pending = r.read<Address>();
    r.finish();
    pendingSlot.set(pending);
    PendingAdminSet(pending);
  } else UnknownOwnMethod(method);
}

/** The pending admin takes over. */
export function acceptAdmin(): void {
  const who = caller();
  if (!who.equals(pendingSlot.get(Address.zero())) || who.isZero()) NotPendingAdmin(who);
  AdminChanged(adminSlot.get(Address.zero()), who);
  adminSlot.set(who);
  pendingSlot.set(Address.zero());
}
