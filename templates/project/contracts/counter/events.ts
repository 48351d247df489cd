// The counter's events (read by weft build).
import { Address, Indexed, U128 } from "@weft-chain/weft/contracts/sdk";

/** `by` added `amount`; the total is now `total`. */
export declare function Counted(by: Indexed<Address>, amount: U128, total: U128): void;
/** `by` reset the counter to zero. */
export declare function Reset(by: Indexed<Address>): void;
