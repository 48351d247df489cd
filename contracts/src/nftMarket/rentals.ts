/**
 * Rentals: the lender deposits its token in the market (`listForRent`), so that nobody
 * but the market can change the token's user; a renter pays `pricePerDay * days` up front
 * and the market makes it the ERC-4907 user until `now + days * 86,400` (inclusive). The
 * payment is credited to the lender's earnings at once. Once no rental runs, the token
 * can be rented again, or taken back by the lender (`cancelRental`).
 */
import { Address, blockTime, caller, callValue, StorageMap2, selfAddress, U128 } from "../../sdk/index";
import { credit } from "./earnings";
import {
  BadDuration,
  MarketNotApproved,
  NotListed,
  NotSeller,
  NotTokenOwner,
  WrongPayment,
  ZeroPrice,
} from "./errors.gen";
import { RentalCancelled, RentalListed, Rented } from "./events.gen";
import { mayMove, ownerOf, refuseRented, setUser, transferFrom } from "./nftCalls";

export const DAY: u64 = 86_400;

const lenders = new StorageMap2<Address, u64, Address>("lender");
const dayPrices = new StorageMap2<Address, u64, U128>("perDay");
const maxDaysOf = new StorageMap2<Address, u64, u64>("maxDays");

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
  refuseRented(nft, tokenId);
  const user = caller();
  const expires = blockTime() + days * DAY;
  credit(lender, tokenId, price);
  setUser(nft, tokenId, user, expires);
  Rented(nft, tokenId, user, expires, price);
  return expires;
}

/** Gives the token back to its lender once no rental runs. */
export function cancelRental(nft: Address, tokenId: u64): void {
  const lender = listedLender(nft, tokenId);
  const who = caller();
  if (!who.equals(lender)) NotSeller(who, lender);
  refuseRented(nft, tokenId);
  lenders.delete(nft, tokenId);
  dayPrices.delete(nft, tokenId);
  maxDaysOf.delete(nft, tokenId);
  transferFrom(nft, selfAddress(), lender, tokenId);
  RentalCancelled(nft, tokenId, lender);
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
