/**
 * A block as the value consensus agrees on: what a validator needs to re-execute it and
 * nothing it can recompute. id(v) is the block's header hash, which the proposer computed by
 * executing it; every other validator executes the same transactions on the same parent with
 * the same context and must arrive at the same header (state root, tx root, receipts root):
 * that is valid(v) (`chainApplication.ts`).
 *
 *   version u8 ‖ number u64 ‖ parent hash 32 ‖ time u64 ‖ fee recipient 20 ‖ base fee u64 ‖
 *   header hash 32 ‖ proposer u16 ‖ last commit (u32 length ‖ certificate, 0 for none) ‖
 *   evidence count u16 ‖ count × (u32 length ‖ evidence) ‖
 *   tx count u32 ‖ count × (u32 length ‖ raw transaction ≤ MAX_TX_BYTES)
 *
 * The proposer (its index in the height's set), the certificate of the block before (which
 * validators signed it: rewards and downtime) and the double-sign evidence are what the
 * end-of-block staking step needs (`EndBlockInput`); they travel in the value so every
 * validator executes the block with the same ones.
 *
 * Decoding is bounded (count, each transaction, trailing bytes) and throws
 * `ConsensusDecodeError`; the value's size as a whole is bounded by the consensus codec.
 */
import { MAX_TX_BYTES } from "../../chain/tx/envelope.js";
import { type Address, addressFromBytes, addressToBytes } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { type CommitCertificate, decodeCertificate, encodeCertificate } from "../../consensus/certificate.js";
import { ConsensusDecodeError } from "../../consensus/errors.js";
import { type DuplicateVoteEvidence, decodeEvidence, encodeEvidence } from "../../consensus/evidence.js";
import type { Value } from "../../consensus/types.js";
import { Reader, Writer } from "../../consensus/wire.js";

export const BLOCK_VALUE_VERSION = 1;
export const MAX_BLOCK_VALUE_TXS = 100_000;
export const MAX_BLOCK_EVIDENCE = 64;
const MAX_EVIDENCE_BYTES = 1024;
const MAX_CERTIFICATE_BYTES = 1024;

export interface BlockValue {
  readonly number: number;
  readonly parentHash: `0x${string}`;
  readonly time: number;
  readonly feeRecipient: Address;
  readonly baseFee: bigint;
  /** The header hash the proposer computed: id(v). */
  readonly headerHash: `0x${string}`;
  /** Index of the validator that built the block, in the height's set. */
  readonly proposer: number;
  /** The certificate of block number - 1; null in block 1. */
  readonly lastCommit: CommitCertificate | null;
  readonly evidence: readonly DuplicateVoteEvidence[];
  readonly rawTxs: readonly Uint8Array[];
}

export function encodeBlockValue(b: BlockValue): Value {
  const w = new Writer()
    .u8(BLOCK_VALUE_VERSION)
    .u64(b.number)
    .fixed(fromHex(b.parentHash))
    .u64(b.time)
    .fixed(addressToBytes(b.feeRecipient))
    .bigU64(b.baseFee)
    .fixed(fromHex(b.headerHash))
    .u16(b.proposer)
    .bytes(b.lastCommit === null ? new Uint8Array(0) : encodeCertificate(b.lastCommit))
    .u16(b.evidence.length);
  for (const e of b.evidence) w.bytes(encodeEvidence(e));
  w.u32(b.rawTxs.length);
  for (const raw of b.rawTxs) w.bytes(raw);
  return { hash: fromHex(b.headerHash), bytes: w.finish() };
}

/** The fixed part of a value, before its certificate: version ‖ number ‖ parent ‖ time ‖ recipient ‖ fee ‖ hash ‖ proposer. */
const FIXED_PREFIX_BYTES = 1 + 8 + 32 + 8 + 20 + 8 + 32 + 2;
/** How much of a value (hex) `decodeValueHead` needs at most: the prefix and the longest certificate. */
export const VALUE_HEAD_HEX_CHARS = 2 * (FIXED_PREFIX_BYTES + 4 + MAX_CERTIFICATE_BYTES);

/**
 * The proposer and last commit of a value, read from its first bytes only (the rest, its
 * evidence and transactions, is not decoded): what the uptime of a window of blocks needs.
 */
export function decodeValueHead(bytes: Uint8Array): Pick<BlockValue, "number" | "proposer" | "lastCommit"> {
  const r = valueReader(bytes);
  const number = r.u64("number");
  r.fixed(32 + 8 + 20, "parent hash, time and fee recipient");
  r.bigU64("base fee");
  r.fixed(32, "header hash");
  const proposer = r.u16("proposer");
  const certificate = r.bytes(MAX_CERTIFICATE_BYTES, "last commit");
  return { number, proposer, lastCommit: certificate.length === 0 ? null : decodeCertificate(certificate) };
}

/**
 * The height and header hash a value's bytes declare, from its first 111 bytes only: what a
 * decision's bytes must name (its certified height and hash) before anything else is read.
 */
export function declaredValueId(bytes: Uint8Array): { number: number; headerHash: Uint8Array } {
  const r = valueReader(bytes);
  const number = r.u64("number");
  r.fixed(32 + 8 + 20, "parent hash, time and fee recipient");
  r.bigU64("base fee");
  return { number, headerHash: r.fixed(32, "header hash") };
}

/** A reader past the value's version byte; throws `BAD_VERSION` for another version. */
function valueReader(bytes: Uint8Array): Reader {
  const r = new Reader(bytes, "block value");
  const version = r.u8("version");
  if (version !== BLOCK_VALUE_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `block value version ${version}, this node reads ${BLOCK_VALUE_VERSION}`,
    );
  }
  return r;
}

export function decodeBlockValue(bytes: Uint8Array): BlockValue {
  const r = valueReader(bytes);
  const number = r.u64("number");
  const parentHash = `0x${toHex(r.fixed(32, "parent hash"))}` as const;
  const time = r.u64("time");
  const feeRecipient = addressFromBytes(r.fixed(20, "fee recipient"));
  const baseFee = r.bigU64("base fee");
  const headerHash = `0x${toHex(r.fixed(32, "header hash"))}` as const;
  const proposer = r.u16("proposer");
  const certificate = r.bytes(MAX_CERTIFICATE_BYTES, "last commit");
  const lastCommit = certificate.length === 0 ? null : decodeCertificate(certificate);
  const evidenceCount = r.u16("evidence count");
  if (evidenceCount > MAX_BLOCK_EVIDENCE) {
    throw new ConsensusDecodeError(
      "TOO_LARGE",
      `block value holds ${evidenceCount} pieces of evidence, above ${MAX_BLOCK_EVIDENCE}`,
    );
  }
  const evidence: DuplicateVoteEvidence[] = [];
  for (let i = 0; i < evidenceCount; i++)
    evidence.push(decodeEvidence(r.bytes(MAX_EVIDENCE_BYTES, `evidence ${i}`)));
  const count = r.u32("transaction count");
  if (count > MAX_BLOCK_VALUE_TXS) {
    throw new ConsensusDecodeError(
      "TOO_LARGE",
      `block value holds ${count} transactions, above ${MAX_BLOCK_VALUE_TXS}`,
    );
  }
  const rawTxs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) rawTxs.push(r.bytes(MAX_TX_BYTES, `transaction ${i}`));
  r.end();
  return {
    number,
    parentHash,
    time,
    feeRecipient,
    baseFee,
    headerHash,
    proposer,
    lastCommit,
    evidence,
    rawTxs,
  };
}
