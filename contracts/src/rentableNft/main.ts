/**
 * The NFT (`../nft`) with ERC-4907 rental: the owner (or its approved address or
 * operator) sets a user of the token until a time, and only usage rights move.
 *
 * - `userOf(id)` is the user while `expires >= blockTime()` (inclusive), zero after;
 * - `userExpires(id)` is the stored expiry, whether or not it passed;
 * - a move to another owner (and a burn) deletes the user and emits `UpdateUser(id, 0, 0)`
 *   when one was stored, expired or not, as ERC-4907's reference does.
 *
 * The user is two keys of the token (`user[id]`, `exp[id]`), so rentals of different
 * tokens never touch the same key.
 */
import { Address, blockTime, caller, StorageMap } from "../../sdk/index";
import { burnToken, initMetadata, isAuthorized, mintToken, ownerOf, setMoveHook } from "../nft/erc721";
import { NotApproved } from "../nft/errors.gen";
import { initRoles, onlyMinter } from "../nft/roles";
import { storeDefault } from "../nft/royalties";
import { UpdateUser } from "./events.gen";

export {
  approve,
  balanceOf,
  getApproved,
  isApprovedForAll,
  moveCount,
  name,
  ownerOf,
  safeTransferFrom,
  setApprovalForAll,
  symbol,
  tokenURI,
  transferFrom,
} from "../nft/erc721";
export { isMinter, owner, setMinter, transferOwnership } from "../nft/roles";
export { royaltyInfo, setDefaultRoyalty, setTokenRoyalty } from "../nft/royalties";

const users = new StorageMap<u64, Address>("user");
const expiries = new StorageMap<u64, u64>("exp");

setMoveHook(clearUserOnMove);

/** As the NFT's `init`. */
export function init(
  name_: string,
  symbol_: string,
  baseURI: string,
  owner_: Address,
  royaltyReceiver: Address,
  royaltyBps: u64,
): void {
  initMetadata(name_, symbol_, baseURI);
  initRoles(owner_);
  if (!royaltyReceiver.isZero() || royaltyBps != 0) storeDefault(royaltyReceiver, royaltyBps);
}

/** Creates token `tokenId` for `to` (minters only); `uri` is its own URI, or empty for base URI ‖ id. */
export function mint(to: Address, tokenId: u64, uri: string): void {
  onlyMinter();
  mintToken(to, tokenId, uri);
}

/** Destroys the token (and its user): its owner, approved address or operator, or a minter. */
export function burn(tokenId: u64): void {
  burnToken(tokenId);
}

/** ERC-4907: makes `user` the token's user until `expires` (seconds, inclusive); by its owner, approved address or operator. */
export function setUser(tokenId: u64, user: Address, expires: u64): void {
  const holder = ownerOf(tokenId);
  const who = caller();
  if (!isAuthorized(who, holder, tokenId)) NotApproved(who, tokenId);
  if (user.isZero() && expires == 0) {
    users.delete(tokenId);
    expiries.delete(tokenId);
  } else {
    users.set(tokenId, user);
    expiries.set(tokenId, expires);
  }
  UpdateUser(tokenId, user, expires);
}

/** ERC-4907: the token's user while its expiry has not passed (`expires >= now`), else zero. */
export function userOf(tokenId: u64): Address {
  if (expiries.get(tokenId, 0) >= blockTime()) return users.get(tokenId, Address.zero());
  return Address.zero();
}

/** ERC-4907: the stored expiry of the token's user (0 when none), passed or not. */
export function userExpires(tokenId: u64): u64 {
  return expiries.get(tokenId, 0);
}

function clearUserOnMove(tokenId: u64, from: Address, to: Address): void {
  if (from.equals(to) || !users.has(tokenId)) return;
  users.delete(tokenId);
  expiries.delete(tokenId);
  UpdateUser(tokenId, Address.zero(), 0);
}
