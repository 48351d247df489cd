/**
 * A state snapshot spooled to a file (`spoolSnapshot.ts` builds it, `snapshotFileFormat.ts`
 * lays it out), for serving state sync without holding the state in the heap
 * (`node/stateSyncServe.ts`). It answers the same questions as `SubtreeIndex`
 * (`subtrees.ts`) with the same answers, reading what each needs from the file.
 */
import { closeSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { toHex } from "../../codec/bytes.js";
import { bytesToDigest, digestToBytes, HASH_BYTES } from "./hashing.js";
import { subtreeDigest } from "./rootFromState.js";
import {
  HEADER_BYTES,
  MAGIC,
  MAX_GROUP_BITS,
  parseRecords,
  prefixValue,
  SnapshotFileError,
  type SpoolLeaf,
  TABLE_ROW,
  VERSION,
} from "./snapshotFileFormat.js";
import {
  childPrefix,
  ENTRY_OVERHEAD,
  hasPrefix,
  type PathPrefix,
  type SubtreeEntry,
  type SubtreeSource,
  type SubtreeSummary,
} from "./subtrees.js";

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
