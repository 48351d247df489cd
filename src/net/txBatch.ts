/**
 * Transactions travel the tx topic in batches: one gossip message, and one message id, for
 * many transactions, which cuts per-message overhead (framing, ids, IHAVE entries) when
 * the mempool is busy.
 *
 * Wire format (all integers big-endian):
 *
 *   u8  version = 1
 *   u16 count            1 ≤ count ≤ MAX_TX_BATCH_COUNT
 *   count × { u32 length; length bytes }   each 1 ≤ length ≤ MAX_TX_BYTES
 *
 * nothing after the last transaction; the whole message ≤ MAX_TX_BATCH_BYTES. Anything
 * else is a `NetError` (`MALFORMED` or `TOO_LARGE`): the sender broke the protocol.
 *
 * `TxBatcher` gathers transactions and publishes a batch when it would outgrow the byte or
 * count limit, or `flushMs` after its first transaction.
 */
import { MAX_TX_BYTES } from "../chain/tx/envelope.js";
import { NetError } from "./errors.js";
import { MAX_TX_BATCH_BYTES, MAX_TX_BATCH_COUNT } from "./topics.js";

const VERSION = 1;
const HEADER_BYTES = 3;
const LENGTH_BYTES = 4;

export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  if (txs.length === 0 || txs.length > MAX_TX_BATCH_COUNT)
    throw new NetError("CONFIG", `a batch holds 1 to ${MAX_TX_BATCH_COUNT} transactions, not ${txs.length}`);
  const size = txs.reduce((sum, tx) => sum + LENGTH_BYTES + tx.length, HEADER_BYTES);
  if (size > MAX_TX_BATCH_BYTES)
    throw new NetError("TOO_LARGE", `a batch of ${size} bytes (max ${MAX_TX_BATCH_BYTES})`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint8(0, VERSION);
  view.setUint16(1, txs.length);
  let at = HEADER_BYTES;
  for (const tx of txs) {
    view.setUint32(at, tx.length);
    out.set(tx, at + LENGTH_BYTES);
    at += LENGTH_BYTES + tx.length;
  }
  return out;
}

/** The batch's transactions (views into `data`); throws `NetError` MALFORMED / TOO_LARGE. */
export function decodeTxBatch(data: Uint8Array): Uint8Array[] {
  if (data.length > MAX_TX_BATCH_BYTES)
    throw new NetError("TOO_LARGE", `a batch of ${data.length} bytes (max ${MAX_TX_BATCH_BYTES})`);
  if (data.length < HEADER_BYTES)
    throw new NetError("MALFORMED", `a batch of ${data.length} bytes has no header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== VERSION)
    throw new NetError("MALFORMED", `tx batch version ${version} (expected ${VERSION})`);
  const count = view.getUint16(1);
  if (count === 0 || count > MAX_TX_BATCH_COUNT)
    throw new NetError("MALFORMED", `a batch of ${count} transactions (1 to ${MAX_TX_BATCH_COUNT})`);
  const txs: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + LENGTH_BYTES > data.length)
      throw new NetError("MALFORMED", `the batch ends inside transaction ${i}'s length`);
    const length = view.getUint32(at);
    if (length === 0 || length > MAX_TX_BYTES)
      throw new NetError("MALFORMED", `transaction ${i} of ${length} bytes (1 to ${MAX_TX_BYTES})`);
    at += LENGTH_BYTES;
    if (at + length > data.length) throw new NetError("MALFORMED", `the batch ends inside transaction ${i}`);
    txs.push(data.subarray(at, at + length));
    at += length;
  }
  if (at !== data.length)
    throw new NetError("MALFORMED", `${data.length - at} bytes after the batch's last transaction`);
  return txs;
}

export interface TxBatcherOptions {
  /** Publishes one encoded batch. */
  publish(batch: Uint8Array): Promise<unknown>;
  /** A batch waits at most this long for more transactions (default 20 ms). */
  flushMs?: number;
  maxBytes?: number;
  maxCount?: number;
  onError?(error: unknown): void;
}

export class TxBatcher {
  private pending: Uint8Array[] = [];
  private bytes = HEADER_BYTES;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBytes: number;
  private readonly maxCount: number;

  constructor(private readonly options: TxBatcherOptions) {
    this.maxBytes = Math.min(options.maxBytes ?? MAX_TX_BATCH_BYTES, MAX_TX_BATCH_BYTES);
    this.maxCount = Math.min(options.maxCount ?? MAX_TX_BATCH_COUNT, MAX_TX_BATCH_COUNT);
  }

  add(tx: Uint8Array): void {
    if (this.bytes + LENGTH_BYTES + tx.length > this.maxBytes) this.flush();
    this.pending.push(tx);
    this.bytes += LENGTH_BYTES + tx.length;
    if (this.pending.length >= this.maxCount) this.flush();
    else if (this.timer === undefined)
      this.timer = setTimeout(() => this.flush(), this.options.flushMs ?? 20);
  }

  /** Publishes what waits now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = encodeTxBatch(this.pending);
    this.pending = [];
    this.bytes = HEADER_BYTES;
    void this.options.publish(batch).catch((error: unknown) => this.options.onError?.(error));
  }

  /** Drops what waits and stops the timer. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.bytes = HEADER_BYTES;
  }
}
