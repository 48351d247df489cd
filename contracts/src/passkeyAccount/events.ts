// Events of the passkey account (read by the build).
export declare function KeyRotated(publicKey: Uint8Array): void;
export declare function SessionGranted(key: Uint8Array, expiry: u64): void;
export declare function SessionRevoked(key: Uint8Array): void;
