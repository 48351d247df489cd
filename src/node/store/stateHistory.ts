/**
 * The state of recent blocks, kept as reverse diffs (issue 16: Ethereum tools read at
 * `latest - k`). The `state` database holds the head's state only; each block's commit also
 * writes, in the same LMDB transaction, the value every key it changes had BEFORE the block:
 *
 * | database | key | value |
 * |---|---|---|
 * | `changeSets` | block u64 ‖ `00` ‖ page u8 | a page: the block's changed keys whose page is this one, with their values before it (below) |
 * | `changeSets` | block u64 ‖ `01` ‖ state key | a value too large for a page (over `INLINE_VALUE_BYTES`): `01 ‖ value` |
 * | `changeSetBlocks` | block u64 | how many keys the block changed, u32 (a block that changed none has its record too) |
 * | `meta` `stateHistoryFrom` | | the lowest block whose state the history can give (JSON number) |
 * | `meta` `stateHistoryPages` | | the pages' salt u32 ‖ the first block written in pages u64 |
 *
 * Pages. A block's changed keys are spread over `PAGES` pages by a hash of the key salted with
 * a random number of this database (so nobody can aim many keys at one page), each page one
 * LMDB record: `02 ‖ count u32 ‖ count × entry offset u32 ‖ entries`, the entries sorted by
 * key bytes, each `key length u16 ‖ key ‖ kind u8 ‖ value length u32 ‖ value` (kind 0: absent
 * before the block, no value; 1: the value follows; 2: the value is in its own record, above,
 * length 0). A block of 3,000 transfers changes ~3,500 keys: 64 puts instead of 3,500, and
 * 64 removes when it is dropped (`node dist/bench/stateHistory.js`, 4,001 keys a block, 128
 * kept: 4.7-4.9 → 2.4-2.6 µs a changed key, load ~45; a read 64 blocks back 10-11 → 14 µs).
 * The salt only spreads the keys: a page's size is still bounded by what one block changes,
 * and a read looks at one page of each block. Databases written before pages hold one record per
 * changed key, `block u64 ‖ state key` → `00` or `01 ‖ value`; blocks below the first paged
 * one are read that way, and go with the window.
 *
 * Block first: a block's change set is one run of keys at the end of the tree, so writing it
 * dirties few pages and dropping it is one range. (Key first, `key ‖ block`, made a read one
 * seek but cost 6× more per changed key at commit, each insert and delete landing on another
 * page of a large tree: 14.6 against 2.4 µs a key, 4,000 keys a block, 128 kept.)
 *
 * Reading key K at block h < head: the first block n in h + 1 … head whose change set holds K
 * gives K's value at n - 1, which is its value at h (no block between changed K); with none,
 * K has not changed since h and the head's value is h's. So a read costs up to head - h point
 * lookups of K's page (and a binary search in it): a few for `latest - k` with small k, at
 * most `keep` - 1.
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
import { randomBytes } from "node:crypto";
import type { Database } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { WriteSet } from "../../state/storage.js";
import { u64 } from "./encodeBlock.js";
import {
  apartKey,
  changeKey,
  type Entry,
  encodePage,
  equal,
  findInPage,
  INLINE_VALUE_BYTES,
  KIND_ABSENT,
  KIND_APART,
  KIND_INLINE,
  keyBytes,
  pageKey,
  pageOf,
} from "./historyPages.js";
import type { WritableDb } from "./pendingWrites.js";

export { INLINE_VALUE_BYTES, PAGES, pageOf } from "./historyPages.js";

/** What the history reads and writes through (an lmdb-js `Database`, or gathered writes: `pendingWrites.ts`). */
type Bin = WritableDb;

export interface HistoryDbs {
  state: Database<Uint8Array, Uint8Array>;
  /** `changeSets`. */
  history: Database<Uint8Array, Uint8Array>;
  /** `changeSetBlocks`. */
  historyBlocks: Database<Uint8Array, Uint8Array>;
  meta: Database<Uint8Array, Uint8Array>;
}

