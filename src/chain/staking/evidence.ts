/**
 * Double-signing evidence: two votes by one validator for the same height, round and step
 * with different block hashes, both validly signed. Any node may submit it; the proposer
 * includes it in a block; every node verifies it when it checks the block, before
 * execution, against the validator set of the infraction's epoch (`readValidatorSet`).
 * Only what passes becomes a `VerifiedEquivocation`, which the end-of-block step turns
 * into `slashEquivocation` on the staking contract (the contract cannot check BLS votes
 * itself: it trusts the protocol caller, and the protocol only passes verified evidence).
 *
 * The consensus module owns the vote format: it supplies `signBytes`, the canonical bytes
 * a vote's BLS signature covers.
 */
import type { Address } from "../../codec/address.js";
import { verifyBls } from "../../codec/bls.js";
import type { ValidatorSet } from "./validatorSet.js";

export interface EvidenceVote {
  height: bigint;
  round: number;
  /** The vote's step (e.g. prevote, precommit), as the consensus module numbers them. */
  step: number;
  /** Hex hash of the block voted for; null for a nil vote. */
  blockHash: string | null;
  /** The voter's index in the set of the height's epoch. */
  validatorIndex: number;
  /** 96-byte BLS signature over `signBytes(vote)`. */
  signature: Uint8Array;
}

export interface DoubleSignEvidence {
  a: EvidenceVote;
  b: EvidenceVote;
}

/** Evidence the node verified: who double signed, and at which height. */
export interface VerifiedEquivocation {
  validator: Address;
  height: bigint;
}

export type EvidenceErrorCode = "NOT_CONFLICTING" | "UNKNOWN_VALIDATOR" | "BAD_SIGNATURE";

export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode;
  constructor(code: EvidenceErrorCode, message: string) {
    super(message);
    this.name = "EvidenceError";
    this.code = code;
  }
}

/** Verifies `evidence` against the validator set of its height; throws `EvidenceError` when it does not prove double signing. */
export function verifyDoubleSign(
  evidence: DoubleSignEvidence,
  set: ValidatorSet,
  signBytes: (vote: EvidenceVote) => Uint8Array,
): VerifiedEquivocation {
  const { a, b } = evidence;
  if (a.height !== b.height || a.round !== b.round || a.step !== b.step)
    throw new EvidenceError(
      "NOT_CONFLICTING",
      `the votes are for different positions (height ${a.height}/${b.height}, round ${a.round}/${b.round}, step ${a.step}/${b.step})`,
    );
  if (a.validatorIndex !== b.validatorIndex)
    throw new EvidenceError(
      "NOT_CONFLICTING",
      `the votes are by different validators (${a.validatorIndex}, ${b.validatorIndex})`,
    );
  if (a.blockHash === b.blockHash)
    throw new EvidenceError("NOT_CONFLICTING", "the votes are for the same block: not a double sign");
  const member = set.validators[a.validatorIndex];
  if (member === undefined)
    throw new EvidenceError(
      "UNKNOWN_VALIDATOR",
      `validator index ${a.validatorIndex} is not in the set of epoch ${set.epoch} (${set.validators.length} validators)`,
    );
  for (const [which, vote] of [
    ["first", a],
    ["second", b],
  ] as const) {
    if (!verifyBls(member.blsKey, signBytes(vote), vote.signature))
      throw new EvidenceError("BAD_SIGNATURE", `the ${which} vote's signature is not ${member.address}'s`);
  }
  return { validator: member.address, height: a.height };
}
