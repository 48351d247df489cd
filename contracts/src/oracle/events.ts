// Events of the price oracle (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `price`: value of one unit of `asset` in the quote currency, scaled by 1e18. */
export declare function PriceSet(asset: Indexed<Address>, price: U128, time: u64): void;
/** `account` may post prices from now on (`allowed`), or no longer. */
export declare function PosterSet(account: Indexed<Address>, allowed: bool): void;
/** The owner offered the ownership to `next`, who must accept it (`acceptOwnership`). */
export declare function OwnershipTransferStarted(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
