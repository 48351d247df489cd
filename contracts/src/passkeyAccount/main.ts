/**
 * An account controlled by a P-256 passkey (WebAuthn): the authorisation is a WebAuthn
 * assertion whose challenge is the transaction's signing hash (see `sdk/webauthn.ts`).
 * The account may replace its passkey, set guardians who can recover it with a new
 * passkey after a delay (`sdk/recovery.ts`), and grant session keys (an assertion is
 * always longer than a 96-byte session authorisation).
 */
import {
  Address,
  approveRecovery as approve,
  Bytes32,
  keyRotated,
  readyRecovery,
  requireSelf,
  SESSION_AUTH_BYTES,
  StorageValue,
  U128,
  VALID_FOREVER,
  validateSession,
  verifyWebAuthn,
} from "../../sdk/index";
import { BadPublicKey } from "./errors.gen";

const keySlot = new StorageValue<Uint8Array>("key");

/** `publicKey`: the passkey's 65-byte uncompressed P-256 point. */
export function init(publicKey: Uint8Array): void {
  setKey(publicKey);
}

function setKey(publicKey: Uint8Array): void {
  if (publicKey.length != 65 || publicKey[0] != 4) BadPublicKey(publicKey.length);
  keySlot.set(publicKey);
}

export function publicKey(): Uint8Array {
  return keySlot.get(new Uint8Array(0));
}

/** The validation step: a passkey assertion (no expiry) or a session key's authorisation within its grant; 0 refuses. */
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
  return verifyWebAuthn(keySlot.get(new Uint8Array(0)), hash.bytes, auth) ? VALID_FOREVER : 0;
}

/** The account replaces its passkey. */
export function rotateKey(publicKey: Uint8Array): void {
  requireSelf();
  setKey(publicKey);
  keyRotated(publicKey);
}

/** A guardian approves `publicKey` (a 65-byte P-256 point) as the new passkey. */
export function approveRecovery(publicKey: Uint8Array): u32 {
  if (publicKey.length != 65 || publicKey[0] != 4) BadPublicKey(publicKey.length);
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
