/**
 * An account controlled by one ed25519 key, with key rotation, social recovery
 * (`sdk/recovery.ts`) and session keys (`sdk/sessionKeys.ts`).
 *
 * - Validation (run by the protocol in restricted mode): the authorisation must be the
 *   key's signature of the transaction's signing hash, or a session key's within its grant.
 * - The account itself (a call in one of its own transactions) may rotate the key, set
 *   guardians with a threshold and a delay, cancel a pending recovery, grant and revoke
 *   session keys.
 * - Guardians approve a new key; once `threshold` of them approved the same key and
 *   `delay` seconds passed since the first approval, anyone may complete the recovery.
 */
import {
  Address,
  approveRecovery as approve,
  Bytes32,
  ed25519Verify,
  keyRotated,
  readyRecovery,
  requireSelf,
  SESSION_AUTH_BYTES,
  StorageValue,
  U128,
  VALID_FOREVER,
  validateSession,
} from "../../sdk/index";
import { BadPublicKey } from "./errors.gen";

const keySlot = new StorageValue<Uint8Array>("key");

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
 * (see sdk/sessionKeys.ts) until the session expires. 0 refuses (a session is refused
 * with a typed error instead).
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

export function rotateKey(publicKey: Uint8Array): void {
  requireSelf();
  setKey(publicKey);
  keyRotated(publicKey);
}

/** A guardian approves `publicKey` as the new key (a different key than pending restarts the recovery). */
export function approveRecovery(publicKey: Uint8Array): u32 {
  if (publicKey.length != 32) BadPublicKey(publicKey.length);
  return approve(publicKey);
}

/** Completes a recovery with enough approvals after the delay (anyone may call it). */
export function completeRecovery(): void {
  const next = readyRecovery();
  setKey(next);
  keyRotated(next);
}

export { cancelRecovery, guardians, setGuardians } from "../../sdk/recovery";
// Session keys (sdk/sessionKeys.ts) and the guardians' side of recovery (sdk/recovery.ts),
// exposed as this account's methods.
export { grantSession, revokeSession, sessionSpent } from "../../sdk/sessionKeys";
