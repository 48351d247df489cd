// Errors of the passkey account (read by the build).
export declare function BadPublicKey(length: u32): void;
