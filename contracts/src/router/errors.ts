// Errors of the AMM router (read by the build).
import { Address, U128 } from "../../sdk/index";

/** The transaction ran after its deadline (block time, seconds). */
export declare function Expired(deadline: u64, now: u64): void;
export declare function InsufficientAAmount(amount: U128, minimum: U128): void;
export declare function InsufficientBAmount(amount: U128, minimum: U128): void;
export declare function InsufficientOutputAmount(amount: U128, minimum: U128): void;
export declare function ExcessiveInputAmount(amount: U128, maximum: U128): void;
/** A path needs at least two tokens. */
export declare function InvalidPath(): void;
export declare function PairNotFound(tokenA: Address, tokenB: Address): void;
/** A pool with an empty reserve cannot quote. */
export declare function InsufficientLiquidity(): void;
export declare function InsufficientAmount(): void;
