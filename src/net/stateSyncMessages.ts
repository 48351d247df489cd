/**
 * The state-sync protocol's messages, one frame each (`frames.ts`), integers big-endian. A
 * path prefix is `u16 bits ‖ ⌈bits/8⌉ bytes` (the first `bits` bits of a key's path, most
 * significant first, unused low bits zero; `state/merkle/subtrees.ts`):
 *
 *   subtree request   u8 12 ‖ root (32 bytes) ‖ u8 depth ‖ prefix
 *   subtree           u8 13 ‖ u8 depth ‖ 2^depth × (u32 leaves ‖ u64 bytes ‖ 32-byte hash)
 *   entries request   u8 14 ‖ root (32 bytes) ‖ prefix
 *   entries           u8 4 ‖ u32 count ‖ count × (u16 n ‖ n bytes of key ‖ u32 m ‖ m bytes of value)
 *   error             u8 5 ‖ u8 code ‖ utf-8 message (≤ 256 bytes)
 *   claim request     u8 6
 *   claim             u8 7 ‖ claim bytes (≤ MAX_CLAIM_BYTES)
 *   links request     u8 8 ‖ u64 first epoch ‖ u32 count (≤ MAX_ITEMS)
 *   links             u8 9 ‖ u32 count ‖ count × (u32 n ‖ n bytes of an epoch link)
 *   headers request   u8 10 ‖ u64 height ‖ u32 count (≤ MAX_ITEMS): the headers of height − 1 down to height − count
 *   headers           u8 11 ‖ u32 count ‖ count × (u32 n ‖ n bytes of header JSON)
 *
 * The client chooses how deep to cut: it asks for the summaries of a subtree `depth` levels
 * down (at most MAX_SUBTREE_DEPTH: 2^10 summaries, 44 KiB), and for the entries of a subtree
 * whose bytes fit its budget. The server refuses what it will not bound: a deeper cut is
 * `TOO_DEEP`, entries over MAX_ENTRIES_BYTES are `TOO_LARGE` (ask for its subtrees instead).
 * (Until session 13 the server chose one cut for all, up to 2^16 chunks: a state spread over
 * every chunk took 65,536 requests however small it was.)
 *
 * Epoch links (`node/epochLinks.ts`) and headers are the node's bytes too: the client checks
 * each (a link against the set before it, a header against its child's parent hash).
 * A claim is what the server offers to sync to: bytes the node defines (a block header and
 * the commit certificate of its hash, `node/certifiedStateSync.ts`), which the client checks
 * before it trusts the root in them; this layer only carries them.
 *
 * What summaries and entries prove is in `state/merkle/subtrees.ts`. Decoding failures are
 * `NetError` MALFORMED.
 */
import { fromHex, toHex } from "../codec/bytes.js";
import type { SnapshotEntry } from "../state/merkle/snapshot.js";
import { isCanonicalPrefix, type PathPrefix, type SubtreeSummary } from "../state/merkle/subtrees.js";
import { NetError } from "./errors.js";

/** Most bytes of a claim (a header and a certificate are about 1.5 KiB). */
export const MAX_CLAIM_BYTES = 16 * 1024;

/** Most links or headers one request asks for and one answer holds. */
export const MAX_ITEMS = 64;
/** Most bytes of one link or header in an answer. */
export const MAX_ITEM_BYTES = 1 << 20;

/** Deepest cut one subtree request may ask for: 2^10 summaries of 44 bytes. */
export const MAX_SUBTREE_DEPTH = 10;
/** Bytes of entries a server answers in one frame at most (a client keeps its budget below). */
export const MAX_ENTRIES_BYTES = 16 * 1024 * 1024;
/** Longest request: the subtree request with a full 256-bit prefix. */
export const MAX_STATE_REQUEST_BYTES = 1 + 32 + 1 + 2 + 32;

export type StateRequest =
  | { type: "claim" }
  | { type: "links"; from: number; count: number }
  | { type: "headers"; from: number; count: number }
  | { type: "subtree"; root: Uint8Array; prefix: PathPrefix; depth: number }
  | { type: "entries"; root: Uint8Array; prefix: PathPrefix };

/**
 * Why a server refused: a malformed request, too many requests, a root it holds no snapshot
 * of, a cut deeper than MAX_SUBTREE_DEPTH, entries over MAX_ENTRIES_BYTES.
 */
