// Errors of the storage cache fixture (read by the build).
export declare function Mismatch(step: u32): void;
