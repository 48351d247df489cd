// Errors of the probe contract (read by the build).
export declare function Refused(reason: string, code: u32): void;
