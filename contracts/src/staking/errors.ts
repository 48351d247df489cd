// Errors of the staking contract (read by the build).
import { Address, U128 } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
export declare function AlreadyRegistered(validator: Address): void;
export declare function NotRegistered(validator: Address): void;
export declare function TooManyValidators(): void;
export declare function InvalidCommission(bps: u32): void;
/** A slashing fraction above 1 (1e18). */
export declare function InvalidFraction(fraction: U128): void;
export declare function ZeroAmount(): void;
export declare function InsufficientShares(balance: U128, needed: U128): void;
export declare function Locked(until: u64, now: u64): void;
export declare function StillUnbonding(completesAt: u64, now: u64): void;
export declare function NothingToWithdraw(): void;
export declare function TransferFailed(to: Address, amount: U128): void;
