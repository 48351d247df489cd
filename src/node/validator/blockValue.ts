/**
 * A block as the value consensus agrees on: what a validator needs to re-execute it and
 * nothing it can recompute. id(v) is the block's header hash, which the proposer computed by
 * executing it; every other validator executes the same transactions on the same parent with
 * the same context and must arrive at the same header (state root, tx root, receipts root):
 * that is valid(v) (`chainApplication.ts`).
 *
 *   version u8 ‖ number u64 ‖ parent hash 32 ‖ time u64 ‖ fee recipient 20 ‖ base fee u64 ‖
 *   header hash 32 ‖ count u32 ‖ count × (u32 length ‖ raw transaction ≤ MAX_TX_BYTES)
 *
 * Decoding is bounded (count, each transaction, trailing bytes) and throws
 * `ConsensusDecodeError`; the value's size as a whole is bounded by the consensus codec.
 */
import { MAX_TX_BYTES } from "../../chain/tx/envelope.js";
import { type Address, addressFromBytes, addressToBytes } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { ConsensusDecodeError } from "../../consensus/errors.js";
import type { Value } from "../../consensus/types.js";
import { Reader, Writer } from "../../consensus/wire.js";

export const BLOCK_VALUE_VERSION = 1;
export const MAX_BLOCK_VALUE_TXS = 100_000;

export interface BlockValue {
  readonly number: number;
  readonly parentHash: `0x${string}`;
  readonly time: number;
  readonly feeRecipient: Address;
  readonly baseFee: bigint;
  /** The header hash the proposer computed: id(v). */
  readonly headerHash: `0x${string}`;
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
    .u32(b.rawTxs.length);
  for (const raw of b.rawTxs) w.bytes(raw);
  return { hash: fromHex(b.headerHash), bytes: w.finish() };
}

export function decodeBlockValue(bytes: Uint8Array): BlockValue {
  const r = new Reader(bytes, "block value");
  const version = r.u8("version");
  if (version !== BLOCK_VALUE_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `block value version ${version}, this node reads ${BLOCK_VALUE_VERSION}`,
    );
  }
  const number = r.u64("number");
  const parentHash = `0x${toHex(r.fixed(32, "parent hash"))}` as const;
  const time = r.u64("time");
  const feeRecipient = addressFromBytes(r.fixed(20, "fee recipient"));
  const baseFee = r.bigU64("base fee");
  const headerHash = `0x${toHex(r.fixed(32, "header hash"))}` as const;
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
  return { number, parentHash, time, feeRecipient, baseFee, headerHash, rawTxs };
}
