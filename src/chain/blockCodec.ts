/**
 * A compact binary form of a block's transactions and receipts, for the parallel
 * engine's messages: the main thread encodes the block once into shared memory and each
 * worker decodes a transaction only when it executes it; workers send their receipts
 * back as one transferred buffer. Structured cloning both ways cost more than the
 * engine's own overhead per transaction (figures in bench/engine.ts' phase timings).
 *
 * Every value round-trips exactly, malformed ones included (an invalid transaction must
 * produce the same receipt in parallel as sequentially); a field of an unexpected JS
 * type makes `encodeTransactions` throw `TypeError`, and the engine then falls back to
 * generic serialization.
 *
 * An account transaction that passed this node's admission goes with what admission
 * computed from its bytes (`AccountTx.carried`: the signing hash and the `validate`
 * input, `carriedValidation.ts`), so that a worker does not hash and encode them again.
 * The encoding only ever travels from this node's main thread to its own workers; a
 * worker uses a record only for the bytes it was written beside (`carriedFor`).
 */
import type { Address } from "../codec/address.js";
import type { BlockCodec } from "../engine/parallel/protocol.js";
import { ethTxFromWire } from "../evm/ethTx.js";
import type { LogEvent } from "../vm/txState.js";
import { carriedFor } from "./carriedValidation.js";
import { INVALID_CODES, type InvalidCode } from "./invalidCode.js";
import type { Receipt, ReceiptStatus } from "./receipt.js";
import type { Transaction } from "./transaction.js";
import { decodeTx, encodeTx } from "./tx/envelope.js";

const KIND = ["transfer", "deploy", "call", "account", "eth"] as const;
const STATUS: readonly ReceiptStatus[] = ["success", "revert", "outOfGas", "invalid"];
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** In place of a string's length: "the same string as last time in this slot". */
const REPEAT = 0xffffffff;

class Writer {
  /** A Buffer: its native `write` beats `TextEncoder.encodeInto` on a subarray (no view per string). */
  private buf = Buffer.alloc(1 << 16);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;

