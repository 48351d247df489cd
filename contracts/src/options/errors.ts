// Errors of the options contract (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** A series needs an underlying other than the quote token, a strike above zero and a future expiry. */
export declare function InvalidSeries(reason: string): void;
/** No series has this id. */
export declare function UnknownSeries(id: u64): void;
/** Writing, exercising or transferring nothing. */
export declare function ZeroAmount(): void;
/** Options are written only before expiry. */
export declare function Expired(id: u64, expiry: u64, now: u64): void;
/** Settling, exercising and redeeming wait for expiry. */
export declare function NotExpired(id: u64, expiry: u64, now: u64): void;
/** The oracle's price of the underlying was set before expiry: a price posted at or after it is needed. */
export declare function PriceBeforeExpiry(id: u64, updatedAt: u64, expiry: u64): void;
/** The oracle refused the price (none, or stale), or gave zero. */
export declare function NoSettlementPrice(id: u64, asset: Address): void;
/** More option tokens than the account holds. */
export declare function InsufficientBalance(id: u64, account: Address, balance: U128, requested: U128): void;
/** Moving another account's options needs its `setApprovalForAll`. */
export declare function NotApproved(owner: Address, operator: Address): void;
/** The caller wrote nothing in this series (or redeemed it already). */
export declare function NothingToRedeem(id: u64, writer: Address): void;
/** A token's `transfer` or `transferFrom` failed or returned false. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
