// Errors of the Merkle airdrop (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** The claim at `index` was made already. */
export declare function AlreadyClaimed(index: u64): void;
/** The proof does not lead from the leaf (index, account, amount) to the root. */
export declare function InvalidProof(index: u64, account: Address, amount: U128): void;
/** A proof longer than any tree of 2^64 leaves needs. */
export declare function ProofTooLong(length: u32, max: u32): void;
/** Claims closed at `endTime` (seconds). */
export declare function ClaimWindowFinished(endTime: u64): void;
/** Unclaimed tokens can be withdrawn only after `endTime` (seconds), and only by the owner. */
export declare function ClaimWindowNotFinished(endTime: u64): void;
/** Only the owner may withdraw what is left after the window. */
export declare function NotOwner(caller: Address): void;
/** The token refused to pay. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
/** The end time is in the past at deployment. */
export declare function InvalidEndTime(endTime: u64, now: u64): void;
