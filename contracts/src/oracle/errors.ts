// Errors of the price oracle (read by the build).
import { Address } from "../../sdk/index";

export declare function NotOwner(caller: Address): void;
/** Only the pending owner (named by `transferOwnership`) may accept the ownership. */
export declare function NotPendingOwner(caller: Address): void;
/** Only a poster (or the owner) may post prices. */
export declare function NotPoster(caller: Address): void;
export declare function NoPrice(asset: Address): void;
/** The price is older than the oracle's maximum age. */
export declare function StalePrice(asset: Address, updatedAt: u64, now: u64): void;
