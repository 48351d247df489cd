/**
 * An NFT marketplace paid in native coin.
 *
 * - Sales at a fixed price: the seller keeps the token and approves the market; `buy`
 *   pays exactly the price, checks the seller still owns the token, that the token has not
 *   moved since it was listed and that it is not rented out, splits the price between the ERC-2981 royalty receiver and the seller,
 *   then moves the token with `safeTransferFrom` (the buyer's `onERC721Received` runs;
 *   the listing is deleted and the earnings credited before, and reentering the market
 *   from the callback is refused by the VM).
 * - Rentals (`rentals.ts`): the lender deposits the token; a renter pays a price per day,
 *   up front, for 1 to `maxDays` days and becomes its user: the collection's ERC-4907
 *   user, or for a collection without ERC-4907 the market's own record (`userOf(nft, id)`),
 *   the market holding the token in escrow. Only usage rights move, so no collateral is
 *   needed.
 * - Earnings (sellers', royalty receivers', lenders') are claimable with `claim`.
 *
 * A listing ends when its token moves, as ERC-721 ends a token's approval: `list` records
 * the collection's `moveCount` of the token and `buy` refuses the listing once the count
 * differs (`StaleListing`). Without it, a listing made under an operator approval (which
 * survives transfers) outlived a sale elsewhere, and if the token ever came back to its
 * seller, anyone could buy it at the old price. A collection without `moveCount` cannot be
 * listed (`UntrackedCollection`).
 *
 * Storage: listings are keyed by (collection, token), earnings by (account, lane) (see
 * `earnings.ts`), so sales of different tokens between different accounts touch
 * different keys, except the market's own coin balance, which every paid call credits.
 */
import { Address, caller, callValue, StorageMap2, selfAddress, transferCoin, U128 } from "../../sdk/index";
import { credit, owed, takeAll } from "./earnings";
import {
  MarketNotApproved,
  NothingToClaim,
  NotListed,
  NotSeller,
  NotTokenOwner,
  PayoutFailed,
  RoyaltyAbovePrice,
  SellerNotOwner,
  StaleListing,
  WrongPayment,
  ZeroPrice,
} from "./errors.gen";
import { Cancelled, Claimed, Listed, Sold } from "./events.gen";
import { mayMove, moveCountOf, ownerOf, refuseRented, royaltyOf, safeTransferFrom } from "./nftCalls";

export {
  cancelRental,
  listForRent,
  rent,
  rentalEscrowed,
  rentalLender,
  rentalMaxDays,
  rentalPricePerDay,
  userExpires,
  userOf,
} from "./rentals";

const prices = new StorageMap2<Address, u64, U128>("price");
const sellers = new StorageMap2<Address, u64, Address>("seller");
/** The token's `moveCount` when it was listed. */
const listedMoves = new StorageMap2<Address, u64, u64>("moves");

/** Offers the caller's token for `price` (replacing its listing); the market must be approved for it. */
export function list(nft: Address, tokenId: u64, price: U128): void {
  if (price.isZero()) ZeroPrice();
  const seller = caller();
  const holder = ownerOf(nft, tokenId);
  if (!holder.equals(seller)) NotTokenOwner(seller, holder);
  if (!mayMove(nft, tokenId, seller, selfAddress())) MarketNotApproved(nft, tokenId);
  refuseRented(nft, tokenId);
  prices.set(nft, tokenId, price);
  sellers.set(nft, tokenId, seller);
  listedMoves.set(nft, tokenId, moveCountOf(nft, tokenId));
  Listed(nft, tokenId, seller, price);
}

/** Withdraws the caller's listing. */
export function cancel(nft: Address, tokenId: u64): void {
  const seller = listedSeller(nft, tokenId);
  const who = caller();
  if (!who.equals(seller)) NotSeller(who, seller);
  forget(nft, tokenId);
  Cancelled(nft, tokenId, seller);
}

/** Buys a listed token for exactly its price (sent as value); the token goes to `to` (`safeTransferFrom`). */
export function buy(nft: Address, tokenId: u64, to: Address): void {
  const seller = listedSeller(nft, tokenId);
  const price = prices.get(nft, tokenId, U128.Zero);
  const paid = callValue();
  if (!paid.eq(price)) WrongPayment(price, paid);
  const holder = ownerOf(nft, tokenId);
  if (!holder.equals(seller)) SellerNotOwner(seller, holder);
  const listedAt = listedMoves.get(nft, tokenId, 0);
  const moves = moveCountOf(nft, tokenId);
  if (moves != listedAt) StaleListing(nft, tokenId, listedAt, moves);
  refuseRented(nft, tokenId);
  const royalty = royaltyOf(nft, tokenId, price);
  if (royalty.amount.gt(price)) RoyaltyAbovePrice(royalty.amount, price);
  const buyer = caller();
  forget(nft, tokenId);
  credit(royalty.receiver, tokenId, royalty.amount);
  credit(seller, tokenId, price.sub(royalty.amount));
  safeTransferFrom(nft, seller, to, tokenId);
  Sold(nft, tokenId, buyer, to, seller, price, royalty.receiver, royalty.amount);
}

/** Pays the caller everything the market owes it. */
export function claim(): U128 {
  const account = caller();
  const amount = takeAll(account);
  if (amount.isZero()) NothingToClaim(account);
  if (!transferCoin(account, amount)) PayoutFailed(account, amount);
  Claimed(account, amount);
  return amount;
}

/** What the market owes `account` (sales, royalties and rentals not yet claimed). */
export function earningsOf(account: Address): U128 {
  return owed(account);
}

/** The listed price (zero when not listed). */
export function priceOf(nft: Address, tokenId: u64): U128 {
  return prices.get(nft, tokenId, U128.Zero);
}

/** The seller of a listed token (zero when not listed). */
export function sellerOf(nft: Address, tokenId: u64): Address {
  return sellers.get(nft, tokenId, Address.zero());
}

function forget(nft: Address, tokenId: u64): void {
  prices.delete(nft, tokenId);
  sellers.delete(nft, tokenId);
  listedMoves.delete(nft, tokenId);
}

function listedSeller(nft: Address, tokenId: u64): Address {
  const seller = sellers.get(nft, tokenId, Address.zero());
  if (seller.isZero()) NotListed(nft, tokenId);
  return seller;
}
