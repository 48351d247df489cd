/**
 * The state-sync protocol's messages, one frame each (`frames.ts`), integers big-endian:
 *
 *   manifest request  u8 1 ‖ root (32 bytes)
 *   manifest          u8 2 ‖ u8 depth ‖ 2^depth × (u32 leaves ‖ 32-byte subtree hash)
 *   chunk request     u8 3 ‖ root (32 bytes) ‖ u32 index
 *   chunk             u8 4 ‖ u32 count ‖ count × (u16 n ‖ n bytes of key ‖ u32 m ‖ m bytes of value)
 *   error             u8 5 ‖ u8 code ‖ utf-8 message (≤ 256 bytes)
 *   claim request     u8 6
 *   claim             u8 7 ‖ claim bytes (≤ MAX_CLAIM_BYTES)
 *   links request     u8 8 ‖ u64 first epoch ‖ u32 count (≤ MAX_ITEMS)
 *   links             u8 9 ‖ u32 count ‖ count × (u32 n ‖ n bytes of an epoch link)
 *   headers request   u8 10 ‖ u64 height ‖ u32 count (≤ MAX_ITEMS): the headers of height − 1 down to height − count
 *   headers           u8 11 ‖ u32 count ‖ count × (u32 n ‖ n bytes of header JSON)
 *
 * Epoch links (`node/epochLinks.ts`) and headers are the node's bytes too: the client checks
 * each (a link against the set before it, a header against its child's parent hash).
 * A claim is what the server offers to sync to: bytes the node defines (a block header and
 * the commit certificate of its hash, `node/certifiedStateSync.ts`), which the client checks
 * before it trusts the root in them; this layer only carries them.
 *
 * What a manifest and a chunk prove is in `state/merkle/snapshot.ts`. Decoding failures are
 * `NetError` MALFORMED.
 */
import { fromHex, toHex } from "../codec/bytes.js";
import { MAX_SNAPSHOT_DEPTH, type SnapshotEntry, type SnapshotManifest } from "../state/merkle/snapshot.js";
import { NetError } from "./errors.js";

/** Most bytes of a claim (a header and a certificate are about 1.5 KiB). */
export const MAX_CLAIM_BYTES = 16 * 1024;

/** Most links or headers one request asks for and one answer holds. */
export const MAX_ITEMS = 64;
/** Most bytes of one link or header in an answer. */
export const MAX_ITEM_BYTES = 1 << 20;

export type StateRequest =
  | { type: "claim" }
  | { type: "links"; from: number; count: number }
  | { type: "headers"; from: number; count: number }
  | { type: "manifest"; root: Uint8Array }
  | { type: "chunk"; root: Uint8Array; index: number };

export const STATE_ERROR_CODES = ["BAD_REQUEST", "RATE_LIMITED", "UNKNOWN_ROOT"] as const;
export type StateErrorCode = (typeof STATE_ERROR_CODES)[number];

export type StateAnswer =
  | { type: "claim"; claim: Uint8Array }
  | { type: "links"; items: Uint8Array[] }
  | { type: "headers"; items: Uint8Array[] }
  | { type: "manifest"; manifest: SnapshotManifest }
  | { type: "chunk"; entries: SnapshotEntry[] }
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
  if (request.type === "manifest") return Uint8Array.of(1, ...request.root);
  const out = new Uint8Array(37);
  out[0] = 3;
  out.set(request.root, 1);
  new DataView(out.buffer).setUint32(33, request.index);
  return out;
}

export function decodeStateRequest(data: Uint8Array): StateRequest {
  if (data.length === 1 && data[0] === 6) return { type: "claim" };
  if (data.length === 33 && data[0] === 1) return { type: "manifest", root: data.slice(1) };
  if (data.length === 13 && (data[0] === 8 || data[0] === 10)) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const from = view.getBigUint64(1);
    const count = view.getUint32(9);
    if (from > BigInt(Number.MAX_SAFE_INTEGER) || count < 1 || count > MAX_ITEMS)
      throw new NetError("MALFORMED", `a request for ${count} items from ${from} (1..${MAX_ITEMS})`);
    return { type: data[0] === 8 ? "links" : "headers", from: Number(from), count };
  }
  if (data.length === 37 && data[0] === 3)
    return {
      type: "chunk",
      root: data.slice(1, 33),
      index: new DataView(data.buffer, data.byteOffset).getUint32(33),
    };
  throw new NetError("MALFORMED", `not a state-sync request (${data.length} bytes, type ${data[0]})`);
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

export function encodeManifest(manifest: SnapshotManifest): Uint8Array {
  const out = new Uint8Array(2 + manifest.chunks.length * 36);
  const view = new DataView(out.buffer);
  out[0] = 2;
  out[1] = manifest.depth;
  manifest.chunks.forEach((chunk, i) => {
    view.setUint32(2 + i * 36, chunk.leaves);
    out.set(chunk.hash, 6 + i * 36);
  });
  return out;
}

export function encodeChunk(entries: readonly SnapshotEntry[]): Uint8Array {
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
    case 2: {
      const depth = data[1] ?? 255;
      if (depth > MAX_SNAPSHOT_DEPTH || data.length !== 2 + 2 ** depth * 36)
        throw fail("manifest of the wrong size");
      const chunks = Array.from({ length: 2 ** depth }, (_, i) => ({
        leaves: view.getUint32(2 + i * 36),
        hash: data.slice(6 + i * 36, 38 + i * 36),
      }));
      return { type: "manifest", manifest: { depth, chunks } };
    }
    case 4: {
      if (data.length < 5) throw fail("chunk without a count");
      const count = view.getUint32(1);
      // Each entry takes at least 6 bytes: a count beyond that is a lie, refused before any work.
      if (count > (data.length - 5) / 6)
        throw fail(`chunk claiming ${count} entries in ${data.length} bytes`);
      const entries: SnapshotEntry[] = [];
      let at = 5;
      for (let i = 0; i < count; i++) {
        if (at + 2 > data.length) throw fail("chunk ends inside a key length");
        const n = view.getUint16(at);
        if (at + 2 + n + 4 > data.length) throw fail("chunk ends inside a key");
        const key = toHex(data.subarray(at + 2, at + 2 + n));
        at += 2 + n;
        const m = view.getUint32(at);
        if (at + 4 + m > data.length) throw fail("chunk ends inside a value");
        entries.push([key, data.slice(at + 4, at + 4 + m)]);
        at += 4 + m;
      }
      if (at !== data.length) throw fail("chunk with bytes after its last entry");
      return { type: "chunk", entries };
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
