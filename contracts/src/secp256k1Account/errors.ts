// Errors of the secp256k1 account (read by the build).
import { Address } from "../../sdk/index";

/** Only the account itself (a call in one of its own transactions) may do this. */
export declare function NotSelf(caller: Address): void;
