/**
 * Hashing and addressing for the state Merkle tree: the hash function, the 256-bit path of
 * a state key, node hashes, node records, path bits and node ids.
 *
 * Hash function: SHA-256 through node:crypto's one-shot `crypto.hash` with a latin1 string
 * output. Measured on the development machine (Node 20.20, 2-core AMD EPYC, shared and
 * noisy: range over 3 runs of the median of 5 × 300k calls), µs per hash:
 *
 * | input, outputs kept alive    | createHash().digest() | @noble/hashes sha256 | crypto.hash → Buffer | crypto.hash → latin1 |
 * |------------------------------|-----------------------|----------------------|----------------------|----------------------|
 * | 65 B, dropped at once        | 1.13–1.54             | 1.62–1.95            | 0.72–1.06            | 0.27–0.45            |
 * | 97 B, dropped at once        | 1.09–1.65             | 1.62–2.49            | 0.73–1.11            | 0.27–0.33            |
 * | 65 B, last 100k kept         | 4.01–6.82             | 2.54–4.19            | 1.77–2.15            | 0.34–0.45            |
 * | 97 B, last 100k kept         | 5.86–6.39             | 2.45–4.31            | 1.13–2.04            | 0.30–0.34            |
 *
 * Most of the cost of the byte-returning variants is allocating the 32-byte output (an
 * off-heap ArrayBuffer per hash), so inside the tree every 32-byte hash or path is a
 * `Digest`: a 32-character latin1 string, one character per byte. Strings compare with
 * `===` and `<` (byte order), and are converted to bytes only in records and at the public
 * API. `createHash` is the fallback on Node 20 releases before 20.12 (no `crypto.hash`).
 */
import * as nodeCrypto from "node:crypto";
import { StateError } from "../errors.js";
import type { StateKey } from "../keys.js";

/** A 32-byte hash or path as a 32-character latin1 string (character i = byte i). */
export type Digest = string;

/** Length of a hash, a path and a value hash, in bytes. */
export const HASH_BYTES = 32;
/** Number of bits of a path, so the deepest possible node depth. */
export const PATH_BITS = 256;
/** The hash of an empty subtree (32 zero bytes) as a `Digest`. */
export const EMPTY_DIGEST: Digest = "\0".repeat(HASH_BYTES);
/** The hash of an empty subtree: 32 zero bytes. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

/**
 * A leaf record is its hash preimage `0x00 ‖ path ‖ H(value)` (65 bytes). An internal
 * record is `left ‖ right` (64 bytes): its preimage `0x01 ‖ left ‖ right` without the tag,
 * which keeps it within V8's on-heap typed arrays (≤ 64 bytes, ~8× cheaper to allocate
 * than 65). The length tells the two kinds apart.
 */
export const LEAF_RECORD_BYTES = 1 + 2 * HASH_BYTES;
/** Length of an internal record `left ‖ right`. */
export const INTERNAL_RECORD_BYTES = 2 * HASH_BYTES;
/** First byte of a leaf record and leaf hash preimage. */
export const LEAF_TAG = 0x00;
/** First byte of an internal node hash preimage (not stored in the record). */
export const INTERNAL_TAG = 0x01;

const oneShot = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;

/** SHA-256 of `data` as a `Digest` (Node's "binary" encoding is latin1). */
export const digest: (data: Uint8Array) => Digest =
  typeof oneShot === "function"
    ? (data) => oneShot("sha256", data, "binary")
    : (data) => nodeCrypto.createHash("sha256").update(data).digest("binary");

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeSlice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/** Bytes `[start, end)` of `bytes` as a latin1 string (Node's native slice when available). */
const latin1: (bytes: Uint8Array, start: number, end: number) => string =
  typeof nativeSlice === "function"
    ? (bytes, start, end) => nativeSlice.call(bytes, start, end)
    : (bytes, start, end) => String.fromCharCode(...bytes.subarray(start, end));

/** A 32-byte array as a `Digest`. */
export function bytesToDigest(bytes: Uint8Array): Digest {
  return latin1(bytes, 0, HASH_BYTES);
}

/** Writes the 32 bytes of `d` into `target` at `offset`. */
function writeDigest(target: Uint8Array, offset: number, d: Digest): void {
  for (let i = 0; i < HASH_BYTES; i++) target[offset + i] = d.charCodeAt(i);
}

/** A `Digest` as a new 32-byte array. */
export function digestToBytes(d: Digest): Uint8Array {
  const out = new Uint8Array(HASH_BYTES);
  writeDigest(out, 0, d);
  return out;
}

const KEY_RE = /^(?:[0-9a-f]{2})+$/;

