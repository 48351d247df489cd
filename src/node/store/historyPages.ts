/**
 * The records of the state history's change sets (`stateHistory.ts`, whose module comment
 * describes the layout): page and record keys, the salted page of a key, a page's encoding,
 * and the lookup of a key in a page, every offset checked (a damaged page is `CORRUPT_FILE`).
 */
import { StateError } from "../../state/errors.js";
import type { StateKey } from "../../state/keys.js";

/** Pages a block's change set is spread over (fewer when it changed fewer keys). */
export const PAGES = 64;
/** Values longer than this get a record of their own, so that a page stays small to read. */
export const INLINE_VALUE_BYTES = 1024;
export const PAGE_TAG = 2;
export const IN_PAGE = 0;
export const APART = 1;
export const KIND_ABSENT = 0;
export const KIND_INLINE = 1;
export const KIND_APART = 2;

export function keyBytes(key: StateKey): Uint8Array {
  return Buffer.from(key, "hex");
}

/** The old layout's key (databases written before pages): block ‖ state key. */
export function changeKey(block: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + key.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(block));
  out.set(key, 8);
  return out;
}

/** A page's key: block ‖ 00 ‖ page. */
export function pageKey(block: number, page: number): Uint8Array {
  const out = new Uint8Array(10);
  new DataView(out.buffer).setBigUint64(0, BigInt(block));
  out[8] = IN_PAGE;
  out[9] = page;
  return out;
}

/** The key of a value kept apart from its page: block ‖ 01 ‖ state key. */
export function apartKey(block: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + key.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(block));
  out[8] = APART;
  out.set(key, 9);
  return out;
}

/** The page of `key`: FNV-1a of its bytes from the salt, then a final mix. */
export function pageOf(key: Uint8Array, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ (key[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % PAGES;
}

export function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface Entry {
  /** The key as lowercase hex: its order is the bytes' order, and a string compares natively. */
  hex: StateKey;
  key: Uint8Array;
  kind: number;
  value: Uint8Array | undefined;
}

/** A page's bytes (`entries` sorted by key). */
export function encodePage(entries: readonly Entry[]): Uint8Array {
  let size = 5 + 4 * entries.length;
  for (const e of entries)
    size += 7 + e.key.length + (e.kind === KIND_INLINE ? (e.value as Uint8Array).length : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = PAGE_TAG;
  view.setUint32(1, entries.length);
  let at = 5 + 4 * entries.length;
  entries.forEach((e, i) => {
    view.setUint32(5 + 4 * i, at);
    view.setUint16(at, e.key.length);
    out.set(e.key, at + 2);
    at += 2 + e.key.length;
    out[at] = e.kind;
    const value = e.kind === KIND_INLINE ? (e.value as Uint8Array) : undefined;
    view.setUint32(at + 1, value?.length ?? 0);
    at += 5;
    if (value !== undefined) {
      out.set(value, at);
      at += value.length;
    }
  });
  return out;
}

/** A page or record that cannot be what this module wrote: the chain database is damaged. */
export function damaged(block: number, what: string): StateError {
  return new StateError("CORRUPT_FILE", `the state history of block ${block} is damaged: ${what}`);
}

/**
 * `key`'s entry in block `block`'s page: its kind and, inline, a copy of its value; undefined
 * if the page does not hold it. Binary search over the sorted entries, every offset and length
 * checked against the page (a damaged one is `CORRUPT_FILE`, never a read past its end).
 */
export function findInPage(
  block: number,
  page: Uint8Array,
  key: Uint8Array,
): { kind: number; value?: Uint8Array } | undefined {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const size = page.length;
  if (size < 5 || page[0] !== PAGE_TAG) throw damaged(block, `a page of ${size} bytes, tag ${page[0]}`);
  const count = view.getUint32(1);
  if (5 + 4 * count > size) throw damaged(block, `a page of ${size} bytes names ${count} entries`);
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = view.getUint32(5 + 4 * mid);
    if (at + 2 > size) throw damaged(block, `entry ${mid} at ${at} of a ${size}-byte page`);
    const length = view.getUint16(at);
    const kindAt = at + 2 + length;
    if (kindAt + 5 > size)
      throw damaged(block, `entry ${mid} (key of ${length} bytes) past a ${size}-byte page`);
    const order = compare(page.subarray(at + 2, kindAt), key);
    if (order < 0) lo = mid + 1;
    else if (order > 0) hi = mid;
    else {
      const kind = page[kindAt] as number;
      if (kind === KIND_ABSENT || kind === KIND_APART) return { kind };
      const valueLength = view.getUint32(kindAt + 1);
      if (kind !== KIND_INLINE || kindAt + 5 + valueLength > size)
        throw damaged(block, `entry ${mid}: kind ${kind}, a value of ${valueLength} bytes`);
      return { kind, value: Uint8Array.from(page.subarray(kindAt + 5, kindAt + 5 + valueLength)) };
    }
  }
  return undefined;
}
