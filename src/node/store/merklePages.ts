/**
 * The `merkle` database's layout: the state tree's nodes (`state/merkle`), several levels to
 * a record. The tree reads and writes nodes one at a time by id (`nodeId`: path prefix bits,
 * a marker bit); here they are grouped into pages of `PAGE_LEVELS` levels. A page is keyed
 * by the id of its top position, at a depth that is a multiple of `PAGE_LEVELS`, and holds
 * the nodes of that position's subtree down to `PAGE_LEVELS - 1` levels below it (at most
 * 15 internal nodes and 16 leaves: ~2 KiB). A leaf on
 * a page boundary (a depth that is a multiple of `PAGE_LEVELS`, below the root) is kept in
 * its parent's page instead, one level further down: a compressed tree's leaves sit just
 * below their parent, so most pages then hold a whole bottom subtree with its leaves.
 *
 * Why. A block of 3,000 transfers rewrites ~20,000 nodes, each an LMDB put that lmdb-js
 * encodes on the main thread; pages of 4 levels make them ~10,000 puts of larger records,
 * each page read, changed and written once. Measured same-run (commits of such blocks over
 * one chain database each, alternately, load 25-29): the main thread's part of the commit
 * 23.3-25.7 -> 16.7-17.9 µs a transaction, the process's CPU until flushed 25.7-28.9 ->
 * 21.3-23.1. Deeper pages (6 levels) held more nodes a record but cost more to rewrite
 * (records past LMDB's 2 KiB inline size near the top) and gained less. The tree, its
 * hashes and root, proofs and snapshots are unchanged: only where the node records are
 * kept differs.
 *
 * Page record: entries in ascending slot order, each `tag u8 ‖ node record`, where the tag
 * is the node's slot in the page (`1 << r | bits`: r levels below the page's top, `bits` the
 * path bits between; 1..31) with 0x80 added for a leaf, whose record is 65 bytes (an
 * internal node's is 64). Writing a node rewrites its page (read, change, write back once
 * per page a block touches).
 *
 * A database written before pages (one node per record) is not read: `chainDb.ts` refuses
 * it with `ChainDbError` `LAYOUT`, saying to resync. The layout is recorded in the `meta`
 * record `merkleLayout` when block 0 is written.
 */
import { StateError } from "../../state/errors.js";
import type { NodeWrites } from "../../state/merkle/index.js";

/** Levels of the tree a page holds. */
export const PAGE_LEVELS = 4;
/** The `meta` record that names the layout, and its value. */
export const MERKLE_LAYOUT_KEY = "merkleLayout";
export const MERKLE_LAYOUT = `pages-${PAGE_LEVELS}`;

/** Slots a page has (1..31; 0 unused). */
const SLOTS = 1 << (PAGE_LEVELS + 1);
const LEAF_FLAG = 0x80;
const LEAF_BYTES = 65;
const INTERNAL_BYTES = 64;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Each character code's value as a hex digit (ids are lowercase hex). */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 16; i++) NIBBLE["0123456789abcdef".charCodeAt(i)] = i;

const byteAt = (id: string, i: number): number =>
  ((NIBBLE[id.charCodeAt(2 * i)] ?? 0) << 4) | (NIBBLE[id.charCodeAt(2 * i + 1)] ?? 0);

/** The depth of the position a node id names (its marker bit's place). */
export function idDepth(id: string): number {
  const n = id.length >> 1;
  const last = byteAt(id, n - 1);
  // The marker is the last 1 bit: at bit (depth & 7) of the last byte, from the top.
  const rem = 7 - (31 - Math.clz32(last & -last));
  return 8 * (n - 1) + rem;
}

/** Bits [start, start + count) of the path prefix in `id`, as a number. */
function bitsOf(id: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const nibble = NIBBLE[id.charCodeAt(i >> 2)] ?? 0;
    value = (value << 1) | ((nibble >> (3 - (i & 3))) & 1);
  }
  return value;
}

/** The id of the position at `depth` above the one `id` names, on its path. */
function idAbove(id: string, depth: number): string {
  const full = depth >> 3;
  const rem = depth & 7;
  const kept = byteAt(id, full) & (0xff00 >> rem) & 0xff;
  return id.slice(0, 2 * full) + HEX[kept | (0x80 >> rem)];
}

/** Where a node is kept: its page's id and its slot there. */
interface Place {
  page: string;
  slot: number;
}

