/**
 * What the node stores and serves about blocks, transactions, receipts and logs, in the
 * JSON shape RPC clients see (hashes and bytes as 0x hex, amounts as decimal strings).
 */
import type { BlockHeader, Hex } from "../../chain/blockHeader.js";
import type { Receipt } from "../../chain/receipt.js";
import type { Address } from "../../codec/address.js";
import { concatBytes, fromHex, toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { MAX_RETURN_BYTES, MAX_TX_EVENT_BYTES, MAX_TX_EVENTS } from "../../vm/limits.js";
import type { LogEvent } from "../../vm/txState.js";

export type { BlockHeader, Hex } from "../../chain/blockHeader.js";
export { blockHash } from "../../chain/blockHeader.js";

/** How the engine ran a block (for the explorer's view of parallel execution). */
export interface BlockExecutionStats {
  mode: string;
  workers: number;
  executions: number;
  validationAborts: number;
  dependencyWaits: number;
  executeMs: number;
  stateRootMs: number;
  /** Known only after the commit: in logs and metrics, absent from the stored record. */
  commitMs?: number;
  /** Parallel blocks: each task on each worker (µs since the block's start), at most `MAX_TIMELINE_TASKS`. */
  timeline?: Array<{
    worker: number;
    tx: number;
    incarnation: number;
    startUs: number;
    endUs: number;
    kind: string;
  }>;
  /** True when the timeline was cut at `MAX_TIMELINE_TASKS`. */
  timelineTruncated?: boolean;
  /** Why the engine ran the block sequentially after trying it in parallel, when it did. */
  fallbackReason?: string;
  /** Parallel blocks the workers cut: execution tasks had been handed out below this transaction when they found the cut. */
  handedOutAtCut?: number;
  /** That abandoned parallel attempt's counters (a contended or failed block). */
  attempt?: { executions: number; validationAborts: number; dependencyWaits: number };
  /** Parallel blocks: main-thread time per engine phase, and each worker's time in the block loop. */
  phases?: { prepareMs: number; workersMs: number; receiptsMs: number; writeSetMs: number };
  workerMs?: number[];
  /** Keys behind validation aborts and dependency waits, most frequent first (at most 20). */
  conflicts?: Array<{ key: string; count: number; txs: number[] }>;
}

export const MAX_TIMELINE_TASKS = 5_000;

export interface StoredBlock {
  header: BlockHeader;
  txHashes: Hex[];
  execution?: BlockExecutionStats;
}

export interface LogJson {
  address: Address;
  topics: string[];
  data: Hex;
  blockNumber: number;
  txHash: Hex;
  txIndex: number;
  logIndex: number;
}

export interface ReceiptJson {
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  txIndex: number;
  status: Receipt["status"];
  gasUsed: number;
  /** Gas counted against the block gas limit when not `gasUsed` (Ethereum transactions: `Receipt.blockGas`). */
  blockGas?: number;
  fee: string;
  output: Hex;
  logs: LogJson[];
  contractAddress?: Address;
  /** An Ethereum transaction's sender, recovered at admission (absent for Weft envelopes, which name theirs). */
  from?: Address;
}

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export function hex(bytes: Uint8Array): Hex {
  return `0x${toHex(bytes)}`;
}

export function unhex(value: string): Uint8Array {
  return fromHex(value.startsWith("0x") ? value.slice(2) : value);
}

/**
 * A receipt in its JSON form. Written field by field (no object spread: a spread of
 * `where` made each receipt an object of its own shape, ~15x slower to build).
 */
export function receiptToJson(
  receipt: Receipt,
  where: { txHash: Hex; blockNumber: number; blockHash: Hex; txIndex: number },
): ReceiptJson {
  const { txHash, blockNumber, txIndex } = where;
  const logs: LogJson[] = new Array(receipt.events.length);
  for (let logIndex = 0; logIndex < logs.length; logIndex++) {
    const e = receipt.events[logIndex] as LogEvent;
    logs[logIndex] = {
      address: e.address,
      topics: e.topics,
      data: hex(e.data),
      blockNumber,
      txHash,
      txIndex,
      logIndex,
    };
  }
  const json: ReceiptJson = {
    txHash,
    blockNumber,
    blockHash: where.blockHash,
    txIndex,
    status: receipt.status,
    gasUsed: receipt.gasUsed,
    fee: receipt.fee.toString(),
    output: hex(receipt.output),
    logs,
  };
  if (receipt.contractAddress !== undefined) json.contractAddress = receipt.contractAddress;
  if (receipt.blockGas !== undefined) json.blockGas = receipt.blockGas;
  return json;
}

export function txRoot(hashes: readonly Hex[]): Hex {
  // The hashes' bytes decoded straight into one buffer (no array per hash).
  let size = 0;
  for (const h of hashes) size += (h.length - 2) >>> 1;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const h of hashes) {
    const bytes = (h.length - 2) >>> 1;
    if (!h.startsWith("0x") || h.length % 2 !== 0 || out.write(h.slice(2), at, "hex") !== bytes)
      return hex(keccak256(concatBytes(...hashes.map(unhex)))); // the general path: throws for bad hex
    at += bytes;
  }
  return hex(keccak256(out));
}

