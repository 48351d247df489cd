// Events of the counter (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `by` added `amount` to the counter, which now holds `total`. */
export declare function Counted(by: Indexed<Address>, amount: U128, total: U128): void;
