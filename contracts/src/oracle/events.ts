// Events of the price oracle (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `price`: value of one unit of `asset` in the quote currency, scaled by 1e18. */
export declare function PriceSet(asset: Indexed<Address>, price: U128, time: u64): void;