/**
 * The receipts root: keccak256 of `"weft/receipts/v2"` ‖ count u32 ‖ each receipt's
 * `receiptHash`, in block order. Each receipt is hashed on its own (its bytes written into
 * one reused buffer, straight from the hex), so no string or buffer ever holds a whole
 * block's receipts (docs/rpc.md, "Receipts root").
 */
export function receiptsRoot(receipts: readonly ReceiptJson[]): Hex {
  return rootOfHashes(receipts.length, (i) => {
    const r = receipts[i] as ReceiptJson;
    return receiptHashBytes(
      r.txHash,
      r.txIndex,
      r.status,
      r.gasUsed,
      BigInt(r.fee),
      r.output,
      r.contractAddress,
      r.logs,
    );
  });
}

/**
 * `receiptsRoot` of the receipts the engine returned, before any JSON exists (the same
 * bytes, read from the receipts' byte arrays instead of their hex): `txHashes[i]` is
 * receipt i's transaction, at index i.
 */
export function receiptsRootOf(receipts: readonly Receipt[], txHashes: readonly Hex[]): Hex {
  return rootOfHashes(receipts.length, (i) => {
    const r = receipts[i] as Receipt;
    return receiptHashBytes(
      txHashes[i] as Hex,
      i,
      r.status,
      r.gasUsed,
      r.fee,
      r.output,
      r.contractAddress,
      r.events,
    );
  });
}

function rootOfHashes(count: number, hashOf: (i: number) => Uint8Array): Hex {
  const out = new Uint8Array(RECEIPTS_TAG.length + 4 + 32 * count);
  out.set(RECEIPTS_TAG);
  new DataView(out.buffer).setUint32(RECEIPTS_TAG.length, count);
  for (let i = 0; i < count; i++) out.set(hashOf(i), RECEIPTS_TAG.length + 4 + 32 * i);
  return hex(keccak256(out));
}

/**
 * The receipts root of blocks stored before `receiptsRoot` v2: keccak256 of the receipts'
 * JSON without their block hash, in one string. Only for checking those blocks (`weft db
 * check`); a block's receipts too large for one string make it throw.
 */
export function receiptsRootV1(receipts: readonly ReceiptJson[]): Hex {
  const canonical = receipts.map((r) => ({ ...r, blockHash: undefined }));
  return hex(keccak256(utf8(JSON.stringify(canonical))));
}

/**
 * One receipt's hash: keccak256 of its canonical bytes (integers big-endian):
 * `"weft/receipt/v2"` ‖ txHash (32) ‖ txIndex u32 ‖ status (u8 length ‖ UTF-8) ‖
 * gasUsed u64 ‖ fee u128 ‖ output (u32 length ‖ bytes) ‖ contract address (u8 0, or u8 1 ‖
 * 20 bytes) ‖ log count u32 ‖ each log: address (20) ‖ topic count u8 ‖ each topic (u8
 * length ‖ bytes) ‖ data (u32 length ‖ bytes). The block number and hash are not in it
 * (the header carries them).
 */
export function receiptHash(r: ReceiptJson): Hex {
  return hex(
    receiptHashBytes(
      r.txHash,
      r.txIndex,
      r.status,
      r.gasUsed,
      BigInt(r.fee),
      r.output,
      r.contractAddress,
      r.logs,
    ),
  );
}

const RECEIPTS_TAG = utf8("weft/receipts/v2");
const RECEIPT_TAG = utf8("weft/receipt/v2");

