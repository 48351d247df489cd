// Errors of the lending market (read by the build).
import { Address, U128 } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
export declare function MarketNotListed(asset: Address): void;
export declare function MarketAlreadyListed(asset: Address): void;
export declare function TooManyMarkets(): void;
/** A parameter outside its range (name and value). */
export declare function InvalidParameter(name: string, value: U128): void;
export declare function ZeroAmount(): void;
export declare function InsufficientCash(available: U128, requested: U128): void;
export declare function InsufficientShares(balance: U128, needed: U128): void;
/** The action would leave the account's debt above its borrowing power (values in the oracle's unit, 1e18). */
export declare function InsufficientCollateral(borrowingPower: U128, debt: U128): void;
export declare function AccountHealthy(account: Address): void;
/** A liquidation may repay at most the close factor (50%) of the debt. */
export declare function RepayTooMuch(maximum: U128, requested: U128): void;
export declare function NothingToSeize(available: U128, needed: U128): void;
export declare function FlashLoanNotRepaid(expected: U128, actual: U128): void;
export declare function TransferFailed(token: Address): void;
/** Only the pending owner (named by `transferOwnership`) may accept the ownership. */
export declare function NotPendingOwner(caller: Address): void;
