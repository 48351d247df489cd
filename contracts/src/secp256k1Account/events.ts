// Events of the secp256k1 account (read by the build).
import { Address } from "../../sdk/index";

export declare function OwnerChanged(owner: Address): void;
export declare function SessionGranted(key: Uint8Array, expiry: u64): void;
export declare function SessionRevoked(key: Uint8Array): void;
