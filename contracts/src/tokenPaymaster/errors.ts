// Errors of the token paymaster (read by the build).
import { Address, U128 } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
/** Only the protocol (the zero address) settles a transaction. */
export declare function NotProtocol(caller: Address): void;
/** The oracle has no fresh price for the coin or the token. */
export declare function NoRate(): void;
export declare function InsufficientDeposit(held: U128, wanted: U128): void;
export declare function TokenTransferFailed(who: Address, amount: U128): void;
export declare function CoinTransferFailed(to: Address, amount: U128): void;
/** Only the pending owner (named by `transferOwnership`) may accept the ownership. */
export declare function NotPendingOwner(caller: Address): void;
/** A setting outside its range (its name and the value given). */
export declare function InvalidParameter(name: string, value: u64): void;
