// Events of the passkeyAccount (read by the build).
import { Address, Indexed } from "../../sdk/index";

export declare function KeyRotated(publicKey: Uint8Array): void;
export declare function GuardiansSet(guardians: Address[], threshold: u32, delay: u64): void;
export declare function RecoveryApproved(
  guardian: Indexed<Address>,
  publicKey: Uint8Array,
  approvals: u32,
): void;
export declare function RecoveryCancelled(): void;
export declare function SessionGranted(key: Uint8Array, expiry: u64): void;
export declare function SessionRevoked(key: Uint8Array): void;
