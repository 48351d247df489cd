/**
 * A receipt's record in the chain database (`receipts`: tx hash → record), binary since
 * issue 13's session 16; before, its JSON (`ReceiptJson` as UTF-8, ~700 bytes for a token
 * transfer, `JSON.stringify` a tenth of the node's block-building time). Both forms are read:
 * a JSON record starts with `{` (0x7b), a binary one with its version byte, 0x01, so older
 * data directories keep working without a migration. A receipt the binary form cannot give
 * back exactly (a hex field not in lowercase, a log whose position fields are not the
 * receipt's, a fee that is not a decimal integer) is written as JSON, so what is read is
 * always what was written, key order included: RPC answers are the same either way.
 *
 * Binary form v1 (integers big-endian):
 *
 *   0x01 ‖ txHash (32) ‖ blockHash (32) ‖ blockNumber u64 ‖ txIndex u32 ‖ status u8
 *   (0 success, 1 revert, 2 outOfGas, 3 invalid) ‖ flags u8 (1 contractAddress, 2 blockGas,
 *   4 from) ‖ gasUsed u64 ‖ fee (u8 length ‖ unsigned big-endian bytes) ‖ output (u32
 *   length ‖ bytes) ‖ [contractAddress (20)] ‖ [blockGas u64] ‖ [from (20)] ‖ log count
 *   u32 ‖ each log: address (20) ‖ topic count u8 ‖ topics (32 each) ‖ data (u32 length ‖
 *   bytes).
 *
 * A log's block number, transaction hash and index are the receipt's and its log index is
 * its position, so they are not stored. Receipts and the receipts root (`records.ts`) are
 * unchanged: the root hashes each receipt's canonical bytes, not its record.
 */
import type { Address } from "../../codec/address.js";
import type { Hex, LogJson, ReceiptJson } from "./records.js";

export const RECEIPT_RECORD_V1 = 0x01;
const JSON_START = 0x7b; // "{"
const STATUS: readonly ReceiptJson["status"][] = ["success", "revert", "outOfGas", "invalid"];
const CONTRACT = 1;
const BLOCK_GAS = 2;
const FROM = 4;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const KEYS = "txHash,blockNumber,blockHash,txIndex,status,gasUsed,fee,output,logs";
const LOG_KEYS = "address,topics,data,blockNumber,txHash,txIndex,logIndex";

/** A stored receipt record that cannot be read: cut short, an unknown version, a bad field. */
export class ReceiptRecordError extends Error {
  override readonly name = "ReceiptRecordError";
}

const isU64 = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

const RECEIPT_KEYS = KEYS.split(",");
const LOG_KEY_LIST = LOG_KEYS.split(",");

/** Whether `obj`'s own keys are `names` then, in that order, those of `optional` it has. */
function keysAre(obj: object, names: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(obj);
  let k = 0;
  for (const name of names) if (keys[k++] !== name) return false;
  for (const name of optional) if (keys[k] === name) k++;
  return k === keys.length;
}

/**
 * Whether the binary form gives `r` back exactly, besides its hex fields (which the writer
 * checks as it decodes them): its fields, their types and their order (`receiptToJson`'s,
 * then `from`, which the block builder adds).
 */
function representable(r: ReceiptJson): boolean {
  if (!keysAre(r, RECEIPT_KEYS, ["contractAddress", "blockGas", "from"])) return false;
  if (!isU64(r.blockNumber) || !isU64(r.txIndex) || r.txIndex > 0xffff_ffff || !isU64(r.gasUsed))
    return false;
  if (!STATUS.includes(r.status) || (r.blockGas !== undefined && !isU64(r.blockGas))) return false;
  if (typeof r.fee !== "string" || r.fee.length > 77 || !DECIMAL.test(r.fee)) return false; // < 2^256
  if (!Array.isArray(r.logs)) return false;
  for (let i = 0; i < r.logs.length; i++) {
    const log = r.logs[i] as LogJson;
    if (!keysAre(log, LOG_KEY_LIST)) return false;
    if (log.blockNumber !== r.blockNumber || log.txHash !== r.txHash || log.txIndex !== r.txIndex)
      return false;
    if (log.logIndex !== i || !Array.isArray(log.topics) || log.topics.length > 255) return false;
  }
  return true;
}

