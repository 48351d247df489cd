// Errors of the farm (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** Adding pools, allocation points, the reward rate and funding are the owner's alone. */
export declare function NotOwner(caller: Address): void;
/** A deposit, withdrawal or funding of nothing. */
export declare function ZeroAmount(): void;
export declare function UnknownPool(pid: u32): void;
export declare function TooManyPools(max: u32): void;
/** Each LP token has one pool. */
export declare function DuplicatePool(lpToken: Address, pid: u32): void;
/** Withdrawing more than the caller has staked in the pool. */
export declare function InsufficientStake(staked: U128, requested: U128): void;
/** A token's `transfer` or `transferFrom` failed or returned false. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
/** The schedule would end more than `max` seconds from now (a rate too low for the funds). */
export declare function ScheduleTooLong(seconds: U128, max: u64): void;