  /** Starts over (a writer is reused from block to block: it keeps its grown buffer). */
  reset(): void {
    this.pos = 0;
    this.recent.length = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  /** Overwrites the u32 written at `at`. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  f64(v: number): void {
    if (typeof v !== "number") throw new TypeError(`expected a number, got ${typeof v}`);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    if (!(b instanceof Uint8Array)) throw new TypeError(`expected a Uint8Array, got ${typeof b}`);
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  str(s: string): void {
    if (typeof s !== "string") throw new TypeError(`expected a string, got ${typeof s}`);
    this.ensure(4 + s.length * 3);
    const written = this.buf.write(s, this.pos + 4, "utf8");
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }
  private readonly recent: string[] = [];
  /** `str`, or a 4-byte back-reference when `s` equals the last string written in `slot`. */
  repeatable(s: string, slot: number): void {
    if (this.recent[slot] === s) {
      this.u32(REPEAT);
      return;
    }
    this.recent[slot] = s;
    this.str(s);
  }
  big(v: bigint): void {
    if (typeof v !== "bigint") throw new TypeError(`expected a bigint, got ${typeof v}`);
    // Most amounts are small: a float64 holds them exactly and decodes without parsing.
    if (v >= -SAFE && v <= SAFE) {
      this.u8(0);
      this.f64(Number(v));
    } else {
      this.u8(1);
      this.str(v.toString(16));
    }
  }
  /** What was written, as a view of the writer's buffer: valid until the writer is next used. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
  /** A copy of what was written (the writer's buffer is reused). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos); // a plain Uint8Array: a Buffer's slice would be a view
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

class Reader {
  pos: number;
  private readonly view: DataView;
  /** The same bytes as a Buffer: its native UTF-8 slicing beats TextDecoder on short strings. */
  private readonly text: Buffer;
  constructor(
    private readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number {
    return this.buf[this.pos++] as number;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.u32();
    const out = this.text.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  private readonly recent: string[] = [];
  /** Reads what `Writer.repeatable` wrote: a string, or the last one read in `slot` (the same object). */
  repeatable(slot: number): string {
    if (this.view.getUint32(this.pos, true) === REPEAT) {
      this.pos += 4;
      return this.recent[slot] as string;
    }
    const s = this.str();
    this.recent[slot] = s;
    return s;
  }
  big(): bigint {
    if (this.u8() === 0) return BigInt(this.f64());
    const hex = this.str();
    return hex.startsWith("-") ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
  }
}

function writeTx(w: Writer, tx: Transaction): void {
  const kind = KIND.indexOf(tx.kind);
  if (kind < 0) throw new TypeError(`unknown transaction kind ${String(tx.kind)}`);
  w.u8(kind);
  if (tx.kind === "account") {
    let bytes: Uint8Array;
    try {
      bytes = tx.raw ?? encodeTx(tx.envelope);
    } catch (error) {
      // Not encodable (a field out of range): the engine falls back to generic serialization.
      throw new TypeError(`account transaction: ${error instanceof Error ? error.message : String(error)}`);
    }
    w.bytes(bytes);
    const carried = carriedFor(tx.carried, bytes);
    if (carried === undefined) {
      w.u8(0);
    } else {
      w.u8(1);
      w.bytes(carried.signingHash);
      w.bytes(carried.validateInput);
    }
    return;
  }
  if (tx.kind === "eth") {
    // The sender as recovered at the edge: workers parse the bytes again, never recover.
    w.bytes(tx.raw);
    w.str(tx.from);
    return;
  }
  w.str(tx.from);
  w.f64(tx.gasLimit);
  w.big(tx.gasPrice);
  switch (tx.kind) {
    case "transfer":
      w.str(tx.to);
      w.big(tx.amount);
      break;
    case "deploy":
      w.bytes(tx.code);
      w.bytes(tx.args);
      w.big(tx.value);
      w.u8(tx.salt === undefined ? 0 : 1);
      if (tx.salt !== undefined) w.bytes(tx.salt);
      break;
    case "call":
      w.str(tx.to);
      w.str(tx.method);
      w.bytes(tx.args);
      w.big(tx.value);
      break;
  }
}

function readTx(r: Reader): Transaction {
  const kind = KIND[r.u8()];
  if (kind === "account") {
    const raw = r.bytes();
    const tx: Transaction = { kind, envelope: decodeTx(raw), raw };
    if (r.u8() === 1) tx.carried = { raw, signingHash: r.bytes(), validateInput: r.bytes() };
    return tx;
  }
  if (kind === "eth") {
    const raw = r.bytes();
    return ethTxFromWire(raw, r.str() as Address);
  }
  const from = r.str() as Address;
  const gasLimit = r.f64();
  const gasPrice = r.big();
  switch (kind) {
    case "transfer":
      return { kind, from, gasLimit, gasPrice, to: r.str() as Address, amount: r.big() };
    case "deploy": {
      const tx: Transaction = {
        kind,
        from,
        gasLimit,
        gasPrice,
        code: r.bytes(),
        args: r.bytes(),
        value: r.big(),
      };
      if (r.u8() === 1) tx.salt = r.bytes();
      return tx;
    }
    case "call":
      return {
        kind,
        from,
        gasLimit,
        gasPrice,
        to: r.str() as Address,
        method: r.str(),
        args: r.bytes(),
        value: r.big(),
      };
    default:
      throw new Error("corrupt transaction encoding");
  }
}

function writeReceipt(w: Writer, receipt: Receipt): void {
  w.u8(STATUS.indexOf(receipt.status));
  w.f64(receipt.gasUsed);
  w.big(receipt.fee);
  w.u32(receipt.events.length);
  // An event's address and topics often repeat those of the previous receipt's event
  // (one contract, one event signature): written once, then referred back to.
  for (const e of receipt.events) {
    w.repeatable(e.address, 0);
    w.u32(e.topics.length);
    for (let k = 0; k < e.topics.length; k++) w.repeatable(e.topics[k] as string, 1 + k);
    w.bytes(e.data);
  }
  w.bytes(receipt.output);
  w.u8(
    (receipt.contractAddress === undefined ? 0 : 1) |
      (receipt.invalidReason === undefined ? 0 : 2) |
      (receipt.invalidCode === undefined ? 0 : 4) |
      (receipt.blockGas === undefined ? 0 : 8),
  );
  if (receipt.contractAddress !== undefined) w.str(receipt.contractAddress);
  if (receipt.invalidReason !== undefined) w.str(receipt.invalidReason);
  if (receipt.invalidCode !== undefined) w.u8(INVALID_CODES.indexOf(receipt.invalidCode));
  if (receipt.blockGas !== undefined) w.f64(receipt.blockGas);
}

function readReceipt(r: Reader): Receipt {
  const status = STATUS[r.u8()] as ReceiptStatus;
  const gasUsed = r.f64();
  const fee = r.big();
  const events: LogEvent[] = [];
  for (let n = r.u32(), i = 0; i < n; i++) {
    const address = r.repeatable(0) as Address;
    const topics: string[] = [];
    for (let k = r.u32(), j = 0; j < k; j++) topics.push(r.repeatable(1 + j));
    events.push({ address, topics, data: r.bytes() });
  }
  const receipt: Receipt = { status, gasUsed, fee, events, output: r.bytes() };
  const flags = r.u8();
  if (flags & 1) receipt.contractAddress = r.str() as Address;
  if (flags & 2) receipt.invalidReason = r.str();
  if (flags & 4) receipt.invalidCode = INVALID_CODES[r.u8()] as InvalidCode;
  if (flags & 8) receipt.blockGas = r.f64();
  return receipt;
}

/** One writer each for transactions and receipts, reused (a thread encodes one block at a time). */
const txWriter = new Writer();
const receiptWriter = new Writer();

/** Writes `txs[from..to)` into the transaction writer: the count, the offset table, each transaction. */
function writeTxs(txs: readonly Transaction[], from: number, to: number): Writer {
  const w = txWriter;
  w.reset();
  const count = to - from;
  w.u32(count);
  const offsets = w.pos;
  for (let i = 0; i <= count; i++) w.u32(0);
  w.patchU32(offsets, w.pos);
  for (let i = 0; i < count; i++) {
    writeTx(w, txs[from + i] as Transaction);
    w.patchU32(offsets + 4 * (i + 1), w.pos);
  }
  return w;
}

/** The chain's codec for the parallel engine. */
export const chainBlockCodec: BlockCodec<Transaction, Receipt> = {
  encodeTxs: (txs) => writeTxs(txs, 0, txs.length).finish(),
  encodeTxsView: (txs, from, to) => writeTxs(txs, from, to).written(),
  decodeTxs(bytes, once) {
    // One reader for the block, moved to each transaction (a reader per transaction
    // built a DataView and a Buffer each time, visible in the workers' profiles).
    const r = new Reader(bytes);
    const count = r.u32();
    if (once === true)
      // Asked for once each: nothing kept (a kept transaction outlives the young generation).
      return (i) => {
        r.pos = 4 + 4 * i;
        r.pos = r.u32();
        return readTx(r);
      };
    const cache = new Array<Transaction | undefined>(count);
    return (i) => {
      const hit = cache[i];
      if (hit !== undefined) return hit;
      r.pos = 4 + 4 * i;
      r.pos = r.u32();
      const tx = readTx(r);
      cache[i] = tx;
      return tx;
    };
  },
  encodeReceipts(list) {
    const w = receiptWriter;
    w.reset();
    w.u32(list.length);
    for (const [index, receipt] of list) {
      w.u32(index);
      writeReceipt(w, receipt);
    }
    return w.finish();
  },
  receiptEncoder() {
    const w = receiptWriter;
    w.reset();
    w.u32(0);
    let count = 0;
    return {
      add(index, receipt) {
        w.u32(index);
        writeReceipt(w, receipt);
        count++;
      },
      finish() {
        w.patchU32(0, count);
        return w.finish();
      },
    };
  },
  decodeReceipts(bytes, into, keep) {
    const r = new Reader(bytes);
    for (let n = r.u32(), i = 0; i < n; i++) {
      const index = r.u32();
      // Read even when not kept: a later receipt may refer back to its strings.
      const receipt = readReceipt(r);
      if (keep === undefined || keep(index)) into[index] = receipt;
    }
  },
};
