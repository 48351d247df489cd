/**
 * The state of recent blocks, kept as reverse diffs (issue 16: Ethereum tools read at
 * `latest - k`). The `state` database holds the head's state only; each block's commit also
 * writes, in the same LMDB transaction, the value every key it changes had BEFORE the block:
 *
 * | database | key | value |
 * |---|---|---|
 * | `changeSets` | block u64 ‖ state key (big-endian) | `00` (absent before the block) or `01 ‖ value` |
 * | `changeSetBlocks` | block u64 | how many keys the block changed, u32 (a block that changed none has its record too) |
 * | `meta` `stateHistoryFrom` | | the lowest block whose state the history can give (JSON number) |
 *
 * Block first: a block's change set is one run of keys at the end of the tree, so writing it
 * dirties few pages and dropping it is one range. (Key first, `key ‖ block`, made a read one
 * seek but cost 6× more per changed key at commit, each insert and delete landing on another
 * page of a large tree: 14.6 against 2.4 µs a key, 4,000 keys a block, 128 kept.)
 *
 * Reading key K at block h < head: the first block n in h + 1 … head whose change set holds K
 * gives K's value at n - 1, which is its value at h (no block between changed K); with none,
 * K has not changed since h and the head's value is h's. So a read costs up to head - h point
 * lookups: a few for `latest - k` with small k, at most `keep` - 1.
 *
 * The state of block h is readable when h ≥ `stateHistoryFrom` and every block above h still
 * has its change set: h ≥ (oldest change set) - 1. A commit of block n drops the change sets
 * of blocks up to n - keep + 1 (at most `PRUNE_PER_BLOCK` a commit, so a smaller `keep`
 * after a restart costs a bounded amount per block), leaving `keep` readable states
 * (n - keep + 1 … n); with `keep` 1 nothing is recorded. `stateHistoryFrom` is written at the
 * first commit (a database made before this module reads back to the head it had then), set
 * to the synced block by state sync (nothing is known below it), and lowered by dev mode's
 * rewind (`removeHistory`: the change sets of the removed blocks go with them). Block 0
 * records no change set (there is no state before the genesis).
 */
import type { Database } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import { u64 } from "./encodeBlock.js";

type Bin = Database<Uint8Array, Uint8Array>;

export interface HistoryDbs {
  state: Bin;
  /** `changeSets`. */
  history: Bin;
  /** `changeSetBlocks`. */
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

/** `changeSets`' key of state key `key` (bytes) in block `block`'s change set. */
function changeKey(block: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + key.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(block));
  out.set(key, 8);
  return out;
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

/** Drops block `block`'s change set (its `changeSets` run and its record). */
function dropChangeSet(dbs: HistoryDbs, block: number): void {
  // Collected first (copies): the range is not read while it is being removed.
  const keys: Uint8Array[] = [];
  for (const key of dbs.history.getKeys({ start: u64(block), end: u64(block + 1) }))
    keys.push(Uint8Array.from(key as Uint8Array));
  for (const key of keys) dbs.history.removeSync(key);
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
  let count = 0;
  for (const [key, value] of writes) {
    const k = keyBytes(key);
    const before = dbs.state.getBinary(k);
    if (before === undefined ? value === null : value !== null && equal(before, value)) continue;
    const record = before === undefined ? ABSENT : new Uint8Array(1 + before.length);
    if (before !== undefined) {
      record[0] = 1;
      record.set(before, 1);
    }
    const ck = changeKey(block, k);
    dbs.history.putSync(ck, record);
    bytes += ck.length + record.length;
    count++;
  }
  const counted = new Uint8Array(4);
  new DataView(counted.buffer).setUint32(0, count);
  dbs.historyBlocks.putSync(u64(block), counted);
  bytes += 8 + counted.length;
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
 * Key `key`'s value at block `block` (which `readableFrom` allows, `head` being the head's
 * number), or undefined if absent: from the first change set above `block` that holds it, else
 * `headValue` (the head's value).
 */
export function valueAt(
  history: Bin,
  key: StateKey,
  block: number,
  head: number,
  headValue: (key: StateKey) => StateValue | undefined,
): StateValue | undefined {
  const k = keyBytes(key);
  for (let n = block + 1; n <= head; n++) {
    const record = history.getBinary(changeKey(n, k));
    if (record === undefined) continue;
    return record[0] === 0 ? undefined : Uint8Array.from(record.subarray(1));
  }
  return headValue(key);
}
