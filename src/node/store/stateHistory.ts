/**
 * The state of recent blocks, kept as reverse diffs (issue 16: Ethereum tools read at
 * `latest - k`). The `state` database holds the head's state only; each block's commit also
 * writes, in the same LMDB transaction, the value every key it changes had BEFORE the block:
 *
 * | database | key | value |
 * |---|---|---|
 * | `history` | key length u16 ‖ state key ‖ block u64 (all big-endian) | `00` (absent before the block) or `01 ‖ value` |
 * | `historyBlocks` | block u64 | the keys the block changed, each as length u16 ‖ key |
 * | `meta` `stateHistoryFrom` | | the lowest block whose state the history can give (JSON number) |
 *
 * Reading key K at block h < head: the first `history` entry of K for a block n > h holds
 * K's value at n - 1, which is its value at h (no block between h + 1 and n - 1 changed K);
 * with no such entry K has not changed since h and the head's value is h's. One B-tree seek
 * per key. The length prefix keeps one key's entries together (a longer key with K as its
 * prefix sorts after all of them).
 *
 * The state of block h is readable when h ≥ `stateHistoryFrom` and every block above h still
 * has its change set: h ≥ (oldest change set) - 1. A commit of block n drops the change sets
 * of blocks up to n - keep + 1 (at most `PRUNE_PER_BLOCK` a commit, so a smaller `keep`
 * after a restart costs a bounded amount per block), leaving `keep` readable states
 * (n - keep + 1 … n). `stateHistoryFrom` is written at the first commit that records a change
 * set (a database made before this module reads back to the head it had then), set to the
 * synced block by state sync (nothing is known below it), and lowered by dev mode's rewind
 * (`removeHistory`: the change sets of the removed blocks go with them). Block 0 records no
 * change set (there is no state before the genesis).
 */
import type { Database } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import { u64 } from "./encodeBlock.js";

type Bin = Database<Uint8Array, Uint8Array>;

export interface HistoryDbs {
  state: Bin;
  history: Bin;
  historyBlocks: Bin;
  meta: Bin;
}

/** Readable states kept by default: the head and the 127 blocks before it (geth keeps 128 too). */
export const DEFAULT_STATE_HISTORY_BLOCKS = 128;
/** Most change sets one commit drops (when `keep` was lowered, the rest go with the next blocks). */
export const PRUNE_PER_BLOCK = 8;
const FROM = utf8("stateHistoryFrom");

const ABSENT = new Uint8Array([0]);

function keyBytes(key: StateKey): Uint8Array {
  return Buffer.from(key, "hex");
}

/** `history`'s key of state key `key` (bytes) at block `block`. */
function historyKey(key: Uint8Array, block: number): Uint8Array {
  const out = new Uint8Array(2 + key.length + 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, key.length);
  out.set(key, 2);
  view.setBigUint64(2 + key.length, BigInt(block));
  return out;
}

function blockOf(historyKeyBytes: Uint8Array): number {
  const view = new DataView(historyKeyBytes.buffer, historyKeyBytes.byteOffset, historyKeyBytes.byteLength);
  return Number(view.getBigUint64(historyKeyBytes.byteLength - 8));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function readFrom(meta: Bin): number | undefined {
  const raw = meta.getBinary(FROM);
  return raw === undefined ? undefined : (JSON.parse(Buffer.from(raw).toString("utf8")) as number);
}

function writeFrom(meta: Bin, block: number): void {
  meta.putSync(FROM, utf8(JSON.stringify(block)));
}

/** The oldest block with a change set, or undefined if none. */
function oldestChangeSet(historyBlocks: Bin): number | undefined {
  for (const key of historyBlocks.getKeys({ limit: 1 })) {
    const k = key as Uint8Array;
    return Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0));
  }
  return undefined;
}

/** Drops block `block`'s change set (its `history` entries and its key list). */
function dropChangeSet(dbs: HistoryDbs, block: number): void {
  const list = dbs.historyBlocks.getBinary(u64(block));
  if (list === undefined) return;
  const keys = Uint8Array.from(list);
  const view = new DataView(keys.buffer);
  for (let at = 0; at < keys.length; ) {
    const length = view.getUint16(at);
    dbs.history.removeSync(historyKey(keys.subarray(at + 2, at + 2 + length), block));
    at += 2 + length;
  }
  dbs.historyBlocks.removeSync(u64(block));
}

