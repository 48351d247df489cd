/**
 * The bytes a validator signs. Each starts with `CONSENSUS_TAG`, then the chain id (so a
 * signature on one chain means nothing on another, testnets included), then a kind byte, then
 * the fields of the message in a fixed layout. Different kinds, chains or fields always give
 * different bytes: two signatures over the same bytes are never a conflict, and two over
 * different bytes for the same (height, round, step) always are (`signGuard.ts`).
 *
 * Precommits for a block carry no validator index: every validator signs the same bytes, so
 * a commit certificate aggregates them into one signature checked with one pairing
 * (`certificate.ts`). The signature itself says who signed.
 *
 * A proposal signs its value's bytes (their SHA-256) as well as id(v): id(v) is the
 * application's (a block's header hash), which the bytes only claim, and nodes judge and
 * remember a value by id(v). Without the bytes in the signature any peer could forward the
 * proposer's signature over altered bytes, first: every validator would find that value
 * invalid, remember id(v) as invalid and prevote nil, a halt for as long as it wins the race.
 */
import { utf8 } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { HASH_LENGTH, type UnsignedProposal, type UnsignedVote, VoteType } from "./types.js";
import { Writer } from "./wire.js";

export const CONSENSUS_TAG = utf8("weft/consensus/v1\0");
export const MAX_CHAIN_ID_LENGTH = 64;

const KIND_PROPOSAL = 1;
const KIND_PREVOTE = 2;
const KIND_PRECOMMIT = 3;

const NIL = new Uint8Array(HASH_LENGTH);

function header(chainId: string, kind: number): Writer {
  const id = utf8(chainId);
  if (id.length === 0 || id.length > MAX_CHAIN_ID_LENGTH) {
    throw new RangeError(`a chain id is 1 to ${MAX_CHAIN_ID_LENGTH} bytes, got ${id.length}`);
  }
  return new Writer().fixed(CONSENSUS_TAG).u8(id.length).fixed(id).u8(kind);
}

export function proposalSigningBytes(chainId: string, p: UnsignedProposal): Uint8Array {
  return header(chainId, KIND_PROPOSAL)
    .u64(p.height)
    .u32(p.round)
    .i32(p.polRound)
    .fixed(p.value.hash)
    .fixed(sha256(p.value.bytes))
    .finish();
}

/** A vote's signing bytes: a nil vote signs a flag 0 and 32 zero bytes, a vote for v a flag 1 and id(v). */
export function voteSigningBytes(chainId: string, v: Omit<UnsignedVote, "validator">): Uint8Array {
  const kind = v.type === VoteType.Prevote ? KIND_PREVOTE : KIND_PRECOMMIT;
  return header(chainId, kind)
    .u64(v.height)
    .u32(v.round)
    .u8(v.valueHash === null ? 0 : 1)
    .fixed(v.valueHash ?? NIL)
    .finish();
}
