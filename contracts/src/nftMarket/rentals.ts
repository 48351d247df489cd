/**
 * Rentals: the lender deposits its token in the market (`listForRent`), so that nobody
 * but the market can change the token's user; a renter pays `pricePerDay * days` up front
 * and becomes the user until `now + days * 86,400` (inclusive). The payment is credited to
 * the lender's earnings at once. Once no rental runs, the token can be rented again, or
 * taken back by the lender (`cancelRental`).
 *
 * Who records the user: a collection with ERC-4907 (`userExpires` answers) is told with
 * `setUser`, so games and wallets read it from the token. For a collection without it the
 * market is the escrow: it holds the token and records the user itself, with the same
 * semantics (the user holds while `expires >= now`, the second of expiry included), and
 * answers `userOf(nft, tokenId)` and `userExpires(nft, tokenId)` for both kinds. Either way
 * the lender cannot take the token back, and nobody can rent it, while a rental runs.
 */
import {
  AbiWriter,
  Address,
  blockTime,
  callContract,
  caller,
  callValue,
  StorageMap2,
  selfAddress,
  U128,
} from "../../sdk/index";
import { credit } from "./earnings";
import {
  BadDuration,
  MarketNotApproved,
  NotListed,
  NotSeller,
  NotTokenOwner,
  RentedOut,
  WrongPayment,
  ZeroPrice,
} from "./errors.gen";
import { RentalCancelled, RentalListed, Rented } from "./events.gen";
import {
  mayMove,
  userExpires as nftUserExpires,
  userOf as nftUserOf,
  ownerOf,
  refuseRented,
  setUser,
  transferFrom,
} from "./nftCalls";

export const DAY: u64 = 86_400;

const lenders = new StorageMap2<Address, u64, Address>("lender");
const dayPrices = new StorageMap2<Address, u64, U128>("perDay");
const maxDaysOf = new StorageMap2<Address, u64, u64>("maxDays");
/** Tokens deposited from a collection without ERC-4907: the market records their user. */
const escrowed = new StorageMap2<Address, u64, bool>("escrow");
const escrowUsers = new StorageMap2<Address, u64, Address>("user");
const escrowExpiries = new StorageMap2<Address, u64, u64>("exp");

/** Whether the collection answers ERC-4907's `userExpires` for the token. */
function hasUsers(nft: Address, tokenId: u64): bool {
  const w = new AbiWriter(8);
  w.u64(tokenId);
  return callContract(nft, "userExpires", w.finish()).ok;
}

/** Reverts `RentedOut` while the token has a user (the collection's, or the market's record for an escrowed one). */
function refuseWhileRented(nft: Address, tokenId: u64): void {
  if (!escrowed.get(nft, tokenId, false)) {
    refuseRented(nft, tokenId);
    return;
  }
  const expires = escrowExpiries.get(nft, tokenId, 0);
  if (expires >= blockTime()) RentedOut(nft, tokenId, escrowUsers.get(nft, tokenId, Address.zero()), expires);
}

/** Deposits the caller's token for rent at `pricePerDay`, for 1 to `maxDays` days per rental. */
export function listForRent(nft: Address, tokenId: u64, pricePerDay: U128, maxDays: u64): void {
  if (pricePerDay.isZero()) ZeroPrice();
  if (maxDays == 0) BadDuration(0, maxDays);
  const lender = caller();
  const holder = ownerOf(nft, tokenId);
  if (!holder.equals(lender)) NotTokenOwner(lender, holder);
  const market = selfAddress();
  if (!mayMove(nft, tokenId, lender, market)) MarketNotApproved(nft, tokenId);
  refuseRented(nft, tokenId);
  transferFrom(nft, lender, market, tokenId);
  if (!hasUsers(nft, tokenId)) escrowed.set(nft, tokenId, true);
  lenders.set(nft, tokenId, lender);
  dayPrices.set(nft, tokenId, pricePerDay);
  maxDaysOf.set(nft, tokenId, maxDays);
  RentalListed(nft, tokenId, lender, pricePerDay, maxDays);
}

/** Rents the token for `days` days, paying `pricePerDay * days` as value; the caller becomes its user. */
export function rent(nft: Address, tokenId: u64, days: u64): u64 {
  const lender = listedLender(nft, tokenId);
  const maxDays = maxDaysOf.get(nft, tokenId, 0);
  if (days == 0 || days > maxDays) BadDuration(days, maxDays);
  const price = dayPrices.get(nft, tokenId, U128.Zero).mul(U128.fromU64(days));
  const paid = callValue();
  if (!paid.eq(price)) WrongPayment(price, paid);
  refuseWhileRented(nft, tokenId);
  const user = caller();
  const expires = blockTime() + days * DAY;
  credit(lender, tokenId, price);
  if (escrowed.get(nft, tokenId, false)) {
    escrowUsers.set(nft, tokenId, user);
    escrowExpiries.set(nft, tokenId, expires);
  } else setUser(nft, tokenId, user, expires);
  Rented(nft, tokenId, user, expires, price);
  return expires;
}

/** Gives the token back to its lender once no rental runs. */
export function cancelRental(nft: Address, tokenId: u64): void {
  const lender = listedLender(nft, tokenId);
  const who = caller();
  if (!who.equals(lender)) NotSeller(who, lender);
  refuseWhileRented(nft, tokenId);
  lenders.delete(nft, tokenId);
  dayPrices.delete(nft, tokenId);
  maxDaysOf.delete(nft, tokenId);
  escrowed.delete(nft, tokenId);
  escrowUsers.delete(nft, tokenId);
  escrowExpiries.delete(nft, tokenId);
  transferFrom(nft, selfAddress(), lender, tokenId);
  RentalCancelled(nft, tokenId, lender);
}

/**
 * The token's user: while `userExpires(nft, tokenId) >= now`, zero after (ERC-4907's
 * semantics); the market's record for a token it holds in escrow, else the collection's
 * `userOf` (zero when it has none).
 */
export function userOf(nft: Address, tokenId: u64): Address {
  if (!escrowed.get(nft, tokenId, false)) return nftUserOf(nft, tokenId);
  if (escrowExpiries.get(nft, tokenId, 0) < blockTime()) return Address.zero();
  return escrowUsers.get(nft, tokenId, Address.zero());
}

/** The stored expiry of the token's user, expired or not (the market's record for an escrowed token). */
export function userExpires(nft: Address, tokenId: u64): u64 {
  if (!escrowed.get(nft, tokenId, false)) return nftUserExpires(nft, tokenId);
  return escrowExpiries.get(nft, tokenId, 0);
}

/** Whether the market holds the token in escrow and records its user itself (a collection without ERC-4907). */
export function rentalEscrowed(nft: Address, tokenId: u64): bool {
  return escrowed.get(nft, tokenId, false);
}

/** The lender of a token deposited for rent (zero when none). */
export function rentalLender(nft: Address, tokenId: u64): Address {
  return lenders.get(nft, tokenId, Address.zero());
}

export function rentalPricePerDay(nft: Address, tokenId: u64): U128 {
  return dayPrices.get(nft, tokenId, U128.Zero);
}

export function rentalMaxDays(nft: Address, tokenId: u64): u64 {
  return maxDaysOf.get(nft, tokenId, 0);
}

function listedLender(nft: Address, tokenId: u64): Address {
  const lender = lenders.get(nft, tokenId, Address.zero());
  if (lender.isZero()) NotListed(nft, tokenId);
  return lender;
}
