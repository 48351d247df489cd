/**
 * An account controlled by a P-256 passkey (WebAuthn): the authorisation is a WebAuthn
 * assertion whose challenge is the transaction's signing hash (see `sdk/webauthn.ts`).
 */
import { Bytes32, StorageValue, verifyWebAuthn } from "../../sdk/index";
import { BadPublicKey } from "./errors.gen";

const keySlot = new StorageValue<Uint8Array>("key");

/** `publicKey`: the passkey's 65-byte uncompressed P-256 point. */
export function init(publicKey: Uint8Array): void {
  if (publicKey.length != 65 || publicKey[0] != 4) BadPublicKey(publicKey.length);
  keySlot.set(publicKey);
}

export function publicKey(): Uint8Array {
  return keySlot.get(new Uint8Array(0));
}

export function validate(hash: Bytes32, auth: Uint8Array): bool {
  return verifyWebAuthn(keySlot.get(new Uint8Array(0)), hash.bytes, auth);
}