function placeAt(id: string, depth: number, top: number): Place {
  const r = depth - top;
  return { page: r === 0 ? id : idAbove(id, top), slot: (1 << r) | bitsOf(id, top, r) };
}

/**
 * The places a node at `id` may be kept: one, or for a position on a page boundary, the
 * page it starts (an internal node) and its parent's page (a leaf).
 */
function placesOf(id: string): { own: Place; leafAbove?: Place } {
  const depth = idDepth(id);
  const r = depth % PAGE_LEVELS;
  const own = placeAt(id, depth, depth - r);
  if (depth === 0 || r !== 0) return { own };
  return { own, leafAbove: placeAt(id, depth, depth - PAGE_LEVELS) };
}

/** A page key: its id's characters as bytes (ids are lowercase hex). */
export function pageKey(id: string): Uint8Array {
  const out = new Uint8Array(id.length);
  for (let i = 0; i < id.length; i++) out[i] = id.charCodeAt(i);
  return out;
}

const pageIdOf = (key: Uint8Array): string => String.fromCharCode(...key);

/** The entry of `slot` in page record `page`: its record (a view into `page`), or undefined. */
function findEntry(page: Uint8Array, slot: number): Uint8Array | undefined {
  for (let at = 0; at < page.length; ) {
    const tag = page[at] as number;
    const size = tag & LEAF_FLAG ? LEAF_BYTES : INTERNAL_BYTES;
    if ((tag & ~LEAF_FLAG) === slot) return page.subarray(at + 1, Math.min(at + 1 + size, page.length));
    at += 1 + size;
  }
  return undefined;
}

/** A page record's entries by slot (records are views into `page`); undefined if its entries run past its end. */
function decodePage(page: Uint8Array): Map<number, Uint8Array> | undefined {
  const entries = new Map<number, Uint8Array>();
  for (let at = 0; at < page.length; ) {
    const tag = page[at] as number;
    const size = tag & LEAF_FLAG ? LEAF_BYTES : INTERNAL_BYTES;
    const slot = tag & ~LEAF_FLAG;
    if (at + 1 + size > page.length || slot === 0 || slot >= SLOTS || entries.has(slot)) return undefined;
    entries.set(slot, page.subarray(at + 1, at + 1 + size));
    at += 1 + size;
  }
  return entries;
}

/** Reads a page record by key (from the committed database, or an open transaction). */
export type ReadPage = (key: Uint8Array) => Uint8Array | undefined;

/**
 * The record of the node at `id`, a copy (the tree keeps it), or undefined. A damaged page
 * gives a record of the wrong length, which the tree refuses as `CORRUPT_NODE`.
 */
export function readNode(readPage: ReadPage, id: string): Uint8Array | undefined {
  const { own, leafAbove } = placesOf(id);
  let page = readPage(pageKey(own.page));
  let found = page === undefined ? undefined : findEntry(page, own.slot);
  if (found === undefined && leafAbove !== undefined) {
    page = readPage(pageKey(leafAbove.page));
    found = page === undefined ? undefined : findEntry(page, leafAbove.slot);
  }
  return found === undefined ? undefined : Uint8Array.prototype.slice.call(found);
}

/** Where the page writes go (a transaction's puts and removals). */
export interface PageWriter {
  put(key: Uint8Array, value: Uint8Array): void;
  remove(key: Uint8Array): void;
}

/**
 * Applies a block's node writes (`null` removes) to the pages: each page touched is read
 * once, changed, and written back (or removed when empty) once. Throws, writing nothing, if
 * a page it must change does not decode (entries past its end, a slot a page does not have or
 * given twice). `readPage`'s answer is used before the next call
 * (it may be a buffer the store reuses).
 */
