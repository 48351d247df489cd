/**
 * A state snapshot spooled to a file, for serving state sync without holding the state in the
 * heap (`node/stateSyncServe.ts`). It answers the same questions as `SubtreeIndex`
 * (`subtrees.ts`) with the same answers, reading what each needs from the file.
 *
 * Built in two passes (`spoolSnapshot`):
 * 1. one synchronous scan of the store (so the entries are those of one committed state)
 *    writes each entry to one of 256 bucket files by the first 8 bits of its path;
 * 2. bucket by bucket (yielding to the event loop between them every 20 ms), the entries are sorted by
 *    path and appended to the snapshot file, cut in groups by the first `groupBits` bits of
 *    the path, each group's subtree hash computed; then the hashes of every prefix of at most
 *    `groupBits` bits, level by level.
 * The heap holds one bucket (the state's bytes / 256) and per-group tables (at most 2^16
 * groups: a few MB), whatever the state's size.
 *
 * The file (`snapshot-<height>.bin`, written as `.tmp` and renamed once whole):
 *   header (128 bytes): "WEFTSNP1", version, groupBits, entries, height, root, section offsets;
 *   leaves, in path order: path (32) · value hash (32) · key length (u16) · value length (u32) · key · value;
 *   table, per group boundary g = 0..2^groupBits: leaves before it, their record bytes, their answer bytes (f64 each);
 *   levels, for d = 0..groupBits: the hash of each d-bit prefix (32 bytes each).
 * A file that does not read back as such is refused with `SnapshotFileError` (the node then
 * deletes it and builds anew).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../keys.js";
import {
  bytesToDigest,
  type Digest,
  digest,
  digestToBytes,
  EMPTY_DIGEST,
  HASH_BYTES,
  internalDigest,
  keyPath,
} from "./hashing.js";
import { type Leaf, subtreeDigest } from "./rootFromState.js";
import {
  childPrefix,
  ENTRY_OVERHEAD,
  hasPrefix,
  type PathPrefix,
  type SubtreeEntry,
  type SubtreeSource,
  type SubtreeSummary,
} from "./subtrees.js";

const MAGIC = "WEFTSNP1";
const VERSION = 1;
const HEADER_BYTES = 128;
/** Groups are cut at most this many bits deep (2^16 groups: the tables stay a few MB). */
const MAX_GROUP_BITS = 16;
/** Entries per group aimed at when choosing the group bits. */
const GROUP_TARGET = 16;
const BUCKET_BITS = 8;
const RECORD_FIXED = HASH_BYTES * 2 + 2 + 4;
const TABLE_ROW = 24;
const WRITE_BUFFER = 64 * 1024;
/** Ms of sorting and hashing between two turns of the event loop. */
const SLICE_MS = 20;

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
class FileWriter {
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

interface SpoolLeaf extends Leaf {
  key: Uint8Array;
  value: Uint8Array;
}

function prefixIndex(path: Digest, bits: number): number {
  let out = 0;
  for (let i = 0; i < bits; i++) out = out * 2 + ((path.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1);
  return out;
}

function prefixValue(prefix: PathPrefix): number {
  let out = 0;
  for (let i = 0; i < prefix.bits; i++)
    out = out * 2 + (((prefix.bytes[i >> 3] as number) >> (7 - (i & 7))) & 1);
  return out;
}

/** Reads the records of `bytes` (bucket records carry no value hash: `withHash` false). */
function parseRecords(bytes: Uint8Array, withHash: boolean): SpoolLeaf[] {
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

function combine(left: { leaves: number; hash: Digest }, right: { leaves: number; hash: Digest }): Digest {
  const leaves = left.leaves + right.leaves;
  if (leaves === 0) return EMPTY_DIGEST;
  if (leaves === 1) return left.leaves === 1 ? left.hash : right.hash;
  return internalDigest(left.hash, right.hash);
}

export interface SpoolOptions {
  /** Directory the file goes in (created if missing). */
  dir: string;
  height: number;
  /** Called between buckets; a build whose `cancelled()` turns true stops and leaves no file. */
  cancelled?: () => boolean;
}

/** Where the snapshot of `height` is kept in `dir`. */
export function snapshotFile(dir: string, height: number): string {
  return join(dir, `snapshot-${height}.bin`);
}

/**
 * Spools the state `entries` (read synchronously, in one go: one committed state) to
 * `snapshot-<height>.bin` in `dir`, then opens it. Resolves undefined when cancelled.
 */
export async function spoolSnapshot(
  entries: Iterable<readonly [StateKey, StateValue]>,
  options: SpoolOptions,
): Promise<SpooledSnapshot | undefined> {
  const { dir, height } = options;
  mkdirSync(dir, { recursive: true });
  const spool = join(dir, `spool-${height}`);
  rmSync(spool, { recursive: true, force: true });
  mkdirSync(spool);
  const tmp = `${snapshotFile(dir, height)}.tmp`;
  let fd: number | undefined;
  const buckets = new Map<number, FileWriter>();
  let bucketsOpen = true;
  try {
    // Pass 1: every entry into its bucket, synchronously.
    let count = 0;
    for (const [key, value] of entries) {
      const path = keyPath(key);
      const keyBytes = fromHex(key);
      if (keyBytes.length > 0xffff || value.length > 0xffffffff)
        throw new SnapshotFileError("BAD_ENTRY", `entry ${key.slice(0, 16)}… too large for a snapshot file`);
      const b = path.charCodeAt(0);
      let w = buckets.get(b);
      if (w === undefined) {
        w = new FileWriter(openSync(join(spool, `${b}`), "w"), 0);
        buckets.set(b, w);
      }
      w.head(path, undefined, keyBytes.length, value.length);
      w.write(keyBytes);
      w.write(value);
      count++;
    }
    bucketsOpen = false;
    for (const w of buckets.values()) {
      w.flush();
      closeSync(w.fd);
    }

    // Pass 2: bucket by bucket, sorted, into groups.
    const groupBits = groupBitsFor(count);
    const groups = 2 ** groupBits;
    const chunkBits = Math.min(BUCKET_BITS, groupBits);
    const table = new Float64Array((groups + 1) * 3);
    const groupHash: Digest[] = new Array(groups).fill(EMPTY_DIGEST);
    const groupLeaves = new Uint32Array(groups);
    fd = openSync(tmp, "w");
    const out = new FileWriter(fd, HEADER_BYTES);
    let leavesBefore = 0;
    let answerBefore = 0;
    let g = 0;
    let sliceStart = performance.now();
    const closeGroupsUpTo = (next: number) => {
      for (; g < next; g++) {
        table[(g + 1) * 3] = leavesBefore;
        table[(g + 1) * 3 + 1] = out.written;
        table[(g + 1) * 3 + 2] = answerBefore;
      }
    };
    for (let chunk = 0; chunk < 2 ** chunkBits; chunk++) {
      if (options.cancelled?.()) return undefined;
      const perChunk = 2 ** (BUCKET_BITS - chunkBits);
      const leaves: SpoolLeaf[] = [];
      for (let b = chunk * perChunk; b < (chunk + 1) * perChunk; b++) {
        if (!buckets.has(b)) continue;
        const file = join(spool, `${b}`);
        const bytes = readWhole(file);
        rmSync(file);
        for (const leaf of parseRecords(bytes, false)) leaves.push(leaf);
      }
      leaves.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
      let a = 0;
      while (a < leaves.length) {
        const group = prefixIndex((leaves[a] as SpoolLeaf).path, groupBits);
        let z = a + 1;
        while (z < leaves.length && prefixIndex((leaves[z] as SpoolLeaf).path, groupBits) === group) z++;
        closeGroupsUpTo(group);
        for (let i = a; i < z; i++) {
          const leaf = leaves[i] as SpoolLeaf;
          if (i > a && leaf.path === (leaves[i - 1] as SpoolLeaf).path)
            throw new SnapshotFileError("BAD_ENTRY", "two entries with one path");
          out.head(leaf.path, leaf.valueHash, leaf.key.length, leaf.value.length);
          out.write(leaf.key);
          out.write(leaf.value);
          answerBefore += ENTRY_OVERHEAD + leaf.key.length + leaf.value.length;
        }
        leavesBefore += z - a;
        groupHash[group] = subtreeDigest(leaves, a, z, groupBits);
        groupLeaves[group] = z - a;
        a = z;
      }
      // Other work gets the thread between buckets once a slice's time is spent.
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    closeGroupsUpTo(groups);
    out.flush();
    const tableOffset = HEADER_BYTES + out.written;
    // Little-endian whatever the host (`row` reads it so).
    const tableBytes = Buffer.alloc(table.byteLength);
    for (let i = 0; i < table.length; i++) tableBytes.writeDoubleLE(table[i] as number, i * 8);
    writeAll(fd, tableBytes, tableOffset);
    // Levels groupBits..0, each from the one below.
    const levelsOffset = tableOffset + table.byteLength;
    let level = groupHash;
    let counts: ArrayLike<number> = groupLeaves;
    for (let d = groupBits; ; d--) {
      const bytes = new Uint8Array(level.length * HASH_BYTES);
      level.forEach((h, i) => {
        for (let j = 0; j < HASH_BYTES; j++) bytes[i * HASH_BYTES + j] = h.charCodeAt(j);
      });
      writeAll(fd, bytes, levelsOffset + (2 ** d - 1) * HASH_BYTES);
      if (d === 0) break;
      const up: Digest[] = new Array(level.length / 2);
      const upCounts = new Float64Array(level.length / 2);
      for (let i = 0; i < up.length; i++) {
        const left = { leaves: counts[2 * i] as number, hash: level[2 * i] as Digest };
        const right = { leaves: counts[2 * i + 1] as number, hash: level[2 * i + 1] as Digest };
        up[i] = combine(left, right);
        upCounts[i] = left.leaves + right.leaves;
      }
      level = up;
      counts = upCounts;
    }
    const root = digestToBytes(level[0] as Digest);
    const fileBytes = levelsOffset + (2 ** (groupBits + 1) - 1) * HASH_BYTES;
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, "latin1");
    header.writeUInt32BE(VERSION, 8);
    header.writeUInt32BE(groupBits, 12);
    header.writeDoubleBE(count, 16);
    header.writeDoubleBE(height, 24);
    header.set(root, 32);
    header.writeDoubleBE(tableOffset, 64);
    header.writeDoubleBE(levelsOffset, 72);
    header.writeDoubleBE(fileBytes, 80);
    writeAll(fd, header, 0);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, snapshotFile(dir, height));
    return SpooledSnapshot.open(snapshotFile(dir, height));
  } finally {
    if (bucketsOpen) for (const w of buckets.values()) closeSync(w.fd);
    if (fd !== undefined) closeSync(fd);
    rmSync(spool, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}

function readWhole(file: string): Uint8Array {
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

/** A snapshot file open for answering (`SubtreeSource`), read with positioned reads. */
export class SpooledSnapshot implements SubtreeSource {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
    readonly root: Uint8Array,
    readonly height: number,
    readonly size: number,
    private readonly groupBits: number,
    private readonly tableOffset: number,
    private readonly levelsOffset: number,
  ) {
    this.fd = fd;
  }

  /** The snapshot as `StateSnapshot` wants it. */
  get index(): SubtreeSource {
    return this;
  }

  /** Opens a snapshot file, checking its header and length; `SnapshotFileError` if it is not one. */
  static open(file: string): SpooledSnapshot {
    const fd = openSync(file, "r");
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      const got = readSync(fd, header, 0, HEADER_BYTES, 0);
      if (
        got !== HEADER_BYTES ||
        header.toString("latin1", 0, 8) !== MAGIC ||
        header.readUInt32BE(8) !== VERSION
      )
        throw new SnapshotFileError("BAD_FILE", `${file} is not a snapshot file of version ${VERSION}`);
      const groupBits = header.readUInt32BE(12);
      const size = header.readDoubleBE(16);
      const height = header.readDoubleBE(24);
      const root = new Uint8Array(header.subarray(32, 64));
      const tableOffset = header.readDoubleBE(64);
      const levelsOffset = header.readDoubleBE(72);
      const fileBytes = header.readDoubleBE(80);
      const sane =
        groupBits <= MAX_GROUP_BITS &&
        Number.isSafeInteger(size) &&
        Number.isSafeInteger(height) &&
        tableOffset >= HEADER_BYTES &&
        levelsOffset === tableOffset + (2 ** groupBits + 1) * TABLE_ROW &&
        fileBytes === levelsOffset + (2 ** (groupBits + 1) - 1) * HASH_BYTES &&
        statSync(file).size === fileBytes;
      if (!sane) throw new SnapshotFileError("BAD_FILE", `${file}: its header does not match its length`);
      const snapshot = new SpooledSnapshot(
        file,
        fd,
        root,
        height,
        size,
        groupBits,
        tableOffset,
        levelsOffset,
      );
      if (bytesToDigest(snapshot.levelHashes(0, 0, 1)[0] as Uint8Array) !== bytesToDigest(root))
        throw new SnapshotFileError("BAD_FILE", `${file}: its root is not its tree's`);
      return snapshot;
    } catch (e) {
      closeSync(fd);
      if (e instanceof SnapshotFileError) throw e;
      throw new SnapshotFileError("BAD_FILE", `${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes the file (answers after this throw). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the file. */
  remove(): void {
    this.close();
    rmSync(this.file, { force: true });
  }

  measure(prefix: PathPrefix): { leaves: number; bytes: number } {
    if (prefix.bits <= this.groupBits) {
      const [g0, g1] = this.groupSpan(prefix);
      const a = this.row(g0);
      const b = this.row(g1);
      return { leaves: b.leaves - a.leaves, bytes: b.answer - a.answer };
    }
    let bytes = 0;
    const leaves = this.leavesUnder(prefix);
    for (const leaf of leaves) bytes += ENTRY_OVERHEAD + leaf.key.length + leaf.value.length;
    return { leaves: leaves.length, bytes };
  }

  summaries(prefix: PathPrefix, depth: number): SubtreeSummary[] {
    const bits = prefix.bits + depth;
    const n = 2 ** depth;
    if (bits <= this.groupBits) {
      const first = prefixValue(prefix) * n;
      const hashes = this.levelHashes(bits, first, n);
      const span = 2 ** (this.groupBits - bits);
      const rows = Array.from({ length: n + 1 }, (_, i) => this.row((first + i) * span));
      return hashes.map((hash, i) => {
        const a = rows[i] as { leaves: number; answer: number };
        const b = rows[i + 1] as { leaves: number; answer: number };
        return { leaves: b.leaves - a.leaves, bytes: b.answer - a.answer, hash };
      });
    }
    const leaves = this.leavesUnder(prefix);
    const out: SubtreeSummary[] = [];
    let a = 0;
    for (let i = 0; i < n; i++) {
      const child = childPrefix(prefix, depth, i);
      let z = a;
      let bytes = 0;
      while (z < leaves.length && hasPrefix((leaves[z] as SpoolLeaf).path, child)) {
        const leaf = leaves[z] as SpoolLeaf;
        bytes += ENTRY_OVERHEAD + leaf.key.length + leaf.value.length;
        z++;
      }
      out.push({ leaves: z - a, bytes, hash: digestToBytes(subtreeDigest(leaves, a, z, bits)) });
      a = z;
    }
    return out;
  }

  entries(prefix: PathPrefix): SubtreeEntry[] {
    return this.leavesUnder(prefix).map((leaf) => [toHex(leaf.key), new Uint8Array(leaf.value)] as const);
  }

  /** Every entry, in path order (tests; reads the whole file). */
  all(): SubtreeEntry[] {
    return this.entries({ bits: 0, bytes: new Uint8Array(0) });
  }

  private get descriptor(): number {
    if (this.fd === undefined) throw new SnapshotFileError("BAD_FILE", `${this.file} is closed`);
    return this.fd;
  }

  private read(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let off = 0;
    while (off < length) {
      const n = readSync(this.descriptor, out, off, length - off, position + off);
      if (n === 0) throw new SnapshotFileError("BAD_FILE", `${this.file} cut short`);
      off += n;
    }
    return out;
  }

  /** Groups [g0, g1) under a prefix of at most groupBits bits. */
  private groupSpan(prefix: PathPrefix): [number, number] {
    const span = 2 ** (this.groupBits - prefix.bits);
    const g0 = prefixValue(prefix) * span;
    return [g0, g0 + span];
  }

  private row(g: number): { leaves: number; offset: number; answer: number } {
    const bytes = this.read(this.tableOffset + g * TABLE_ROW, TABLE_ROW);
    const view = new DataView(bytes.buffer);
    return {
      leaves: view.getFloat64(0, true),
      offset: view.getFloat64(8, true),
      answer: view.getFloat64(16, true),
    };
  }

  private levelHashes(depth: number, first: number, count: number): Uint8Array[] {
    const bytes = this.read(this.levelsOffset + (2 ** depth - 1 + first) * HASH_BYTES, count * HASH_BYTES);
    return Array.from({ length: count }, (_, i) => bytes.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  }

  /** The leaves under `prefix`, in path order, read from the groups that hold them. */
  private leavesUnder(prefix: PathPrefix): SpoolLeaf[] {
    const top =
      prefix.bits <= this.groupBits
        ? prefix
        : { bits: this.groupBits, bytes: truncatePrefix(prefix, this.groupBits) };
    const [g0, g1] = this.groupSpan(top);
    const a = this.row(g0).offset;
    const b = this.row(g1).offset;
    const leaves = parseRecords(this.read(HEADER_BYTES + a, b - a), true);
    return prefix.bits <= this.groupBits ? leaves : leaves.filter((l) => hasPrefix(l.path, prefix));
  }
}

function truncatePrefix(prefix: PathPrefix, bits: number): Uint8Array {
  const bytes = prefix.bytes.slice(0, Math.ceil(bits / 8));
  const spare = bytes.length * 8 - bits;
  if (spare > 0) bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) & (0xff << spare) & 0xff;
  return bytes;
}
