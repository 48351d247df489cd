/**
 * An account controlled by a secp256k1 key, Ethereum-style: the authorisation is a
 * 65-byte r ‖ s ‖ v signature of keccak256(signing hash), and the recovered signer must
 * be the owner's address. The account may hand itself to another owner, set guardians who
 * can recover it after a delay (`sdk/recovery.ts`; the "key" is the new owner's 20-byte
 * address), and grant session keys.
 */
import {
  Address,
  approveRecovery as approve,
  Bytes32,
  keccak256,
  keyRotated,
  readyRecovery,
  requireSelf,
  SESSION_AUTH_BYTES,
  StorageValue,
  secp256k1Recover,
  U128,
  VALID_FOREVER,
  validateSession,
} from "../../sdk/index";

const ownerSlot = new StorageValue<Address>("owner");

export function init(owner_: Address): void {
  ownerSlot.set(owner_);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

/** The validation step: the owner's signature (no expiry) or a session key's within its grant; 0 refuses. */
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
  const signer = secp256k1Recover(keccak256(hash.bytes), auth);
  return !signer.isZero() && signer.equals(ownerSlot.get(Address.zero())) ? VALID_FOREVER : 0;
}

/** The account hands itself to another Ethereum-style address. */
export function setOwner(owner_: Address): void {
  requireSelf();
  ownerSlot.set(owner_);
  keyRotated(owner_.bytes);
}

/** A guardian approves `owner_` as the new owner. */
export function approveRecovery(owner_: Address): u32 {
  return approve(owner_.bytes);
}

/** Completes a recovery with enough approvals after the delay (anyone may call it). */
export function completeRecovery(): void {
  const next = readyRecovery();
  ownerSlot.set(new Address(next));
  keyRotated(next);
}

export { cancelRecovery, guardians, setGuardians } from "../../sdk/recovery";
// Session keys (sdk/sessionKeys.ts) and the guardians' side of recovery (sdk/recovery.ts),
// exposed as this account's methods.
export { grantSession, revokeSession, sessionSpent } from "../../sdk/sessionKeys";