/** The tree path of a state key: SHA-256 of the key's raw bytes. Throws `BAD_KEY` on a malformed key. */
export function keyPath(key: StateKey): Digest {
  if (typeof key !== "string" || !KEY_RE.test(key)) {
    throw new StateError(
      "BAD_KEY",
      `state key ${JSON.stringify(String(key).slice(0, 80))} is not lowercase hex`,
    );
  }
  return digest(Buffer.from(key, "hex"));
}

/** Builds a leaf record `0x00 ‖ path ‖ valueHash`; its hash is the leaf hash. */
export function leafRecord(path: Digest, valueHash: Digest): Uint8Array {
  const record = new Uint8Array(LEAF_RECORD_BYTES);
  record[0] = LEAF_TAG;
  writeDigest(record, 1, path);
  writeDigest(record, 1 + HASH_BYTES, valueHash);
  return record;
}

/** Builds an internal record `left ‖ right`. */
export function internalRecord(left: Digest, right: Digest): Uint8Array {
  const record = new Uint8Array(INTERNAL_RECORD_BYTES);
  writeDigest(record, 0, left);
  writeDigest(record, HASH_BYTES, right);
  return record;
}

/** True for a leaf record, false for an internal one (records are told apart by length). */
export function isLeafRecord(record: Uint8Array): boolean {
  return record.length === LEAF_RECORD_BYTES;
}

/** The path of a leaf record. */
export const leafPathOf = (record: Uint8Array): Digest => latin1(record, 1, 1 + HASH_BYTES);
/** The value hash of a leaf record. */
export const leafValueHashOf = (record: Uint8Array): Digest =>
  latin1(record, 1 + HASH_BYTES, LEAF_RECORD_BYTES);
/** The left child hash of an internal record. */
export const leftOf = (record: Uint8Array): Digest => latin1(record, 0, HASH_BYTES);
/** The right child hash of an internal record. */
export const rightOf = (record: Uint8Array): Digest => latin1(record, HASH_BYTES, INTERNAL_RECORD_BYTES);

const preimage = new Uint8Array(LEAF_RECORD_BYTES);

/** The hash of the node a record describes: `H(leaf record)` or `H(0x01 ‖ internal record)`. */
export function recordDigest(record: Uint8Array): Digest {
  if (isLeafRecord(record)) return digest(record);
  preimage[0] = INTERNAL_TAG;
  preimage.set(record, 1);
  return digest(preimage);
}

/** Leaf hash `H(0x00 ‖ path ‖ valueHash)`. */
export function leafDigest(path: Digest, valueHash: Digest): Digest {
  preimage[0] = LEAF_TAG;
  writeDigest(preimage, 1, path);
  writeDigest(preimage, 1 + HASH_BYTES, valueHash);
  return digest(preimage);
}

/** Internal node hash `H(0x01 ‖ left ‖ right)`. */
export function internalDigest(left: Digest, right: Digest): Digest {
  preimage[0] = INTERNAL_TAG;
  writeDigest(preimage, 1, left);
  writeDigest(preimage, 1 + HASH_BYTES, right);
  return digest(preimage);
}

/** Bit `depth` of `path` (bit 0 is the most significant bit of byte 0): 0 = left, 1 = right. */
export function bitAt(path: Digest, depth: number): number {
  return (path.charCodeAt(depth >> 3) >> (7 - (depth & 7))) & 1;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Id of the node at `depth` on `path`: the first `depth` bits of the path, then a single 1
 * bit, then zero bits up to a byte boundary, as lowercase hex (`(depth >> 3) + 1` bytes).
 * The marker bit encodes the depth, so ids of different positions never collide.
 * @example nodeId(path, 0) // "80", the root
 * @example nodeId(path, 9) // "abc0" for a path starting with bytes ab 80
 */
export function nodeId(path: Digest, depth: number): string {
  const full = depth >> 3;
  const rem = depth & 7;
  let id = "";
  for (let i = 0; i < full; i++) id += HEX[path.charCodeAt(i)];
  const kept = full < HASH_BYTES ? path.charCodeAt(full) & (0xff00 >> rem) & 0xff : 0;
  return id + HEX[kept | (0x80 >> rem)];
}

/** Id of the root node (depth 0), a fixed key in the node store. */
export const ROOT_ID = "80";

/** Id of child `bit` of the node at `depth` on `path` (the child is at `depth + 1`). */
export function childId(path: Digest, depth: number, bit: number): string {
  if (bitAt(path, depth) === bit) return nodeId(path, depth + 1);
  const i = depth >> 3;
  const flipped = path.charCodeAt(i) ^ (0x80 >> (depth & 7));
  return nodeId(path.slice(0, i) + String.fromCharCode(flipped) + path.slice(i + 1), depth + 1);
}
