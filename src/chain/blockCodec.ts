/**
 * A compact binary form of a block's transactions and receipts, for the parallel
 * engine's messages: the main thread encodes the block once into shared memory and each
 * worker decodes a transaction only when it executes it; workers send their receipts
 * back as one transferred buffer. Structured cloning both ways cost more than the
 * engine's own overhead per transaction (figures in bench/engine.ts' phase timings).
 *
 * Every value round-trips exactly, malformed ones included (an invalid transaction must
 * produce the same receipt in parallel as sequentially); a field of an unexpected JS
 * type makes `encodeTxs` throw `TypeError`, and the engine then falls back to
 * generic serialization.
 *
 * Its parts: the byte writer and reader (`blockCodecBytes.ts`), a transaction's encoding
 * with what admission carried for it (`blockCodecTx.ts`), a receipt's (`blockCodecReceipt.ts`).
 */
import type { BlockCodec } from "../engine/parallel/protocol.js";
import { Reader, Writer } from "./blockCodecBytes.js";
import { readReceipt, writeReceipt } from "./blockCodecReceipt.js";
import { readTx, writeTx } from "./blockCodecTx.js";
import type { Receipt } from "./receipt.js";
import type { Transaction } from "./transaction.js";

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
