/**
 * A hostile NFT for the market tests: everyone owns every token (`ownerOf` answers the
 * caller's `claimedOwner`), the market is always approved, and `royaltyInfo` asks for
 * twice the sale price.
 */
import { AbiWriter, Address, StorageValue, U128 } from "../../sdk/index";

const ownerSlot = new StorageValue<Address>("owner");

export function setOwner(owner: Address): void {
  ownerSlot.set(owner);
}

export function ownerOf(_tokenId: u64): Address {
  return ownerSlot.get(Address.zero());
}

/** Never counts a move: the market takes its listings as current. */
export function moveCount(_tokenId: u64): u64 {
  return 0;
}

export function getApproved(_tokenId: u64): Address {
  return Address.zero();
}

export function isApprovedForAll(_owner: Address, _operator: Address): bool {
  return true;
}

export function royaltyInfo(_tokenId: u64, salePrice: U128): Uint8Array {
  const w = new AbiWriter();
  w.address(ownerSlot.get(Address.zero()));
  w.u128(salePrice.add(salePrice));
  return w.finish();
}

export function safeTransferFrom(_from: Address, to: Address, _tokenId: u64, _data: Uint8Array): void {
  ownerSlot.set(to);
}