export const STATE_ERROR_CODES = [
  "BAD_REQUEST",
  "RATE_LIMITED",
  "UNKNOWN_ROOT",
  "TOO_DEEP",
  "TOO_LARGE",
] as const;
export type StateErrorCode = (typeof STATE_ERROR_CODES)[number];

export type StateAnswer =
  | { type: "claim"; claim: Uint8Array }
  | { type: "links"; items: Uint8Array[] }
  | { type: "headers"; items: Uint8Array[] }
  | { type: "subtree"; depth: number; summaries: SubtreeSummary[] }
  | { type: "entries"; entries: SnapshotEntry[] }
  | { type: "error"; code: StateErrorCode; message: string };

export function encodeStateRequest(request: StateRequest): Uint8Array {
  if (request.type === "claim") return Uint8Array.of(6);
  if (request.type === "links" || request.type === "headers") {
    const out = new Uint8Array(13);
    const view = new DataView(out.buffer);
    out[0] = request.type === "links" ? 8 : 10;
    view.setBigUint64(1, BigInt(request.from));
    view.setUint32(9, request.count);
    return out;
  }
  const depth = request.type === "subtree" ? [request.depth] : [];
  const { bits, bytes } = request.prefix;
  return Uint8Array.of(
    request.type === "subtree" ? 12 : 14,
    ...request.root,
    ...depth,
    bits >> 8,
    bits & 0xff,
    ...bytes,
  );
}

export function decodeStateRequest(data: Uint8Array): StateRequest {
  if (data.length === 1 && data[0] === 6) return { type: "claim" };
  if ((data[0] === 12 || data[0] === 14) && data.length <= MAX_STATE_REQUEST_BYTES)
    return decodeSubtreeRequest(data);
  if (data.length === 13 && (data[0] === 8 || data[0] === 10)) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const from = view.getBigUint64(1);
    const count = view.getUint32(9);
    if (from > BigInt(Number.MAX_SAFE_INTEGER) || count < 1 || count > MAX_ITEMS)
      throw new NetError("MALFORMED", `a request for ${count} items from ${from} (1..${MAX_ITEMS})`);
    return { type: data[0] === 8 ? "links" : "headers", from: Number(from), count };
  }
  throw new NetError("MALFORMED", `not a state-sync request (${data.length} bytes, type ${data[0]})`);
}

function decodeSubtreeRequest(data: Uint8Array): StateRequest {
  const subtree = data[0] === 12;
  const at = subtree ? 34 : 33;
  if (data.length < at + 2)
    throw new NetError("MALFORMED", `a ${subtree ? "subtree" : "entries"} request of ${data.length} bytes`);
  const bits = ((data[at] as number) << 8) | (data[at + 1] as number);
  const prefix = { bits, bytes: data.slice(at + 2) };
  if (!isCanonicalPrefix(prefix))
    throw new NetError(
      "MALFORMED",
      `a path prefix of ${bits} bits in ${prefix.bytes.length} bytes, or bits set past its end`,
    );
  const root = data.slice(1, 33);
  return subtree
    ? { type: "subtree", root, prefix, depth: data[33] as number }
    : { type: "entries", root, prefix };
}

export function encodeClaim(claim: Uint8Array): Uint8Array {
  return Uint8Array.of(7, ...claim);
}

/** Links (type "links") or headers (type "headers") in one answer frame. */
export function encodeItems(type: "links" | "headers", items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(5 + items.reduce((sum, item) => sum + 4 + item.length, 0));
  const view = new DataView(out.buffer);
  out[0] = type === "links" ? 9 : 11;
  view.setUint32(1, items.length);
  let at = 5;
  for (const item of items) {
    view.setUint32(at, item.length);
    out.set(item, at + 4);
    at += 4 + item.length;
  }
  return out;
}

/** Bytes of one summary in a subtree answer. */
const SUMMARY_BYTES = 4 + 8 + 32;

export function encodeSubtree(depth: number, summaries: readonly SubtreeSummary[]): Uint8Array {
  const out = new Uint8Array(2 + summaries.length * SUMMARY_BYTES);
  const view = new DataView(out.buffer);
  out[0] = 13;
  out[1] = depth;
  summaries.forEach((s, i) => {
    const at = 2 + i * SUMMARY_BYTES;
    view.setUint32(at, s.leaves);
    view.setBigUint64(at + 4, BigInt(s.bytes));
    out.set(s.hash, at + 12);
  });
  return out;
}

