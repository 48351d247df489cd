/**
 * The Weft transaction, version 1: a canonical binary encoding (what is signed, hashed
 * and gossiped); its JSON view (what RPC clients see) is `envelopeJson.ts`.
 *
 * | field | encoding |
 * |---|---|
 * | magic, version | `0x57` ('W'), `0x01` |
 * | chain id | u64 LE |
 * | sender | 20 bytes (the account: every account is a smart account) |
 * | nonce | key u64, sequence u64 (two-dimensional: independent flows never conflict) |
 * | gas limit | u64 |
 * | max fee, priority fee | u128 LE each (per gas unit) |
 * | calls | u8 count (1..16), each: target 20 bytes, method (u8 length, UTF-8), args (u32 length, bytes), value u128 |
 * | paymaster | u8 flag; if 1: address 20 bytes, data (u32 length, bytes) |
 * | authorisation | u32 length, bytes (checked by the account's validation) |
 *
 * The signing hash (what an authorisation signs) is keccak256("weft/tx/v1" ‖ the encoding
 * without the authorisation field); the transaction hash (its id) is keccak256 of the
 * whole encoding. Decoding refuses every malformed input with a `TxDecodeError` naming
 * the field and the problem: truncation, trailing bytes, oversize fields, bad UTF-8.
 */
import { type Address, addressFromBytes, addressToBytes } from "../../codec/address.js";
import { utf8 } from "../../codec/bytes.js";
import { keccak256, keccak256Of } from "../../codec/hash.js";

export const TX_MAGIC = 0x57;
export const TX_VERSION = 1;
export const MAX_CALLS = 16;
export const MAX_METHOD_BYTES = 64;
export const MAX_ARGS_BYTES = 128 * 1024;
export const MAX_PAYMASTER_DATA_BYTES = 4 * 1024;
export const MAX_AUTH_BYTES = 4 * 1024;
export const MAX_TX_BYTES = 512 * 1024;

/** Where the call count is in an encoding: after magic, version, chain id, sender, nonce, gas limit and fees. */
export const CALLS_OFFSET = 2 + 8 + 20 + 8 + 8 + 8 + 16 + 16;

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const SIGNING_DOMAIN = utf8("weft/tx/v1");

export interface Call {
  target: Address;
  method: string;
  args: Uint8Array;
  value: bigint;
}

export interface TxEnvelope {
  chainId: bigint;
  sender: Address;
  nonceKey: bigint;
  nonceSequence: bigint;
  gasLimit: bigint;
  maxFee: bigint;
  priorityFee: bigint;
  calls: Call[];
  paymaster?: { address: Address; data: Uint8Array };
  auth: Uint8Array;
}

export type TxDecodeErrorCode =
  | "TRUNCATED"
  | "TRAILING_BYTES"
  | "BAD_MAGIC"
  | "BAD_VERSION"
  | "BAD_CALL_COUNT"
  | "FIELD_TOO_LARGE"
  | "BAD_UTF8"
  | "BAD_FLAG"
  | "OUT_OF_RANGE";

export class TxDecodeError extends Error {
  constructor(
    readonly code: TxDecodeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TxDecodeError";
  }
}

/**
 * Writes an encoding into one buffer of the exact size (`encodedLength` computes it from
 * the fields): no part arrays, no concatenation. Every field is checked before it is
 * written; a size that does not match in the end is a bug, reported as such.
 */
class Out {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly text: Buffer;
  at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.text = Buffer.from(this.bytes.buffer);
  }
  push(b: Uint8Array): void {
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
  u8(v: number): void {
    this.bytes[this.at++] = v;
  }
  u32(v: number): void {
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }
  uint(v: bigint, bytes: 8 | 16, field: string): void {
    const max = bytes === 8 ? U64_MAX : U128_MAX;
    if (typeof v !== "bigint") {
      // A JavaScript caller's number (gasLimit: 2_000_000) is the likely mistake: say so.
      const hint = typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? ` (write ${v}n)` : "";
      throw new TxDecodeError(
        "OUT_OF_RANGE",
        `${field}: expected a bigint${hint}, got ${typeof v === "string" ? `the string "${v}"` : `the ${typeof v} ${String(v)}`}`,
      );
    }
    if (v < 0n || v > max) {
      throw new TxDecodeError("OUT_OF_RANGE", `${field}: ${String(v)} is not a u${bytes * 8}`);
    }
    this.view.setBigUint64(this.at, v & U64_MAX, true);
    if (bytes === 16) this.view.setBigUint64(this.at + 8, v >> 64n, true);
    this.at += bytes;
  }
  address(a: Address): void {
    // The hex straight into the buffer; anything but 0x + 40 hex digits takes the checked path (which throws).
    const ok =
      typeof a === "string" && a.length === 42 && this.text.write(a.substring(2), this.at, 20, "hex") === 20;
    if (!ok) this.bytes.set(addressToBytes(a), this.at);
    this.at += 20;
  }
  bytes32Len(b: Uint8Array, max: number, field: string): void {
    if (b.length > max)
      throw new TxDecodeError("FIELD_TOO_LARGE", `${field}: ${b.length} bytes (max ${max})`);
    this.u32(b.length);
    this.push(b);
  }
  finish(): Uint8Array {
    if (this.at !== this.bytes.length)
      throw new Error(`transaction encoding wrote ${this.at} bytes, expected ${this.bytes.length}`);
    return this.bytes;
  }
}

