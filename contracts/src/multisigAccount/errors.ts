// Errors of the multisig account (read by the build).
/** The threshold must be between 1 and the number of signers. */
export declare function BadThreshold(threshold: u32, signers: u32): void;
/** A signer of an unknown scheme, or a key of the wrong length for its scheme. */
export declare function BadSigner(index: u32): void;
