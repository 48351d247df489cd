// Errors of the secp256k1Account (read by the build).
import { Address } from "../../sdk/index";

/** Only the account itself (a call in one of its own transactions) may do this. */
export declare function NotSelf(caller: Address): void;
export declare function NotGuardian(caller: Address): void;
export declare function BadThreshold(threshold: u32, guardians: u32): void;
/** Guardians must approve the same new key; a different key starts a new recovery. */
export declare function NoRecovery(): void;
export declare function RecoveryNotReady(readyAt: u64, now: u64): void;
export declare function NotEnoughApprovals(approvals: u32, threshold: u32): void;