/**
 * Inside block `block`'s LMDB transaction, BEFORE its write set reaches the state: records the
 * value each key of `writes` has now (only keys whose value changes), then drops the change sets
 * that fall out of the `keep` readable states. Returns the bytes written (for measurement).
 */
export function recordHistory(dbs: HistoryDbs, block: number, writes: WriteSet, keep: number): number {
  if (readFrom(dbs.meta) === undefined) writeFrom(dbs.meta, Math.max(0, block - 1));
  if (block === 0) return 0;
  // Only the head's state kept: nothing to record, only what an earlier setting kept to drop.
  if (keep <= 1) {
    prune(dbs, block);
    return 0;
  }
  let bytes = 0;
  const keys: Uint8Array[] = [];
  for (const [key, value] of writes) {
    const k = keyBytes(key);
    const before = dbs.state.getBinary(k);
    if (before === undefined ? value === null : value !== null && equal(before, value)) continue;
    const record = before === undefined ? ABSENT : new Uint8Array(1 + before.length);
    if (before !== undefined) {
      record[0] = 1;
      record.set(before, 1);
    }
    const hk = historyKey(k, block);
    dbs.history.putSync(hk, record);
    bytes += hk.length + record.length;
    keys.push(k);
  }
  const list = new Uint8Array(keys.reduce((n, k) => n + 2 + k.length, 0));
  const view = new DataView(list.buffer);
  let at = 0;
  for (const k of keys) {
    view.setUint16(at, k.length);
    list.set(k, at + 2);
    at += 2 + k.length;
  }
  dbs.historyBlocks.putSync(u64(block), list);
  bytes += 8 + list.length;
  prune(dbs, block - keep + 1);
  return bytes;
}

/** Drops the oldest change sets up to block `dropThrough`, at most `PRUNE_PER_BLOCK` of them. */
function prune(dbs: HistoryDbs, dropThrough: number): void {
  for (let i = 0; i < PRUNE_PER_BLOCK; i++) {
    const oldest = oldestChangeSet(dbs.historyBlocks);
    if (oldest === undefined || oldest > dropThrough) break;
    dropChangeSet(dbs, oldest);
  }
}

/** State sync: the chain starts at `block`, whose state is the only one known. */
export function startHistoryAt(dbs: HistoryDbs, block: number): void {
  for (let oldest = oldestChangeSet(dbs.historyBlocks); oldest !== undefined; ) {
    dropChangeSet(dbs, oldest);
    oldest = oldestChangeSet(dbs.historyBlocks);
  }
  writeFrom(dbs.meta, block);
}

/** Dev mode's rewind from `from` back to `to`: the removed blocks' change sets go with them. */
export function removeHistory(dbs: HistoryDbs, from: number, to: number): void {
  for (let n = from; n > to; n--) dropChangeSet(dbs, n);
  const start = readFrom(dbs.meta);
  if (start !== undefined && start > to) writeFrom(dbs.meta, to);
}

/** The blocks whose state can be read, given the head's number: [from, head]. */
export function readableFrom(dbs: Pick<HistoryDbs, "historyBlocks" | "meta">, head: number): number {
  const start = readFrom(dbs.meta);
  if (start === undefined) return head;
  const oldest = oldestChangeSet(dbs.historyBlocks);
  if (oldest === undefined || oldest > head) return head;
  return Math.max(start, oldest - 1);
}

/**
 * Key `key`'s value at block `block` (which `readableFrom` allows), or undefined if absent:
 * from the first change set above `block` that holds it, else `head` (the head's value).
 */
export function valueAt(
  history: Bin,
  key: StateKey,
  block: number,
  head: (key: StateKey) => StateValue | undefined,
): StateValue | undefined {
  const k = keyBytes(key);
  const start = historyKey(k, block + 1);
  const end = historyKey(k, Number.MAX_SAFE_INTEGER);
  for (const entry of history.getRange({ start, end, limit: 1 })) {
    const record = entry.value as Uint8Array;
    if (blockOf(entry.key as Uint8Array) <= block) break;
    return record[0] === 0 ? undefined : Uint8Array.from(record.subarray(1));
  }
  return head(key);
}
