/**
 * An account controlled by a secp256k1 key, Ethereum-style: the authorisation is a
 * 65-byte r ‖ s ‖ v signature of keccak256(signing hash), and the recovered signer must
 * be the owner's address.
 */
import { Address, Bytes32, keccak256, StorageValue, secp256k1Recover } from "../../sdk/index";

const ownerSlot = new StorageValue<Address>("owner");

export function init(owner_: Address): void {
  ownerSlot.set(owner_);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

export function validate(hash: Bytes32, auth: Uint8Array): bool {
  const signer = secp256k1Recover(keccak256(hash.bytes), auth);
  return !signer.isZero() && signer.equals(ownerSlot.get(Address.zero()));
}
