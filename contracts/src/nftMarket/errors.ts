// Errors of the NFT marketplace (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** No sale (or rental) listing for this token. */
export declare function NotListed(nft: Address, tokenId: u64): void;
/** Only the token's owner lists it. */
export declare function NotTokenOwner(account: Address, owner: Address): void;
/** Only the listing's seller (or lender) changes or cancels it. */
export declare function NotSeller(account: Address, seller: Address): void;
/** The market must be the token's approved address or its owner's operator before listing. */
export declare function MarketNotApproved(nft: Address, tokenId: u64): void;
/** The seller no longer owns the token it listed: the listing is stale. */
export declare function SellerNotOwner(seller: Address, owner: Address): void;
/** The token moved since it was listed (its `moveCount` was `listedAt`, it is `now`): the listing ended with the move, as an approval does; its owner lists it again. */
export declare function StaleListing(nft: Address, tokenId: u64, listedAt: u64, now: u64): void;
/** The collection does not count its tokens' moves (`moveCount(tokenId)`), so a listing could outlive a transfer: its tokens cannot be listed. */
export declare function UntrackedCollection(nft: Address): void;
/** The token has a user (ERC-4907) until `expires`: it cannot be sold, rented again or taken back before. */
export declare function RentedOut(nft: Address, tokenId: u64, user: Address, expires: u64): void;
/** The value sent is not the price (sales and rentals are paid exactly, up front). */
export declare function WrongPayment(expected: U128, paid: U128): void;
/** Prices are above zero. */
export declare function ZeroPrice(): void;
/** The collection's `royaltyInfo` asked for more than the sale price. */
export declare function RoyaltyAbovePrice(royalty: U128, price: U128): void;
/** Rentals last 1 to `maxDays` days. */
export declare function BadDuration(days: u64, maxDays: u64): void;
/** The account has no earnings to claim. */
export declare function NothingToClaim(account: Address): void;
/** The market could not pay out (its balance is short: a bug). */
export declare function PayoutFailed(account: Address, amount: U128): void;
