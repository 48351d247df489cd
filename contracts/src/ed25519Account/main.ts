/**
 * An account controlled by one ed25519 key, with key rotation and social recovery.
 *
 * - Validation (run by the protocol in restricted mode): the authorisation must be the
 *   key's signature of the transaction's signing hash.
 * - The account itself (a call in one of its own transactions) may rotate the key, set
 *   guardians with a threshold and a delay, and cancel a pending recovery.
 * - Guardians approve a new key; once `threshold` of them approved the same key and
 *   `delay` seconds passed since the first approval, anyone may complete the recovery.
 */
import {
  Address,
  Bytes32,
  blockTime,
  caller,
  revokeSession as dropSession,
  ed25519Verify,
  requireSelf,
  SESSION_AUTH_BYTES,
  StorageMap,
  StorageValue,
  sessionSpent as spentOf,
  grantSession as storeSession,
  U128,
  VALID_FOREVER,
  validateSession,
} from "../../sdk/index";
import {
  BadPublicKey,
  BadThreshold,
  NoRecovery,
  NotEnoughApprovals,
  NotGuardian,
  RecoveryNotReady,
} from "./errors.gen";
import { GuardiansSet, KeyRotated, RecoveryApproved, RecoveryCancelled } from "./events.gen";

const keySlot = new StorageValue<Uint8Array>("key");
const guardianList = new StorageValue<Array<Address>>("guardians");
const thresholdSlot = new StorageValue<u32>("threshold");
const delaySlot = new StorageValue<u64>("delay");
/** The pending recovery: proposed key, when it started, and a round number that invalidates old approvals. */
const pendingKey = new StorageValue<Uint8Array>("rKey");
const pendingSince = new StorageValue<u64>("rSince");
const round = new StorageValue<u32>("round");
const approvals = new StorageValue<u32>("rCount");
const approvedIn = new StorageMap<Address, u32>("approved");

/** `publicKey`: the 32-byte ed25519 public key that controls the account. */
export function init(publicKey: Uint8Array): void {
  setKey(publicKey);
}

function setKey(publicKey: Uint8Array): void {
  if (publicKey.length != 32) BadPublicKey(publicKey.length);
  keySlot.set(publicKey);
}

export function publicKey(): Uint8Array {
  return keySlot.get(new Uint8Array(0));
}

/**
 * The validation step: accepts the key's ed25519 signature of `hash` (the transaction's
 * signing hash) with no expiry, or a session key's authorisation within its grant
 * (see sdk/sessionKeys.ts) until the session expires. 0 refuses.
 */
export function validate(
  hash: Bytes32,
  auth: Uint8Array,
  maxCost: U128,
  targets: Array<Address>,
  methods: Array<string>,
  args: Array<Uint8Array>,
  values: Array<U128>,
): u64 {
  if (auth.length == SESSION_AUTH_BYTES)
    return validateSession(hash, auth, maxCost, targets, methods, args, values);
  return ed25519Verify(keySlot.get(new Uint8Array(0)), hash.bytes, auth) ? VALID_FOREVER : 0;
}

/** Grants an ed25519 session key limited to (target, method) pairs, per-token limits and an expiry. */
export function grantSession(
  key: Uint8Array,
  expiry: u64,
  targets: Array<Address>,
  methods: Array<string>,
  tokens: Array<Address>,
  limits: Array<U128>,
): void {
  storeSession(key, expiry, targets, methods, tokens, limits);
}

export function revokeSession(key: Uint8Array): void {
  dropSession(key);
}

/** What session `key` has spent of `token` (the zero address: the native coin, fees included). */
export function sessionSpent(key: Uint8Array, token: Address): U128 {
  return spentOf(key, token);
}

export function rotateKey(publicKey: Uint8Array): void {
  requireSelf();
  setKey(publicKey);
  clearRecovery();
  KeyRotated(publicKey);
}

export function setGuardians(guardians: Array<Address>, threshold: u32, delay: u64): void {
  requireSelf();
  if (threshold == 0 || threshold > <u32>guardians.length) BadThreshold(threshold, guardians.length);
  guardianList.set(guardians);
  thresholdSlot.set(threshold);
  delaySlot.set(delay);
  clearRecovery();
  GuardiansSet(guardians, threshold, delay);
}

export function guardians(): Array<Address> {
  return guardianList.get([] as Address[]);
}

/** A guardian approves `publicKey` as the new key (a different key than pending restarts the recovery). */
export function approveRecovery(publicKey: Uint8Array): u32 {
  const who = caller();
  const list = guardianList.get([] as Address[]);
  let isGuardian = false;
  for (let i = 0; i < list.length; i++) if (list[i].equals(who)) isGuardian = true;
  if (!isGuardian) NotGuardian(who);
  if (publicKey.length != 32) BadPublicKey(publicKey.length);
  const pending = pendingKey.get(new Uint8Array(0));
  if (!sameBytes(pending, publicKey)) {
    clearRecovery();
    pendingKey.set(publicKey);
    pendingSince.set(blockTime());
  }
  const current = round.get(0);
  let count = approvals.get(0);
  if (approvedIn.get(who, 0) != current + 1) {
    approvedIn.set(who, current + 1);
    count++;
    approvals.set(count);
  }
  RecoveryApproved(who, publicKey, count);
  return count;
}

/** Completes a recovery with enough approvals after the delay (anyone may call it). */
export function completeRecovery(): void {
  const pending = pendingKey.get(new Uint8Array(0));
  if (pending.length == 0) NoRecovery();
  const count = approvals.get(0);
  const threshold = thresholdSlot.get(0);
  if (count < threshold) NotEnoughApprovals(count, threshold);
  const readyAt = pendingSince.get(0) + delaySlot.get(0);
  const now = blockTime();
  if (now < readyAt) RecoveryNotReady(readyAt, now);
  setKey(pending);
  clearRecovery();
  KeyRotated(pending);
}

/** The owner cancels a pending recovery. */
export function cancelRecovery(): void {
  requireSelf();
  if (pendingKey.get(new Uint8Array(0)).length == 0) NoRecovery();
  clearRecovery();
  RecoveryCancelled();
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
