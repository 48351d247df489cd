// The counter's errors (read by weft build).
import { Address, U128 } from "@weft-chain/weft/contracts/sdk";

/** Only the owner may do this. */
export declare function NotOwner(caller: Address): void;
/** Subtracting `amount` from `total` would go below zero. */
export declare function Underflow(total: U128, amount: U128): void;
/** The cooldown has not passed: try again at `readyAt` (Unix seconds). */
export declare function TooSoon(readyAt: u64): void;
