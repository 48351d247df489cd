/**
 * The wire form of consensus messages: `version(1) ‖ kind(1) ‖ fields`, big-endian.
 *
 *   proposal (kind 1): height u64 ‖ round u32 ‖ polRound i32 ‖ proposer u16 ‖ id(v) 32 ‖
 *                      value (u32 length ‖ bytes, at most `maxValueBytes`) ‖ signature 96
 *   vote     (kind 2): type u8 (1 prevote, 2 precommit) ‖ height u64 ‖ round u32 ‖
 *                      flag u8 (0 nil, 1 value) ‖ id(v) or 32 zeros ‖ validator u16 ‖ signature 96
 *
 *   bundle   (kind 3): nonce u64 ‖ count u8 (1..8) ‖ count × (u32 length ‖ a proposal or vote as above)
 *
 * A bundle is how a validator sends its latest messages again (`driver.ts` rebroadcast): gossip
 * drops a message it has seen (by content), so the same bytes sent twice reach nobody; a fresh
 * nonce makes the bundle new while its messages stay the signed originals.
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
const KIND_BUNDLE = 3;
export const MAX_BUNDLE_MESSAGES = 8;

/** A reader over a consensus message (any kind) past its version, which must be this node's. */
export function openMessage(bytes: Uint8Array, what: string): Reader {
  const r = new Reader(bytes, what);
  const version = r.u8("version");
  if (version !== MESSAGE_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `consensus message version ${version}, this node reads ${MESSAGE_VERSION}`,
    );
  }
  return r;
}

/** Several encoded messages in one, with a nonce that makes the bytes new. */
export function encodeBundle(messages: readonly Uint8Array[], nonce: bigint): Uint8Array {
  if (messages.length === 0 || messages.length > MAX_BUNDLE_MESSAGES) {
    throw new RangeError(`a bundle holds 1 to ${MAX_BUNDLE_MESSAGES} messages, got ${messages.length}`);
  }
  const w = new Writer().u8(MESSAGE_VERSION).u8(KIND_BUNDLE).bigU64(nonce).u8(messages.length);
  for (const m of messages) w.bytes(m);
  return w.finish();
}

/** The messages of a bundle, or null when `bytes` is not one (a plain proposal or vote). */
export function decodeBundle(
  bytes: Uint8Array,
  options: { maxValueBytes?: number } = {},
): Uint8Array[] | null {
  if (bytes.length < 2 || bytes[1] !== KIND_BUNDLE) return null;
  const maxValue = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (bytes.length > maxValue + 256 * MAX_BUNDLE_MESSAGES) {
    throw new ConsensusDecodeError("TOO_LARGE", `consensus bundle of ${bytes.length} bytes`);
  }
  const r = openMessage(bytes, "consensus bundle");
  r.u8("kind");
  r.bigU64("nonce");
  const count = r.u8("count");
  if (count === 0 || count > MAX_BUNDLE_MESSAGES) {
    throw new ConsensusDecodeError(
      "OUT_OF_RANGE",
      `a bundle of ${count} messages (1 to ${MAX_BUNDLE_MESSAGES})`,
    );
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const inner = r.bytes(maxValue + 256, `message ${i}`);
    if (inner[1] === KIND_BUNDLE) throw new ConsensusDecodeError("BAD_FIELD", "a bundle inside a bundle");
    out.push(inner);
  }
  r.end();
  return out;
}

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
  const r = openMessage(bytes, "consensus message");
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
