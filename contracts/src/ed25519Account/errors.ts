// Errors of the ed25519 account (read by the build).
export declare function BadPublicKey(length: u32): void;
