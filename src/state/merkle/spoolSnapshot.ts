/**
 * Building a state snapshot file (`snapshotFileFormat.ts`) for `SpooledSnapshot` to answer
 * from, without holding the state in the heap. Two passes (`spoolSnapshot`):
 * 1. one synchronous scan of the store (so the entries are those of one committed state)
 *    writes each entry to one of 256 bucket files by the first 8 bits of its path;
 * 2. bucket by bucket (yielding to the event loop between them every 20 ms), the entries are sorted by
 *    path and appended to the snapshot file, cut in groups by the first `groupBits` bits of
 *    the path, each group's subtree hash computed; then the hashes of every prefix of at most
 *    `groupBits` bits, level by level.
 * The heap holds one bucket (the state's bytes / 256) and per-group tables (at most 2^16
 * groups: a few MB), whatever the state's size.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fromHex } from "../../codec/bytes.js";
import type { StateKey, StateValue } from "../keys.js";
import { type Digest, digestToBytes, EMPTY_DIGEST, HASH_BYTES, internalDigest, keyPath } from "./hashing.js";
import { subtreeDigest } from "./rootFromState.js";
import {
  BUCKET_BITS,
  FileWriter,
  groupBitsFor,
  HEADER_BYTES,
  MAGIC,
  parseRecords,
  prefixIndex,
  readWhole,
  SnapshotFileError,
  type SpoolLeaf,
  snapshotFile,
  VERSION,
  writeAll,
} from "./snapshotFileFormat.js";
import { SpooledSnapshot } from "./spooledSnapshot.js";
import { ENTRY_OVERHEAD } from "./subtrees.js";

/** Ms of sorting and hashing between two turns of the event loop. */
const SLICE_MS = 20;

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