/** The same databases as the history's writers use them (`HistoryDbs`, or views of gathered writes). */
export interface HistoryWriteDbs {
  state: WritableDb;
  history: WritableDb;
  historyBlocks: WritableDb;
  meta: WritableDb;
}

/** Readable states kept by default: the head and the 127 blocks before it (geth keeps 128 too). */
export const DEFAULT_STATE_HISTORY_BLOCKS = 128;
/** Most change sets one commit drops (when `keep` was lowered, the rest go with the next blocks). */
export const PRUNE_PER_BLOCK = 8;
const FROM = utf8("stateHistoryFrom");
const PAGED = utf8("stateHistoryPages");

function readFrom(meta: Bin): number | undefined {
  const raw = meta.getBinary(FROM);
  return raw === undefined ? undefined : (JSON.parse(Buffer.from(raw).toString("utf8")) as number);
}

function writeFrom(meta: Bin, block: number): void {
  meta.putSync(FROM, utf8(JSON.stringify(block)));
}

/** The pages' salt and first paged block, if this database has written pages. */
function readPaged(meta: Bin): { salt: number; from: number } | undefined {
  const raw = meta.getBinary(PAGED);
  if (raw === undefined) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { salt: view.getUint32(0), from: Number(view.getBigUint64(4)) };
}

function writePaged(meta: Bin, salt: number, from: number): void {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, salt);
  view.setBigUint64(4, BigInt(from));
  meta.putSync(PAGED, out);
}

/** This database's pages' salt, made at its first paged block (`block`). */
function pagesFrom(meta: Bin, block: number): number {
  const known = readPaged(meta);
  if (known !== undefined) return known.salt;
  const salt = randomBytes(4).readUInt32BE(0);
  writePaged(meta, salt, block);
  return salt;
}

/** The oldest block with a change set, or undefined if none. */
function oldestChangeSet(historyBlocks: Bin): number | undefined {
  for (const key of historyBlocks.getKeys({ limit: 1 })) {
    const k = key as Uint8Array;
    return Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0));
  }
  return undefined;
}