export function encodeEntries(entries: readonly SnapshotEntry[]): Uint8Array {
  const keys = entries.map(([key]) => fromHex(key));
  const size = entries.reduce(
    (sum, [, value], i) => sum + 6 + (keys[i] as Uint8Array).length + value.length,
    5,
  );
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = 4;
  view.setUint32(1, entries.length);
  let at = 5;
  entries.forEach(([, value], i) => {
    const key = keys[i] as Uint8Array;
    view.setUint16(at, key.length);
    out.set(key, at + 2);
    at += 2 + key.length;
    view.setUint32(at, value.length);
    out.set(value, at + 4);
    at += 4 + value.length;
  });
  return out;
}

export function encodeStateError(code: StateErrorCode, message: string): Uint8Array {
  const text = new TextEncoder().encode(message).subarray(0, 256);
  return Uint8Array.of(5, STATE_ERROR_CODES.indexOf(code), ...text);
}

export function decodeStateAnswer(data: Uint8Array): StateAnswer {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fail = (what: string) => new NetError("MALFORMED", `state-sync ${what}`);
  switch (data[0]) {
    case 13: {
      const depth = data[1] ?? 255;
      if (depth > MAX_SUBTREE_DEPTH || data.length !== 2 + 2 ** depth * SUMMARY_BYTES)
        throw fail("subtree answer of the wrong size");
      const summaries = Array.from({ length: 2 ** depth }, (_, i) => {
        const at = 2 + i * SUMMARY_BYTES;
        return {
          leaves: view.getUint32(at),
          bytes: Number(view.getBigUint64(at + 4)),
          hash: data.slice(at + 12, at + SUMMARY_BYTES),
        };
      });
      return { type: "subtree", depth, summaries };
    }
    case 4: {
      if (data.length < 5) throw fail("entries without a count");
      const count = view.getUint32(1);
      // Each entry takes at least 6 bytes: a count beyond that is a lie, refused before any work.
      if (count > (data.length - 5) / 6)
        throw fail(`entries claiming ${count} entries in ${data.length} bytes`);
      const entries: SnapshotEntry[] = [];
      let at = 5;
      for (let i = 0; i < count; i++) {
        if (at + 2 > data.length) throw fail("entries end inside a key length");
        const n = view.getUint16(at);
        if (at + 2 + n + 4 > data.length) throw fail("entries end inside a key");
        const key = toHex(data.subarray(at + 2, at + 2 + n));
        at += 2 + n;
        const m = view.getUint32(at);
        if (at + 4 + m > data.length) throw fail("entries end inside a value");
        entries.push([key, data.slice(at + 4, at + 4 + m)]);
        at += 4 + m;
      }
      if (at !== data.length) throw fail("entries with bytes after the last");
      return { type: "entries", entries };
    }
    case 9:
    case 11: {
      if (data.length < 5) throw fail("items without a count");
      const count = view.getUint32(1);
      if (count > MAX_ITEMS) throw fail(`answer of ${count} items, at most ${MAX_ITEMS}`);
      const items: Uint8Array[] = [];
      let at = 5;
      for (let i = 0; i < count; i++) {
        if (at + 4 > data.length) throw fail("items end inside a length");
        const n = view.getUint32(at);
        if (n > MAX_ITEM_BYTES) throw fail(`an item of ${n} bytes, at most ${MAX_ITEM_BYTES}`);
        if (at + 4 + n > data.length) throw fail("items end inside an item");
        items.push(data.slice(at + 4, at + 4 + n));
        at += 4 + n;
      }
      if (at !== data.length) throw fail("items with bytes after the last");
      return { type: data[0] === 9 ? "links" : "headers", items };
    }
    case 7: {
      if (data.length - 1 > MAX_CLAIM_BYTES) throw fail(`claim of ${data.length - 1} bytes`);
      return { type: "claim", claim: data.slice(1) };
    }
    case 5: {
      const code = STATE_ERROR_CODES[data[1] ?? 255];
      if (code === undefined || data.length > 258) throw fail("error with an unknown code");
      return { type: "error", code, message: new TextDecoder().decode(data.subarray(2)) };
    }
    default:
      throw fail(`answer of unknown type ${data[0]}`);
  }
}
