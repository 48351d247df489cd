/**
 * Evidence of double signing: two votes signed by the same validator for the same height,
 * round and type, for different values (nil against a value counts). Honest validators never
 * sign two (`signGuard.ts` refuses), so the pair proves the key's owner misbehaved. Anyone
 * holding the height's validator set checks it (`verifyEvidence`); the staking contract
 * slashes and tombstones the validator it names.
 *
 * The two votes are kept in a canonical order (by their value keys, nil first), so the same
 * misbehaviour seen by many nodes is one piece of evidence with one hash.
 *
 *   encoding: version u8 ‖ vote (u32 length ‖ message codec) ‖ vote (u32 length ‖ message codec)
 */
import { toHex } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { verifySignature } from "./bls.js";
import { ConsensusDecodeError, ConsensusError } from "./errors.js";
import { decodeMessage, encodeVote } from "./messageCodec.js";
import { voteSigningBytes } from "./signingBytes.js";
import type { Vote } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";
import { valueKey } from "./voteSet.js";
import { Reader, Writer } from "./wire.js";

export interface DuplicateVoteEvidence {
  readonly first: Vote;
  readonly second: Vote;
}

const EVIDENCE_VERSION = 1;
const MAX_VOTE_BYTES = 256;

/** Evidence from two conflicting votes, in canonical order. */
export function duplicateVoteEvidence(a: Vote, b: Vote): DuplicateVoteEvidence {
  return valueKey(a.valueHash) < valueKey(b.valueHash) ? { first: a, second: b } : { first: b, second: a };
}

/** Throws `BAD_EVIDENCE` unless the two votes are a double sign by a validator of `set` on `chainId`. */
export function verifyEvidence(ev: DuplicateVoteEvidence, set: ValidatorSet, chainId: string): void {
  const { first: a, second: b } = ev;
  const fail = (why: string): never => {
    throw new ConsensusError("BAD_EVIDENCE", `duplicate vote evidence: ${why}`);
  };
  if (a.validator !== b.validator) fail(`the votes are by validators ${a.validator} and ${b.validator}`);
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    fail("the votes are not for the same height, round and type");
  }
  if (!(valueKey(a.valueHash) < valueKey(b.valueHash)))
    fail("the votes are for the same value, or out of order");
  if (a.validator >= set.size) fail(`validator ${a.validator} is outside the set of ${set.size}`);
  const key = set.key(a.validator);
  for (const v of [a, b]) {
    if (!verifySignature(key, voteSigningBytes(chainId, v), v.signature))
      fail("a vote's signature does not verify");
  }
}

export function evidenceHash(ev: DuplicateVoteEvidence): Uint8Array {
  return sha256(encodeEvidence(ev));
}

export function encodeEvidence(ev: DuplicateVoteEvidence): Uint8Array {
  return new Writer().u8(EVIDENCE_VERSION).bytes(encodeVote(ev.first)).bytes(encodeVote(ev.second)).finish();
}

export function decodeEvidence(bytes: Uint8Array): DuplicateVoteEvidence {
  const r = new Reader(bytes, "evidence");
  const version = r.u8("version");
  if (version !== EVIDENCE_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `evidence version ${version}, this node reads ${EVIDENCE_VERSION}`,
    );
  }
  const votes = [r.bytes(MAX_VOTE_BYTES, "first vote"), r.bytes(MAX_VOTE_BYTES, "second vote")].map((b) => {
    const m = decodeMessage(b);
    if (m.kind !== "vote")
      throw new ConsensusDecodeError("BAD_FIELD", "evidence holds a proposal, not a vote");
    return m.vote;
  });
  r.end();
  return { first: votes[0] as Vote, second: votes[1] as Vote };
}

/** Evidence of each double vote once: the driver reports a pair of votes the first time it sees them only. */
export class EvidenceOnce {
  private readonly seen = new Set<string>();

  /** The evidence of `a` and `b`, or null when it was returned before. */
  fresh(a: Vote, b: Vote): DuplicateVoteEvidence | null {
    const evidence = duplicateVoteEvidence(a, b);
    const key = toHex(evidenceHash(evidence));
    if (this.seen.has(key)) return null;
    this.seen.add(key);
    return evidence;
  }
}