function writeBody(tx: TxEnvelope, out: Out): void {
  out.u8(TX_MAGIC);
  out.u8(TX_VERSION);
  out.uint(tx.chainId, 8, "chainId");
  out.address(tx.sender);
  out.uint(tx.nonceKey, 8, "nonceKey");
  out.uint(tx.nonceSequence, 8, "nonceSequence");
  out.uint(tx.gasLimit, 8, "gasLimit");
  out.uint(tx.maxFee, 16, "maxFee");
  out.uint(tx.priorityFee, 16, "priorityFee");
  if (tx.calls.length < 1 || tx.calls.length > MAX_CALLS) {
    throw new TxDecodeError("BAD_CALL_COUNT", `calls: ${tx.calls.length} (1 to ${MAX_CALLS})`);
  }
  out.u8(tx.calls.length);
  tx.calls.forEach((c, i) => {
    out.address(c.target);
    const method = utf8(c.method);
    if (method.length > MAX_METHOD_BYTES) {
      throw new TxDecodeError(
        "FIELD_TOO_LARGE",
        `calls[${i}].method: ${method.length} bytes (max ${MAX_METHOD_BYTES})`,
      );
    }
    out.u8(method.length);
    out.push(method);
    out.bytes32Len(c.args, MAX_ARGS_BYTES, `calls[${i}].args`);
    out.uint(c.value, 16, `calls[${i}].value`);
  });
  if (tx.paymaster === undefined) out.u8(0);
  else {
    out.u8(1);
    out.address(tx.paymaster.address);
    out.bytes32Len(tx.paymaster.data, MAX_PAYMASTER_DATA_BYTES, "paymaster.data");
  }
}

/** The canonical encoding; throws `TxDecodeError` (OUT_OF_RANGE, FIELD_TOO_LARGE, ...) for values that cannot be encoded. */
export function encodeTx(tx: TxEnvelope): Uint8Array {
  checkCalls(tx);
  const out = new Out(encodedLength(tx));
  writeBody(tx, out);
  out.bytes32Len(tx.auth, MAX_AUTH_BYTES, "auth");
  const bytes = out.finish();
  if (bytes.length > MAX_TX_BYTES)
    throw new TxDecodeError("FIELD_TOO_LARGE", `transaction of ${bytes.length} bytes (max ${MAX_TX_BYTES})`);
  return bytes;
}

/**
 * The length of `encodeTx(tx)` computed from the fields, without encoding (intrinsic gas
 * needs it for every transaction). Assumes `tx` is encodable; `encodeTx` is the check.
 */
export function encodedLength(tx: TxEnvelope): number {
  let n = 2 + 8 + 20 + 8 + 8 + 8 + 16 + 16 + 1;
  for (const c of tx.calls) n += 20 + 1 + Buffer.byteLength(c.method, "utf8") + 4 + c.args.length + 16;
  n += tx.paymaster === undefined ? 1 : 1 + 20 + 4 + tx.paymaster.data.length;
  return n + 4 + tx.auth.length;
}

/** What an authorisation signs: the transaction without its authorisation, domain-separated. */
export function signingHash(tx: TxEnvelope): Uint8Array {
  checkCalls(tx);
  const out = new Out(SIGNING_DOMAIN.length + encodedLength(tx) - 4 - tx.auth.length);
  out.push(SIGNING_DOMAIN);
  writeBody(tx, out);
  return keccak256(out.finish());
}

/**
 * `signingHash` of the envelope whose canonical encoding is `raw` (the envelope `decodeTx(raw)`
 * returns), from the bytes as they are: the body is the encoding less its authorisation
 * (a u32 length, then `authLength` bytes, last). Nothing is encoded again.
 */
export function signingHashOfEncoding(raw: Uint8Array, authLength: number): Uint8Array {
  const body = raw.length - 4 - authLength;
  if (!Number.isInteger(authLength) || authLength < 0 || body < 0)
    throw new RangeError(
      `an authorisation of ${authLength} bytes does not fit a ${raw.length}-byte transaction`,
    );
  return keccak256Of(SIGNING_DOMAIN, raw.subarray(0, body));
}

/** The checks `encodedLength` relies on, made before sizing the buffer. */
function checkCalls(tx: TxEnvelope): void {
  if (!Array.isArray(tx.calls) || tx.calls.length < 1 || tx.calls.length > MAX_CALLS) {
    throw new TxDecodeError("BAD_CALL_COUNT", `calls: ${tx.calls?.length} (1 to ${MAX_CALLS})`);
  }
  if (!(tx.auth instanceof Uint8Array)) throw new TxDecodeError("OUT_OF_RANGE", "auth: not bytes");
}