export function writeNodes(writes: NodeWrites, readPage: ReadPage, out: PageWriter): void {
  // Per page touched, the new record of each slot changed (null: removed).
  const changes = new Map<string, Array<Uint8Array | null | undefined>>();
  const change = (place: Place, record: Uint8Array | null) => {
    let slots = changes.get(place.page);
    if (slots === undefined) {
      slots = new Array(SLOTS);
      changes.set(place.page, slots);
    }
    slots[place.slot] = record;
  };
  for (const [id, record] of writes) {
    const { own, leafAbove } = placesOf(id);
    if (leafAbove === undefined) change(own, record);
    else {
      // A boundary position: kept in one of its two places, removed from the other.
      const leaf = record !== null && record.length === LEAF_BYTES;
      change(own, leaf ? null : record);
      change(leafAbove, leaf ? record : null);
    }
  }
  const pages: Array<[Uint8Array, Uint8Array | null]> = [];
  const at = new Int32Array(SLOTS);
  for (const [id, slots] of changes) {
    const key = pageKey(id);
    const stored = readPage(key);
    // Where each slot's entry starts in the stored page (-1: none).
    at.fill(-1);
    let size = 0;
    if (stored !== undefined) {
      for (let i = 0; i < stored.length; ) {
        const tag = stored[i] as number;
        const bytes = 1 + (tag & LEAF_FLAG ? LEAF_BYTES : INTERNAL_BYTES);
        if (i + bytes > stored.length)
          throw new StateError(
            "CORRUPT_FILE",
            `the Merkle page ${id} is damaged: its entries run past its end`,
          );
        // A slot the page does not have, or one given twice: rewriting would drop an entry (or
        // keep the one a read does not give), changing the tree without a word.
        const slot = tag & ~LEAF_FLAG;
        if (slot === 0 || slot >= SLOTS || (at[slot] as number) >= 0)
          throw new StateError(
            "CORRUPT_FILE",
            `the Merkle page ${id} is damaged: an entry for slot ${slot} (${slot === 0 || slot >= SLOTS ? `a page has slots 1..${SLOTS - 1}` : "given twice"})`,
          );
        at[slot] = i;
        i += bytes;
      }
    }
    for (let slot = 1; slot < SLOTS; slot++) {
      const record = slots[slot];
      if (record === undefined) {
        const from = at[slot] as number;
        if (from >= 0)
          size += 1 + (((stored as Uint8Array)[from] as number) & LEAF_FLAG ? LEAF_BYTES : INTERNAL_BYTES);
      } else if (record !== null) size += 1 + record.length;
    }
    if (size === 0) {
      if (stored !== undefined) pages.push([key, null]);
      continue;
    }
    const page = new Uint8Array(size);
    let to = 0;
    for (let slot = 1; slot < SLOTS; slot++) {
      const record = slots[slot];
      if (record === undefined) {
        const from = at[slot] as number;
        if (from < 0) continue;
        const src = stored as Uint8Array;
        const end = from + 1 + ((src[from] as number) & LEAF_FLAG ? LEAF_BYTES : INTERNAL_BYTES);
        for (let i = from; i < end; i++) page[to++] = src[i] as number;
      } else if (record !== null) {
        page[to++] = slot | (record.length === LEAF_BYTES ? LEAF_FLAG : 0);
        page.set(record, to);
        to += record.length;
      }
    }
    pages.push([key, page]);
  }
  for (const [key, value] of pages) {
    if (value === null) out.remove(key);
    else out.put(key, value);
  }
}

/**
 * The nodes a page record holds, as (node id, record) pairs; undefined if the record does not
 * decode (entries past its end, a key that is not a page id).
 */
export function pageNodes(key: Uint8Array, page: Uint8Array): Array<[string, Uint8Array]> | undefined {
  const id = pageIdOf(key);
  if (!/^(?:[0-9a-f]{2})+$/.test(id) || byteAt(id, (id.length >> 1) - 1) === 0) return undefined;
  const top = idDepth(id);
  const entries = decodePage(page);
  if (entries === undefined) return undefined;
  const out: Array<[string, Uint8Array]> = [];
  for (const [slot, record] of entries) {
    const r = 31 - Math.clz32(slot);
    if (slot === 0 || r > PAGE_LEVELS) return undefined;
    out.push([idBelow(id, top, slot ^ (1 << r), r), record]);
  }
  return out;
}

/** The id of the position `r` levels below the page top `id` (at depth `top`), by the path bits `bits`. */
function idBelow(id: string, top: number, bits: number, r: number): string {
  const depth = top + r;
  const bytes = new Uint8Array((depth >> 3) + 1);
  const set = (bit: number) => {
    bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  };
  for (let i = 0; i < top; i++) if (bitsOf(id, i, 1) === 1) set(i);
  for (let j = 0; j < r; j++) if ((bits >> (r - 1 - j)) & 1) set(top + j);
  set(depth);
  let out = "";
  for (const b of bytes) out += HEX[b];
  return out;
}