/** Drops block `block`'s change set (its `changeSets` run, in either layout, and its record). */
function dropChangeSet(dbs: HistoryWriteDbs, block: number): void {
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
 * that fall out of the `keep` readable states. `before` gives a key's value now (default: read
 * from `dbs.state`; the node's store answers from its value cache). Returns the bytes written
 * (for measurement).
 */
export function recordHistory(
  dbs: HistoryWriteDbs,
  block: number,
  writes: WriteSet,
  keep: number,
  before: (key: StateKey, bytes: Uint8Array) => StateValue | undefined = (_, bytes) =>
    dbs.state.getBinary(bytes),
): number {
  if (readFrom(dbs.meta) === undefined) writeFrom(dbs.meta, Math.max(0, block - 1));
  if (block === 0) return 0;
  // Only the head's state kept: nothing to record, only what an earlier setting kept to drop.
  if (keep <= 1) {
    prune(dbs, block);
    return 0;
  }
  const salt = pagesFrom(dbs.meta, block);
  const pages: Entry[][] = [];
  let bytes = 0;
  let count = 0;
  for (const [key, value] of writes) {
    const k = keyBytes(key);
    const was = before(key, k);
    if (was === undefined ? value === null : value !== null && equal(was, value)) continue;
    let entry: Entry;
    if (was === undefined) entry = { hex: key, key: k, kind: KIND_ABSENT, value: undefined };
    else if (was.length <= INLINE_VALUE_BYTES) entry = { hex: key, key: k, kind: KIND_INLINE, value: was };
    else {
      const record = new Uint8Array(1 + was.length);
      record[0] = 1;
      record.set(was, 1);
      const ak = apartKey(block, k);
      dbs.history.putSync(ak, record);
      bytes += ak.length + record.length;
      entry = { hex: key, key: k, kind: KIND_APART, value: undefined };
    }
    const page = pageOf(k, salt);
    let list = pages[page];
    if (list === undefined) {
      list = [];
      pages[page] = list;
    }
    list.push(entry);
    count++;
  }
  pages.forEach((list, page) => {
    list.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
    const pk = pageKey(block, page);
    const record = encodePage(list);
    dbs.history.putSync(pk, record);
    bytes += pk.length + record.length;
  });
  const counted = new Uint8Array(4);
  new DataView(counted.buffer).setUint32(0, count);
  dbs.historyBlocks.putSync(u64(block), counted);
  bytes += 8 + counted.length;
  prune(dbs, block - keep + 1);
  return bytes;
}

/** Drops the oldest change sets up to block `dropThrough`, at most `PRUNE_PER_BLOCK` of them. */
function prune(dbs: HistoryWriteDbs, dropThrough: number): void {
  for (let i = 0; i < PRUNE_PER_BLOCK; i++) {
    const oldest = oldestChangeSet(dbs.historyBlocks);
    if (oldest === undefined || oldest > dropThrough) break;
    dropChangeSet(dbs, oldest);
  }
}

/** State sync: the chain starts at `block`, whose state is the only one known. */
export function startHistoryAt(dbs: HistoryWriteDbs, block: number): void {
  for (let oldest = oldestChangeSet(dbs.historyBlocks); oldest !== undefined; ) {
    dropChangeSet(dbs, oldest);
    oldest = oldestChangeSet(dbs.historyBlocks);
  }
  writeFrom(dbs.meta, block);
}

/** Dev mode's rewind from `from` back to `to`: the removed blocks' change sets go with them. */
export function removeHistory(dbs: HistoryWriteDbs, from: number, to: number): void {
  for (let n = from; n > to; n--) dropChangeSet(dbs, n);
  const start = readFrom(dbs.meta);
  if (start !== undefined && start > to) writeFrom(dbs.meta, to);
  // The blocks made again above `to` are written in pages.
  const paged = readPaged(dbs.meta);
  if (paged !== undefined && paged.from > to + 1) writePaged(dbs.meta, paged.salt, to + 1);
}

/** The blocks whose state can be read, given the head's number: [from, head]. */
export function readableFrom(dbs: Pick<HistoryDbs, "historyBlocks" | "meta">, head: number): number {
  const start = readFrom(dbs.meta);
  if (start === undefined) return head;
  const oldest = oldestChangeSet(dbs.historyBlocks);
  if (oldest === undefined || oldest > head) return head;
  return Math.max(start, oldest - 1);
}

/** An old-layout record or a value kept apart (`00`, or `01 ‖ value`) as the value it gives. */
function recordValue(record: Uint8Array): StateValue | undefined {
  return record[0] === 0 ? undefined : Uint8Array.from(record.subarray(1));
}

/**
 * Key `key`'s value at block `block` (which `readableFrom` allows, `head` being the head's
 * number), or undefined if absent: from the first change set above `block` that holds it, else
 * `headValue` (the head's value).
 */
export function valueAt(
  dbs: { history: Pick<Database<Uint8Array, Uint8Array>, "getBinary" | "getBinaryFast">; meta: Bin },
  key: StateKey,
  block: number,
  head: number,
  headValue: (key: StateKey) => StateValue | undefined,
): StateValue | undefined {
  const k = keyBytes(key);
  const paged = readPaged(dbs.meta);
  const pagedFrom = paged?.from ?? Number.POSITIVE_INFINITY;
  const page = paged === undefined ? 0 : pageOf(k, paged.salt);
  for (let n = block + 1; n <= head; n++) {
    if (n < pagedFrom) {
      const record = dbs.history.getBinary(changeKey(n, k));
      if (record !== undefined) return recordValue(record);
      continue;
    }
    // Read in place (no copy of the page): found is copied out before the next read.
    const bytes = dbs.history.getBinaryFast(pageKey(n, page));
    if (bytes === undefined) continue;
    const found = findInPage(n, bytes, k);
    if (found === undefined) continue;
    if (found.kind === KIND_ABSENT) return undefined;
    if (found.kind === KIND_INLINE) return found.value;
    const record = dbs.history.getBinary(apartKey(n, k));
    if (record === undefined)
      throw new Error(`block ${n}'s change set names a value of ${key} it does not hold`);
    return recordValue(record);
  }
  return headValue(key);
}
