/**
 * A non-fungible token with ERC-721 semantics (`erc721.ts`), ERC-2981 royalties
 * (`royalties.ts`) and an owner who grants the minter role (`roles.ts`). Token ids are
 * u64, chosen by the minter. `rentableNft` is the same contract with ERC-4907 users.
 */
import { Address } from "../../sdk/index";
import { burnToken, initMetadata, mintToken } from "./erc721";
import { initRoles, onlyMinter } from "./roles";
import { storeDefault } from "./royalties";

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
} from "./erc721";
export { isMinter, owner, setMinter, transferOwnership } from "./roles";
export { royaltyInfo, setDefaultRoyalty, setTokenRoyalty } from "./royalties";

/**
 * `owner_` sets roles and royalties and is the first minter; tokens without a royalty of
 * their own pay `royaltyBps` basis points to `royaltyReceiver` (none when both are zero).
 */
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

/** Destroys the token: its owner, approved address or operator, or a minter. */
export function burn(tokenId: u64): void {
  burnToken(tokenId);
}
