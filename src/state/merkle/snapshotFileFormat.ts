/**
 * The snapshot file's format (`snapshot-<height>.bin`, written as `.tmp` and renamed once
 * whole), shared by the builder (`spoolSnapshot.ts`) and the reader (`spooledSnapshot.ts`):
 *   header (128 bytes): "WEFTSNP1", version, groupBits, entries, height, root, section offsets;
 *   leaves, in path order: path (32) · value hash (32) · key length (u16) · value length (u32) · key · value;
 *   table, per group boundary g = 0..2^groupBits: leaves before it, their record bytes, their answer bytes (f64 each);
 *   levels, for d = 0..groupBits: the hash of each d-bit prefix (32 bytes each).
 * A file that does not read back as such is refused with `SnapshotFileError` (the node then
 * deletes it and builds anew). Bucket files (the builder's first pass) hold the same records
 * without the value hash.
 */
import { closeSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { bytesToDigest, type Digest, digest, HASH_BYTES } from "./hashing.js";
import type { Leaf } from "./rootFromState.js";
import type { PathPrefix } from "./subtrees.js";

export const MAGIC = "WEFTSNP1";
export const VERSION = 1;
export const HEADER_BYTES = 128;
/** Groups are cut at most this many bits deep (2^16 groups: the tables stay a few MB). */
export const MAX_GROUP_BITS = 16;
/** Entries per group aimed at when choosing the group bits. */
const GROUP_TARGET = 16;
export const BUCKET_BITS = 8;
const RECORD_FIXED = HASH_BYTES * 2 + 2 + 4;
export const TABLE_ROW = 24;
const WRITE_BUFFER = 64 * 1024;

export type SnapshotFileErrorCode = "BAD_FILE" | "BAD_ENTRY";

export class SnapshotFileError extends Error {
  constructor(
    readonly code: SnapshotFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SnapshotFileError";
  }
}

/** Appends to a file through a buffer. */
export class FileWriter {
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER);
  private used = 0;
  /** Bytes written through this writer. */
  written = 0;
  constructor(
    readonly fd: number,
    private position: number,
  ) {}

  write(bytes: Uint8Array): void {
    this.written += bytes.length;
    if (bytes.length > WRITE_BUFFER) {
      this.flush();
      this.position += writeSync(this.fd, bytes, 0, bytes.length, this.position);
      return;
    }
    if (this.used + bytes.length > WRITE_BUFFER) this.flush();
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** A record's head: path, value hash (unless undefined), key length (u16), value length (u32). */
  head(path: Digest, valueHash: Digest | undefined, keyLength: number, valueLength: number): void {
    const bytes = HASH_BYTES * (valueHash === undefined ? 1 : 2) + 6;
    if (this.used + bytes > WRITE_BUFFER) this.flush();
    const b = this.buffer;
    let at = this.used;
    for (let i = 0; i < HASH_BYTES; i++) b[at++] = path.charCodeAt(i);
    if (valueHash !== undefined) for (let i = 0; i < HASH_BYTES; i++) b[at++] = valueHash.charCodeAt(i);
    b.writeUInt16BE(keyLength, at);
    b.writeUInt32BE(valueLength, at + 2);
    this.used = at + 6;
    this.written += bytes;
  }

  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off, this.position + off);
    this.position += this.used;
    this.used = 0;
  }
}

/** How many bits groups are cut at for `entries` entries. */
export function groupBitsFor(entries: number): number {
  return Math.min(MAX_GROUP_BITS, Math.max(0, Math.ceil(Math.log2(Math.max(1, entries / GROUP_TARGET)))));
}

export interface SpoolLeaf extends Leaf {
  key: Uint8Array;
  value: Uint8Array;
}

export function prefixIndex(path: Digest, bits: number): number {
  let out = 0;
  for (let i = 0; i < bits; i++) out = out * 2 + ((path.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1);
  return out;
}

export function prefixValue(prefix: PathPrefix): number {
  let out = 0;
  for (let i = 0; i < prefix.bits; i++)
    out = out * 2 + (((prefix.bytes[i >> 3] as number) >> (7 - (i & 7))) & 1);
  return out;
}

/** Reads the records of `bytes` (bucket records carry no value hash: `withHash` false). */
export function parseRecords(bytes: Uint8Array, withHash: boolean): SpoolLeaf[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SpoolLeaf[] = [];
  let at = 0;
  const fixed = withHash ? RECORD_FIXED : RECORD_FIXED - HASH_BYTES;
  while (at < bytes.length) {
    if (at + fixed > bytes.length) throw new SnapshotFileError("BAD_FILE", "a record cut short");
    const path = bytesToDigest(bytes.subarray(at, at + HASH_BYTES));
    const valueHash = withHash ? bytesToDigest(bytes.subarray(at + HASH_BYTES, at + 2 * HASH_BYTES)) : "";
    const keyLength = view.getUint16(at + fixed - 6);
    const valueLength = view.getUint32(at + fixed - 4);
    const start = at + fixed;
    const end = start + keyLength + valueLength;
    if (end > bytes.length) throw new SnapshotFileError("BAD_FILE", "a record cut short");
    const key = bytes.subarray(start, start + keyLength);
    const value = bytes.subarray(start + keyLength, end);
    out.push({ path, valueHash: withHash ? valueHash : digest(value), key, value });
    at = end;
  }
  return out;
}

/** Where the snapshot of `height` is kept in `dir`. */
export function snapshotFile(dir: string, height: number): string {
  return join(dir, `snapshot-${height}.bin`);
}

export function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}

export function readWhole(file: string): Uint8Array {
  const fd = openSync(file, "r");
  try {
    const size = statSync(file).size;
    const out = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, out, off, size - off, off);
      if (n === 0) throw new SnapshotFileError("BAD_FILE", `${file} cut short`);
      off += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
