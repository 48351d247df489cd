/**
 * A test fixture for the validation memo on the parallel engine (`src/chain/validationMemo.ts`):
 * an ed25519 account whose key the account itself may set to any bytes, none included
 * (an empty slot), or delete (an absent slot), so that an earlier transaction of a block
 * can change the very slot a later transaction's validation step read at admission.
 */
import {
  Address,
  Bytes32,
  ed25519Verify,
  requireSelf,
  StorageValue,
  U128,
  VALID_FOREVER,
} from "../../sdk/index";

const keySlot = new StorageValue<Uint8Array>("key");

export function init(publicKey: Uint8Array): void {
  keySlot.set(publicKey);
}

/** Accepts the key's ed25519 signature of `hash`; 0 refuses (an empty or absent key included). */
export function validate(
  hash: Bytes32,
  auth: Uint8Array,
  _maxCost: U128,
  _targets: Array<Address>,
  _methods: Array<string>,
  _args: Array<Uint8Array>,
  _values: Array<U128>,
): u64 {
  const key = keySlot.get(new Uint8Array(0));
  if (key.length != 32) return 0;
  return ed25519Verify(key, hash.bytes, auth) ? VALID_FOREVER : 0;
}

/** Sets the key to `publicKey`, whatever its length (empty: an empty slot). */
export function setKey(publicKey: Uint8Array): void {
  requireSelf();
  keySlot.set(publicKey);
}

/** Deletes the key (an absent slot). */
export function deleteKey(): void {
  requireSelf();
  keySlot.delete();
}