/** One buffer reused for every receipt's canonical bytes (grown when a receipt needs more). */
let scratch = Buffer.alloc(64 * 1024);

/** Bytes as an array, or as 0x hex (a stored JSON receipt's). */
type Bytes = Uint8Array | string;
const byteLength = (value: Bytes): number =>
  typeof value === "string" ? (value.length - 2) >>> 1 : value.length;

/**
 * Writes `value` (bytes, or 0x hex as bytes) into `scratch` at `at`; returns the end.
 * Throws for what is not whole 0x hex (a corrupt stored record).
 */
function putBytes(value: Bytes, at: number, txHash: string): number {
  if (typeof value !== "string") {
    scratch.set(value, at);
    return at + value.length;
  }
  const expected = byteLength(value);
  const written = scratch.write(value.slice(2), at, "hex");
  if (written !== expected || !value.startsWith("0x"))
    throw new RangeError(`receipt of ${txHash}: not 0x hex: ${value.slice(0, 80)}`);
  return at + written;
}

/** Writes `n` (a safe integer, or a bigint below 2^64) as u64 big-endian at `at`; returns the end. */
function putU64(n: number | bigint, at: number): number {
  if (typeof n === "bigint") return scratch.writeBigUInt64BE(n, at);
  scratch.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at);
  return scratch.writeUInt32BE(n >>> 0, at + 4);
}

const U64_MASK = 0xffff_ffff_ffff_ffffn;

/** The hash of one receipt's canonical bytes (see `receiptHash`), from its fields. */
function receiptHashBytes(
  txHash: string,
  txIndex: number,
  status: string,
  gasUsed: number,
  fee: bigint,
  output: Bytes,
  contractAddress: string | undefined,
  logs: ReadonlyArray<{ address: string; topics: readonly string[]; data: Bytes }>,
): Uint8Array {
  let size = RECEIPT_TAG.length + 32 + 4 + 1 + status.length + 8 + 16;
  size += 4 + byteLength(output) + 1 + (contractAddress === undefined ? 0 : 20) + 4;
  for (const log of logs) {
    size += 20 + 1 + 4 + byteLength(log.data);
    for (const topic of log.topics) size += 1 + byteLength(topic);
  }
  if (scratch.length < size) scratch = Buffer.alloc(Math.max(size, 2 * scratch.length));
  const out = scratch;
  let at = 0;
  out.set(RECEIPT_TAG, at);
  at += RECEIPT_TAG.length;
  at = putBytes(txHash, at, txHash);
  at = out.writeUInt32BE(txIndex, at);
  at = out.writeUInt8(status.length, at);
  at += out.write(status, at, "latin1");
  // gasUsed is a number; a fee below 2^53 (every fee so far) is written without bigint shifts.
  at = putU64(Number.isSafeInteger(gasUsed) && gasUsed >= 0 ? gasUsed : BigInt(gasUsed), at);
  if (fee >= 0n && fee <= 0x1f_ffff_ffff_ffffn) {
    at = putU64(0, at);
    at = putU64(Number(fee), at);
  } else {
    at = putU64(fee >> 64n, at);
    at = putU64(fee & U64_MASK, at);
  }
  at = out.writeUInt32BE(byteLength(output), at);
  at = putBytes(output, at, txHash);
  at = out.writeUInt8(contractAddress === undefined ? 0 : 1, at);
  if (contractAddress !== undefined) at = putBytes(contractAddress, at, txHash);
  at = out.writeUInt32BE(logs.length, at);
  for (const log of logs) {
    at = putBytes(log.address, at, txHash);
    at = out.writeUInt8(log.topics.length, at);
    for (const topic of log.topics) {
      at = out.writeUInt8(byteLength(topic), at);
      at = putBytes(topic, at, txHash);
    }
    at = out.writeUInt32BE(byteLength(log.data), at);
    at = putBytes(log.data, at, txHash);
  }
  return keccak256(out.subarray(0, at));
}

/**
 * The most a receipt can weigh (`receiptBytes`), given the VM's per-transaction caps: its
 * return data, its events' data and topics, and 20 bytes of address per event.
 */
export const MAX_RECEIPT_BYTES = MAX_RETURN_BYTES + MAX_TX_EVENT_BYTES + 20 * MAX_TX_EVENTS;

export { receiptBytes } from "../../chain/receipt.js";