/** The transaction's id: keccak256 of its canonical encoding. */
export function txHash(tx: TxEnvelope): Uint8Array {
  return keccak256(encodeTx(tx));
}

class In {
  at = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(n: number, field: string): void {
    if (this.b.length - this.at < n) {
      throw new TxDecodeError(
        "TRUNCATED",
        `${field}: needed ${n} bytes at offset ${this.at}, ${this.b.length - this.at} left`,
      );
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.b[this.at++] as number;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    return v;
  }
  u128(field: string): bigint {
    const lo = this.u64(field);
    return lo | (this.u64(field) << 64n);
  }
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  address(field: string): Address {
    this.need(20, field);
    const at = this.at;
    this.at += 20;
    return addressFromBytes(this.b.subarray(at, at + 20)); // read, not kept: no copy
  }
  /** A method name of `n` bytes: strict UTF-8, with ASCII (every shipped method) decoded directly. */
  method(n: number, field: string): string {
    this.need(n, field);
    const at = this.at;
    this.at += n;
    const bytes = this.b.subarray(at, at + n);
    let ascii = true;
    for (let i = 0; i < n && ascii; i++) ascii = (bytes[i] as number) < 0x80;
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw new TxDecodeError("BAD_UTF8", `${field} is not valid UTF-8`);
    }
  }
  sized(max: number, field: string): Uint8Array {
    const n = this.u32(field);
    if (n > max) throw new TxDecodeError("FIELD_TOO_LARGE", `${field}: ${n} bytes (max ${max})`);
    return this.take(n, field);
  }
}

// `ignoreBOM`: a leading U+FEFF stays in the method name, so that encoding the decoded
// envelope gives back the same bytes (the transaction hash is the hash of those bytes).
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The field names of each call, for the decoder's errors (built once, not per transaction). */
const CALL_FIELDS = Array.from({ length: MAX_CALLS }, (_, i) => ({
  target: `calls[${i}].target`,
  method: `calls[${i}].method`,
  args: `calls[${i}].args`,
  value: `calls[${i}].value`,
}));

/** Decodes a canonical encoding; throws `TxDecodeError` for anything else. */
export function decodeTx(bytes: Uint8Array): TxEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new TxDecodeError("TRUNCATED", "a transaction is bytes");
  if (bytes.length > MAX_TX_BYTES)
    throw new TxDecodeError("FIELD_TOO_LARGE", `transaction of ${bytes.length} bytes (max ${MAX_TX_BYTES})`);
  const r = new In(bytes);
  if (r.u8("magic") !== TX_MAGIC) throw new TxDecodeError("BAD_MAGIC", "not a Weft transaction (magic byte)");
  const version = r.u8("version");
  if (version !== TX_VERSION)
    throw new TxDecodeError("BAD_VERSION", `version ${version} (this node reads ${TX_VERSION})`);
  const chainId = r.u64("chainId");
  const sender = r.address("sender");
  const nonceKey = r.u64("nonceKey");
  const nonceSequence = r.u64("nonceSequence");
  const gasLimit = r.u64("gasLimit");
  const maxFee = r.u128("maxFee");
  const priorityFee = r.u128("priorityFee");
  const count = r.u8("calls");
  if (count < 1 || count > MAX_CALLS)
    throw new TxDecodeError("BAD_CALL_COUNT", `calls: ${count} (1 to ${MAX_CALLS})`);
  const calls: Call[] = [];
  for (let i = 0; i < count; i++) {
    const field = CALL_FIELDS[i] as (typeof CALL_FIELDS)[number];
    const target = r.address(field.target);
    const methodLength = r.u8(field.method);
    if (methodLength > MAX_METHOD_BYTES) {
      throw new TxDecodeError(
        "FIELD_TOO_LARGE",
        `calls[${i}].method: ${methodLength} bytes (max ${MAX_METHOD_BYTES})`,
      );
    }
    const method = r.method(methodLength, field.method);
    const args = r.sized(MAX_ARGS_BYTES, field.args);
    const value = r.u128(field.value);
    calls.push({ target, method, args, value });
  }
  const flag = r.u8("paymaster");
  if (flag > 1) throw new TxDecodeError("BAD_FLAG", `paymaster flag ${flag} (0 or 1)`);
  const tx: TxEnvelope = {
    chainId,
    sender,
    nonceKey,
    nonceSequence,
    gasLimit,
    maxFee,
    priorityFee,
    calls,
    auth: new Uint8Array(0),
  };
  if (flag === 1)
    tx.paymaster = {
      address: r.address("paymaster.address"),
      data: r.sized(MAX_PAYMASTER_DATA_BYTES, "paymaster.data"),
    };
  tx.auth = r.sized(MAX_AUTH_BYTES, "auth");
  if (r.at !== bytes.length)
    throw new TxDecodeError("TRAILING_BYTES", `${bytes.length - r.at} bytes after the transaction`);
  return tx;
}
