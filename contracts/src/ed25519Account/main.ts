/**
 * An account controlled by one ed25519 key. Its validation step (run by the protocol in
 * restricted mode, see `Vm.validate`) accepts a transaction when the authorisation is the
 * key's signature of the transaction's signing hash.
 */
import { Bytes32, ed25519Verify, StorageValue } from "../../sdk/index";
import { BadPublicKey } from "./errors.gen";

const keySlot = new StorageValue<Uint8Array>("key");

/** `publicKey`: the 32-byte ed25519 public key that controls the account. */
export function init(publicKey: Uint8Array): void {
  if (publicKey.length != 32) BadPublicKey(publicKey.length);
  keySlot.set(publicKey);
}

export function publicKey(): Uint8Array {
  return keySlot.get(new Uint8Array(0));
}

/** True when `auth` is the key's ed25519 signature of `hash` (the transaction's signing hash). */
export function validate(hash: Bytes32, auth: Uint8Array): bool {
  return ed25519Verify(keySlot.get(new Uint8Array(0)), hash.bytes, auth);
}
