// Events of the NFT marketplace (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `seller` offers the token for `price` (native coin). */
export declare function Listed(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  seller: Indexed<Address>,
  price: U128,
): void;
/** The sale listing was withdrawn. */
export declare function Cancelled(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  seller: Indexed<Address>,
): void;
/** `buyer` bought the token from `seller` for `price` (of which `royalty` went to `royaltyReceiver`) and it went to `to`. */
export declare function Sold(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  buyer: Indexed<Address>,
  to: Address,
  seller: Address,
  price: U128,
  royaltyReceiver: Address,
  royalty: U128,
): void;
/** `lender` put the token in the market for rent at `pricePerDay`, for at most `maxDays` days per rental. */
export declare function RentalListed(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  lender: Indexed<Address>,
  pricePerDay: U128,
  maxDays: u64,
): void;
/** The lender took the token back. */
export declare function RentalCancelled(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  lender: Indexed<Address>,
): void;
/** `user` rented the token until `expires` (inclusive), paying `paid`. */
export declare function Rented(
  nft: Indexed<Address>,
  tokenId: Indexed<u64>,
  user: Indexed<Address>,
  expires: u64,
  paid: U128,
): void;
/** `account` was paid its earnings. */
export declare function Claimed(account: Indexed<Address>, amount: U128): void;
