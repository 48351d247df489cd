/** The market's calls into an NFT contract (ERC-721, ERC-2981 and ERC-4907 methods). */
import { AbiReader, AbiWriter, Address, callContract, callOrRevert, U128 } from "../../sdk/index";
import { RentedOut, UntrackedCollection } from "./errors.gen";

function idArgs(tokenId: u64): Uint8Array {
  const w = new AbiWriter(8);
  w.u64(tokenId);
  return w.finish();
}

/** The token's owner (a missing token bubbles the NFT's `NonexistentToken` up). */
export function ownerOf(nft: Address, tokenId: u64): Address {
  return callOrRevert(nft, "ownerOf", idArgs(tokenId)).value<Address>();
}

/** How many times the token has moved (the collection's `moveCount`); `UntrackedCollection` without it. */
export function moveCountOf(nft: Address, tokenId: u64): u64 {
  const result = callContract(nft, "moveCount", idArgs(tokenId));
  if (!result.ok) UntrackedCollection(nft);
  return result.value<u64>();
}

/** Whether `spender` may move the token for `holder`: its approved address or an operator of `holder`. */
export function mayMove(nft: Address, tokenId: u64, holder: Address, spender: Address): bool {
  if (callOrRevert(nft, "getApproved", idArgs(tokenId)).value<Address>().equals(spender)) return true;
  const w = new AbiWriter(40);
  w.address(holder);
  w.address(spender);
  return callOrRevert(nft, "isApprovedForAll", w.finish()).value<bool>();
}

/** The token's current ERC-4907 user; zero when it has none or the NFT is not rentable. */
export function userOf(nft: Address, tokenId: u64): Address {
  const result = callContract(nft, "userOf", idArgs(tokenId));
  return result.ok ? result.value<Address>() : Address.zero();
}

export function userExpires(nft: Address, tokenId: u64): u64 {
  const result = callContract(nft, "userExpires", idArgs(tokenId));
  return result.ok ? result.value<u64>() : 0;
}

/** ERC-2981 `(receiver, amount)` for a sale at `price`; no royalty when the NFT has no `royaltyInfo`. */
export class Royalty {
  constructor(
    public receiver: Address,
    public amount: U128,
  ) {}
}

export function royaltyOf(nft: Address, tokenId: u64, price: U128): Royalty {
  const w = new AbiWriter(24);
  w.u64(tokenId);
  w.u128(price);
  const result = callContract(nft, "royaltyInfo", w.finish());
  if (!result.ok) return new Royalty(Address.zero(), U128.Zero);
  const r = new AbiReader(result.value<Uint8Array>());
  const receiver = r.address();
  const amount = r.u128();
  r.finish();
  return new Royalty(receiver, receiver.isZero() ? U128.Zero : amount);
}

export function transferFrom(nft: Address, from: Address, to: Address, tokenId: u64): void {
  const w = new AbiWriter(48);
  w.address(from);
  w.address(to);
  w.u64(tokenId);
  callOrRevert(nft, "transferFrom", w.finish());
}

/** `safeTransferFrom` with empty data: a contract receiver's `onERC721Received` runs and must accept. */
export function safeTransferFrom(nft: Address, from: Address, to: Address, tokenId: u64): void {
  const w = new AbiWriter(52);
  w.address(from);
  w.address(to);
  w.u64(tokenId);
  w.bytes(new Uint8Array(0));
  callOrRevert(nft, "safeTransferFrom", w.finish());
}

export function setUser(nft: Address, tokenId: u64, user: Address, expires: u64): void {
  const w = new AbiWriter(36);
  w.u64(tokenId);
  w.address(user);
  w.u64(expires);
  callOrRevert(nft, "setUser", w.finish());
}

/** Reverts `RentedOut` while the token has an ERC-4907 user. */
export function refuseRented(nft: Address, tokenId: u64): void {
  const user = userOf(nft, tokenId);
  if (!user.isZero()) RentedOut(nft, tokenId, user, userExpires(nft, tokenId));
}
