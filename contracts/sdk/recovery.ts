/**
 * Social recovery for accounts controlled by one key: guardians, a threshold and a delay.
 * Guardians approve a new key; once `threshold` of them approved the same key and `delay`
 * seconds passed since the first approval, anyone may complete the recovery, which
 * installs the key through the account's own `install` function. The owner (the account
 * itself) sets guardians and may cancel a pending recovery at any time; rotating the key
 * clears a pending recovery.
 *
 * Errors (declare them in the account's `errors.ts`): `NotSelf(address)`,
 * `NotGuardian(address)`, `BadThreshold(u32,u32)`, `NoRecovery()`,
 * `RecoveryNotReady(u64,u64)`, `NotEnoughApprovals(u32,u32)`. Events (declare them in
 * `events.ts`): `GuardiansSet(address[],u32,u64)`, `RecoveryApproved(indexed address,bytes,u32)`,
 * `RecoveryCancelled()`, `KeyRotated(bytes)`.
 */
import { AbiWriter } from "./abi";
import { Address } from "./address";
import { blockTime, caller } from "./context";
import { keccak256 } from "./crypto";
import { revertWith } from "./errors";
import { emitEvent, topic } from "./events";
import { requireSelf } from "./sessionKeys";
import { StorageMap, StorageValue } from "./storage";

const guardianList = new StorageValue<Array<Address>>("guardians");
const thresholdSlot = new StorageValue<u32>("threshold");
const delaySlot = new StorageValue<u64>("delay");
/** The pending recovery: proposed key, when it started, and a round number that invalidates old approvals. */
const pendingKey = new StorageValue<Uint8Array>("rKey");
const pendingSince = new StorageValue<u64>("rSince");
const round = new StorageValue<u32>("round");
const approvals = new StorageValue<u32>("rCount");
const approvedIn = new StorageMap<Address, u32>("approved");

function event(signature: string, topics: Array<Uint8Array>, data: Uint8Array): void {
  const all: Uint8Array[] = [];
  all.push(keccak256(Uint8Array.wrap(String.UTF8.encode(signature))).bytes);
  for (let i = 0; i < topics.length; i++) all.push(topics[i]);
  emitEvent(all, data);
}

function fail2(name: string, a: u64, b: u64, wide: bool): void {
  const w = new AbiWriter();
  if (wide) {
    w.u64(a);
    w.u64(b);
  } else {
    w.u32(<u32>a);
    w.u32(<u32>b);
  }
  revertWith(name, w.finish());
}

/** Emits `KeyRotated(key)` and clears any pending recovery: call after installing a new key. */
export function keyRotated(key: Uint8Array): void {
  clearRecovery();
  const w = new AbiWriter();
  w.bytes(key);
  event("KeyRotated(bytes)", [], w.finish());
}

/** The account sets its guardians, the approvals needed and the delay (seconds). */
export function setGuardians(guardians: Array<Address>, threshold: u32, delay: u64): void {
  requireSelf();
  if (threshold == 0 || threshold > <u32>guardians.length)
    fail2("BadThreshold", threshold, guardians.length, false);
  guardianList.set(guardians);
  thresholdSlot.set(threshold);
  delaySlot.set(delay);
  clearRecovery();
  const w = new AbiWriter();
  w.write<Array<Address>>(guardians);
  w.u32(threshold);
  w.u64(delay);
  event("GuardiansSet(address[],u32,u64)", [], w.finish());
}

export function guardians(): Array<Address> {
  return guardianList.get([] as Address[]);
}

/** A guardian approves `key` (already checked by the account) as the new key; returns the approvals so far. */
export function approveRecovery(key: Uint8Array): u32 {
  const who = caller();
  const list = guardianList.get([] as Address[]);
  let isGuardian = false;
  for (let i = 0; i < list.length; i++) if (list[i].equals(who)) isGuardian = true;
  if (!isGuardian) {
    const w = new AbiWriter();
    w.address(who);
    revertWith("NotGuardian", w.finish());
  }
  if (!sameBytes(pendingKey.get(new Uint8Array(0)), key)) {
    clearRecovery();
    pendingKey.set(key);
    pendingSince.set(blockTime());
  }
  const current = round.get(0);
  let count = approvals.get(0);
  if (approvedIn.get(who, 0) != current + 1) {
    approvedIn.set(who, current + 1);
    count++;
    approvals.set(count);
  }
  const w = new AbiWriter();
  w.bytes(key);
  w.u32(count);
  const topics: Uint8Array[] = [];
  topics.push(topic<Address>(who));
  event("RecoveryApproved(address,bytes,u32)", topics, w.finish());
  return count;
}

/** Checks that the pending recovery may complete now and returns its key (the account installs it, then calls `keyRotated`). */
export function readyRecovery(): Uint8Array {
  const pending = pendingKey.get(new Uint8Array(0));
  if (pending.length == 0) revertWith("NoRecovery", new Uint8Array(0));
  const count = approvals.get(0);
  const threshold = thresholdSlot.get(0);
  if (count < threshold) fail2("NotEnoughApprovals", count, threshold, false);
  const readyAt = pendingSince.get(0) + delaySlot.get(0);
  const now = blockTime();
  if (now < readyAt) fail2("RecoveryNotReady", readyAt, now, true);
  return pending;
}

/** The account cancels a pending recovery. */
export function cancelRecovery(): void {
  requireSelf();
  if (pendingKey.get(new Uint8Array(0)).length == 0) revertWith("NoRecovery", new Uint8Array(0));
  clearRecovery();
  event("RecoveryCancelled()", [], new Uint8Array(0));
}

function clearRecovery(): void {
  pendingKey.set(new Uint8Array(0));
  approvals.set(0);
  // A new round: approvals recorded under the old one no longer count.
  round.set(round.get(0) + 1);
}

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}
