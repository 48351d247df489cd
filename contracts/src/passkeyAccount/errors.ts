// Errors of the passkey account (read by the build).
import { Address } from "../../sdk/index";

export declare function BadPublicKey(length: u32): void;
/** Only the account itself (a call in one of its own transactions) may do this. */
export declare function NotSelf(caller: Address): void;
