/**
 * The consensus messages and their parts. A value is the thing agreed on (a block); the
 * protocol only handles its bytes and its 32-byte hash, `id(v)` in the paper. Heights are
 * safe integers, rounds 32-bit: both are checked at every decode.
 */

export type Hash = Uint8Array;

export const HASH_LENGTH = 32;
/** A compressed BLS12-381 G1 public key (min-pk). */
export const PUBLIC_KEY_LENGTH = 48;
/** A compressed BLS12-381 G2 signature (min-pk). */
export const SIGNATURE_LENGTH = 96;
/** Rounds are 32-bit; a round this large would take longer than the universe to reach. */
export const MAX_ROUND = 0x7fffffff;

export enum VoteType {
  Prevote = 1,
  Precommit = 2,
}

/** The steps of a round, in the order a validator goes through them. */
export enum Step {
  Propose = 1,
  Prevote = 2,
  Precommit = 3,
}

export interface Value {
  readonly hash: Hash;
  readonly bytes: Uint8Array;
}

export interface UnsignedProposal {
  readonly height: number;
  readonly round: number;
  /** The round in which the value got +2/3 prevotes (validRound), or -1. */
  readonly polRound: number;
  readonly value: Value;
  readonly proposer: number;
}

export interface Proposal extends UnsignedProposal {
  readonly signature: Uint8Array;
}

export interface UnsignedVote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  /** The value's hash, or null for a nil vote. */
  readonly valueHash: Hash | null;
  readonly validator: number;
}

export interface Vote extends UnsignedVote {
  readonly signature: Uint8Array;
}

export type ConsensusMessage =
  | { readonly kind: "proposal"; readonly proposal: Proposal }
  | { readonly kind: "vote"; readonly vote: Vote };
