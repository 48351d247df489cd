/**
 * The wire form of consensus messages: `version(1) ‖ kind(1) ‖ fields`, big-endian.
 *
 *   proposal (kind 1): height u64 ‖ round u32 ‖ polRound i32 ‖ proposer u16 ‖ id(v) 32 ‖
 *                      value (u32 length ‖ bytes, at most `maxValueBytes`) ‖ signature 96
 *   vote     (kind 2): type u8 (1 prevote, 2 precommit) ‖ height u64 ‖ round u32 ‖
 *                      flag u8 (0 nil, 1 value) ‖ id(v) or 32 zeros ‖ validator u16 ‖ signature 96
 *
 * Decoding checks every bound (sizes first, then ranges: round < 2^31, -1 ≤ polRound < round,
 * a nil vote's hash all zeros) and throws a `ConsensusDecodeError` with a code. It does not
 * check signatures or that id(v) is the value's hash: that needs the validator set and the
 * application (`driver.ts` does both before the state machine sees the message).
 */
import { ConsensusDecodeError } from "./errors.js";
import {
  type ConsensusMessage,
  HASH_LENGTH,
  MAX_ROUND,
  type Proposal,
  SIGNATURE_LENGTH,
  type Vote,
  VoteType,
} from "./types.js";
import { Reader, Writer } from "./wire.js";

export const MESSAGE_VERSION = 1;
export const DEFAULT_MAX_VALUE_BYTES = 8 * 1024 * 1024;
const KIND_PROPOSAL = 1;
const KIND_VOTE = 2;

export function encodeProposal(p: Proposal): Uint8Array {
  return new Writer()
    .u8(MESSAGE_VERSION)
    .u8(KIND_PROPOSAL)
    .u64(p.height)
    .u32(p.round)
    .i32(p.polRound)
    .u16(p.proposer)
    .fixed(p.value.hash)
    .bytes(p.value.bytes)
    .fixed(p.signature)
    .finish();
}

export function encodeVote(v: Vote): Uint8Array {
  return new Writer()
    .u8(MESSAGE_VERSION)
    .u8(KIND_VOTE)
    .u8(v.type)
    .u64(v.height)
    .u32(v.round)
    .u8(v.valueHash === null ? 0 : 1)
    .fixed(v.valueHash ?? new Uint8Array(HASH_LENGTH))
    .u16(v.validator)
    .fixed(v.signature)
    .finish();
}

export function encodeMessage(m: ConsensusMessage): Uint8Array {
  return m.kind === "proposal" ? encodeProposal(m.proposal) : encodeVote(m.vote);
}

export function decodeMessage(bytes: Uint8Array, options: { maxValueBytes?: number } = {}): ConsensusMessage {
  const maxValue = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (bytes.length > maxValue + 256) {
    throw new ConsensusDecodeError(
      "TOO_LARGE",
      `consensus message of ${bytes.length} bytes, above ${maxValue + 256}`,
    );
  }
  const r = new Reader(bytes, "consensus message");
  const version = r.u8("version");
  if (version !== MESSAGE_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `consensus message version ${version}, this node reads ${MESSAGE_VERSION}`,
    );
  }
  const kind = r.u8("kind");
  if (kind === KIND_PROPOSAL) return { kind: "proposal", proposal: readProposal(r, maxValue) };
  if (kind === KIND_VOTE) return { kind: "vote", vote: readVote(r) };
  throw new ConsensusDecodeError(
    "UNKNOWN_KIND",
    `consensus message kind ${kind} is neither 1 (proposal) nor 2 (vote)`,
  );
}

function readRound(r: Reader): number {
  const round = r.u32("round");
  if (round > MAX_ROUND) throw new ConsensusDecodeError("OUT_OF_RANGE", `round ${round} is above 2^31-1`);
  return round;
}

function readProposal(r: Reader, maxValue: number): Proposal {
  const height = r.u64("height");
  const round = readRound(r);
  const polRound = r.i32("polRound");
  if (polRound < -1 || polRound >= round) {
    throw new ConsensusDecodeError(
      "OUT_OF_RANGE",
      `polRound ${polRound} is not -1 or below the round ${round}`,
    );
  }
  const proposer = r.u16("proposer");
  const hash = r.fixed(HASH_LENGTH, "value hash");
  const value = r.bytes(maxValue, "value");
  const signature = r.fixed(SIGNATURE_LENGTH, "signature");
  r.end();
  return { height, round, polRound, proposer, value: { hash, bytes: value }, signature };
}

function readVote(r: Reader): Vote {
  const type = r.u8("vote type");
  if (type !== VoteType.Prevote && type !== VoteType.Precommit) {
    throw new ConsensusDecodeError("BAD_FIELD", `vote type ${type} is neither 1 (prevote) nor 2 (precommit)`);
  }
  const height = r.u64("height");
  const round = readRound(r);
  const flag = r.u8("nil flag");
  const hash = r.fixed(HASH_LENGTH, "value hash");
  if (flag > 1) throw new ConsensusDecodeError("BAD_FIELD", `vote nil flag ${flag} is neither 0 nor 1`);
  if (flag === 0 && hash.some((b) => b !== 0)) {
    throw new ConsensusDecodeError("BAD_FIELD", "a nil vote carries a non-zero value hash");
  }
  const validator = r.u16("validator");
  const signature = r.fixed(SIGNATURE_LENGTH, "signature");
  r.end();
  return { type, height, round, valueHash: flag === 0 ? null : hash, validator, signature };
}
