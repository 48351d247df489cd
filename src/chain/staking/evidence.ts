/**
 * Double-signing evidence as the staking step sees it. Consensus owns the evidence itself
 * (`src/consensus/evidence.ts`: two conflicting votes, their canonical encoding and the
 * signature check); the node checks it against the chain before a block may carry it
 * (`src/node/validator/evidenceCheck.ts`: the set of its height, its age, whether the
 * validator was already punished). Only what passes becomes a `VerifiedEquivocation`,
 * which the end-of-block step turns into `slashEquivocation` on the staking contract (the
 * contract cannot check BLS votes itself: it trusts the protocol caller, and the protocol
 * only passes verified evidence).
 */
import type { Address } from "../../codec/address.js";

/** Evidence the node verified: who double signed, and at which height. */
export interface VerifiedEquivocation {
  validator: Address;
  height: bigint;
}

/**
 * Why evidence was refused:
 * - `MALFORMED`: it does not decode (or is over its size);
 * - `FORGED`: the votes do not conflict, or a signature is not the validator's;
 * - `UNKNOWN_VALIDATOR`: the voter is not in the set of the votes' height;
 * - `FUTURE`: its height is not below the block that would carry it;
 * - `EXPIRED`: older than the network's evidence age, or its height's set is gone;
 * - `ALREADY_PUNISHED`: the validator is tombstoned already;
 * - `DUPLICATE`: the same validator twice in one block, or evidence already held.
 */
export type EvidenceErrorCode =
  | "MALFORMED"
  | "FORGED"
  | "UNKNOWN_VALIDATOR"
  | "FUTURE"
  | "EXPIRED"
  | "ALREADY_PUNISHED"
  | "DUPLICATE";

export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: EvidenceErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.name = "EvidenceError";
    this.code = code;
    this.details = details;
  }
}