/** Byte lengths of 0x hex strings (any string: the writer checks them), for sizing. */
const hexBytes = (value: unknown): number => (typeof value === "string" ? (value.length - 2) >>> 1 : 0);

/** One buffer reused for every record (grown when a receipt needs more); each record is copied out. */
let scratch = new Uint8Array(16 * 1024);
let view = new DataView(scratch.buffer);

/** Each character code's value as a lowercase hex digit, or 255. */
const DIGIT = new Uint8Array(128).fill(255);
for (let i = 0; i < 16; i++) DIGIT["0123456789abcdef".charCodeAt(i)] = i;

/** Thrown inside `encodeBinary` when a hex field is not lowercase 0x hex of the right size. */
const NOT_HEX = new Error("not lowercase hex");

/**
 * Decodes 0x hex `value` into `scratch` at `at` (one table lookup a character: no string
 * slice or Buffer call, and lowercase checked on the way); returns the end. `bytes`: the
 * size it must have. Throws `NOT_HEX` otherwise.
 */
function putHex(at: number, value: unknown, bytes?: number): number {
  if (
    typeof value !== "string" ||
    (value.length & 1) !== 0 ||
    value.charCodeAt(0) !== 48 ||
    value.charCodeAt(1) !== 120
  )
    throw NOT_HEX;
  const n = (value.length - 2) >>> 1;
  if (bytes !== undefined && n !== bytes) throw NOT_HEX;
  for (let i = 0, c = 2; i < n; i++, c += 2) {
    const hi = DIGIT[value.charCodeAt(c)] ?? 255;
    const lo = DIGIT[value.charCodeAt(c + 1)] ?? 255;
    if ((hi | lo) > 15) throw NOT_HEX;
    scratch[at + i] = (hi << 4) | lo;
  }
  return at + n;
}

function putU64(at: number, n: number): number {
  view.setUint32(at, Math.floor(n / 0x1_0000_0000));
  view.setUint32(at + 4, n >>> 0);
  return at + 8;
}

/** The record of `r`: its binary form, or its JSON when the binary form would not give it back exactly. */
export function encodeReceiptRecord(r: ReceiptJson): Uint8Array {
  if (representable(r)) {
    try {
      return encodeBinary(r);
    } catch (error) {
      if (error !== NOT_HEX) throw error;
    }
  }
  return Buffer.from(JSON.stringify(r), "utf8");
}

function encodeBinary(r: ReceiptJson): Uint8Array {
  const fee = BigInt(r.fee);
  const feeHex = fee === 0n ? "" : fee.toString(16);
  const feeBytes = (feeHex.length + 1) >>> 1;
  let size = 1 + 32 + 32 + 8 + 4 + 1 + 1 + 8 + 1 + feeBytes + 4 + hexBytes(r.output) + 4;
  if (r.contractAddress !== undefined) size += 20;
  if (r.blockGas !== undefined) size += 8;
  if (r.from !== undefined) size += 20;
  for (const log of r.logs) size += 20 + 1 + 32 * log.topics.length + 4 + hexBytes(log.data);
  if (scratch.length < size) {
    scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
    view = new DataView(scratch.buffer);
  }
  scratch[0] = RECEIPT_RECORD_V1;
  let at = putHex(1, r.txHash, 32);
  at = putHex(at, r.blockHash, 32);
  at = putU64(at, r.blockNumber);
  view.setUint32(at, r.txIndex);
  scratch[at + 4] = STATUS.indexOf(r.status);
  scratch[at + 5] =
    (r.contractAddress !== undefined ? CONTRACT : 0) |
    (r.blockGas !== undefined ? BLOCK_GAS : 0) |
    (r.from !== undefined ? FROM : 0);
  at = putU64(at + 6, r.gasUsed);
  scratch[at++] = feeBytes;
  if (feeBytes > 0) at = putHex(at, feeHex.length % 2 === 0 ? `0x${feeHex}` : `0x0${feeHex}`, feeBytes);
  view.setUint32(at, hexBytes(r.output));
  at = putHex(at + 4, r.output);
  if (r.contractAddress !== undefined) at = putHex(at, r.contractAddress, 20);
  if (r.blockGas !== undefined) at = putU64(at, r.blockGas);
  if (r.from !== undefined) at = putHex(at, r.from, 20);
  view.setUint32(at, r.logs.length);
  at += 4;
  for (const log of r.logs) {
    at = putHex(at, log.address, 20);
    scratch[at++] = log.topics.length;
    for (const t of log.topics) at = putHex(at, t, 32);
    view.setUint32(at, hexBytes(log.data));
    at = putHex(at + 4, log.data);
  }
  if (at !== size) throw new Error(`receipt record of ${r.txHash}: wrote ${at} bytes, sized ${size}`);
  return scratch.slice(0, at); // a copy: the scratch buffer is reused
}

/** Reads a binary record, checking every length against what is left. */
class In {
  at = 1;
  constructor(private readonly b: Buffer) {}
  need(n: number, what: string): number {
    const from = this.at;
    if (n > this.b.length - from)
      throw new ReceiptRecordError(
        `receipt record cut short: ${what} needs ${n} bytes at ${from}, ${this.b.length - from} left`,
      );
    this.at += n;
    return from;
  }
  hex(n: number, what: string): Hex {
    const from = this.need(n, what);
    return `0x${this.b.toString("hex", from, from + n)}`;
  }
  u8(what: string): number {
    return this.b.readUInt8(this.need(1, what));
  }
  u32(what: string): number {
    return this.b.readUInt32BE(this.need(4, what));
  }
  u64(what: string): number {
    const from = this.need(8, what);
    const n = this.b.readUInt32BE(from) * 0x1_0000_0000 + this.b.readUInt32BE(from + 4);
    if (!Number.isSafeInteger(n)) throw new ReceiptRecordError(`receipt record: ${what} ${n} is past 2^53`);
    return n;
  }
}

/** The receipt in a stored record, either form; throws `ReceiptRecordError` for one that cannot be read. */
export function decodeReceiptRecord(bytes: Uint8Array): ReceiptJson {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === JSON_START) return JSON.parse(b.toString("utf8")) as ReceiptJson;
  if (b[0] !== RECEIPT_RECORD_V1)
    throw new ReceiptRecordError(`receipt record of unknown form (first byte ${b[0] ?? "none"})`);
  const r = new In(b);
  const txHash = r.hex(32, "txHash");
  const blockHash = r.hex(32, "blockHash");
  const blockNumber = r.u64("blockNumber");
  const txIndex = r.u32("txIndex");
  const status = STATUS[r.u8("status")];
  if (status === undefined) throw new ReceiptRecordError("receipt record: unknown status");
  const flags = r.u8("flags");
  if ((flags & ~(CONTRACT | BLOCK_GAS | FROM)) !== 0)
    throw new ReceiptRecordError(`receipt record: unknown flags ${flags}`);
  const gasUsed = r.u64("gasUsed");
  const feeLength = r.u8("fee length");
  const fee = feeLength === 0 ? "0" : BigInt(r.hex(feeLength, "fee")).toString();
  const output = r.hex(r.u32("output length"), "output");
  const json: ReceiptJson = {
    txHash,
    blockNumber,
    blockHash,
    txIndex,
    status,
    gasUsed,
    fee,
    output,
    logs: [],
  };
  if ((flags & CONTRACT) !== 0) json.contractAddress = r.hex(20, "contractAddress") as Address;
  if ((flags & BLOCK_GAS) !== 0) json.blockGas = r.u64("blockGas");
  if ((flags & FROM) !== 0) json.from = r.hex(20, "from") as Address;
  const count = r.u32("log count");
  // Each log takes at least 25 bytes: a count past what is left is a damaged record, not an allocation.
  r.need(0, "logs");
  if (count * 25 > b.length - r.at)
    throw new ReceiptRecordError(`receipt record: ${count} logs in ${b.length - r.at} bytes`);
  for (let logIndex = 0; logIndex < count; logIndex++) {
    const address = r.hex(20, "log address") as Address;
    const topics: string[] = new Array(r.u8("topic count"));
    for (let t = 0; t < topics.length; t++) topics[t] = r.hex(32, "topic");
    const data = r.hex(r.u32("log data length"), "log data");
    json.logs.push({ address, topics, data, blockNumber, txHash, txIndex, logIndex });
  }
  if (r.at !== b.length)
    throw new ReceiptRecordError(`receipt record: ${b.length - r.at} bytes past its end`);
  return json;
}

/** `decodeReceiptRecord` of what a read found, if anything. */
export const receiptRecord = (bytes: Uint8Array | undefined): ReceiptJson | undefined =>
  bytes === undefined ? undefined : decodeReceiptRecord(bytes);
