/**
 * The state-sync client's state on disk between fetch and install, so that a node joining
 * holds one part of the state in memory at a time, never the whole.
 *
 * While fetching (`add`), each verified part's entries go to one of 256 bucket files by the
 * first byte of their path (`<dir>/bucket-<b>.bin`, appended through a small buffer each).
 * Installing (`installSpool`) is one LMDB transaction (`ChainDb.installSynced`): bucket by
 * bucket, the entries are read, sorted by path, written to the state, and their subtree's
 * Merkle nodes written as they are made (`state/merkle/treeFromSorted.ts`); then the levels
 * above the buckets; the root so built must be the certified one, else the transaction is
 * abandoned (`StateSyncError` INSTALL) and the chain stays at its genesis. The heap holds one
 * bucket (the state's bytes / 256) and the write buffers (256 × 16 KiB), whatever the state's
 * size; LMDB's own pages of the open transaction are its own (spilled to the file past its limit).
 *
 * A record: path (32) ‖ key length (u16) ‖ value length (u32) ‖ key ‖ value.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { digest, digestToBytes, HASH_BYTES, keyPath } from "../state/merkle/hashing.js";
import type { Leaf } from "../state/merkle/rootFromState.js";
import type { SnapshotEntry } from "../state/merkle/snapshot.js";
import { type PartSummary, writeSubtree, writeTop } from "../state/merkle/treeFromSorted.js";
import type { ChainDb } from "./store/chainDb.js";
import type { EncodedBlock } from "./store/encodeBlock.js";
import { hex } from "./store/records.js";

const BUCKETS = 256;
const BUFFER_BYTES = 16 * 1024;
const FIXED = HASH_BYTES + 2 + 4;

/** The spooled state's root does not rebuild to the certified one, or a record is damaged. */
export class SpoolInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpoolInstallError";
  }
}

export class StateSyncSpool {
  private readonly fds: number[] = [];
  private readonly buffers: Buffer[][] = [];
  private readonly buffered: number[] = [];
  private closed = false;
  entries = 0;
  bytes = 0;

  /** A fresh spool in `dir` (whatever was there is removed: a sync that did not finish). */
  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (let b = 0; b < BUCKETS; b++) {
      this.fds.push(openSync(this.file(b), "w"));
      this.buffers.push([]);
      this.buffered.push(0);
    }
  }

  private file(b: number): string {
    return join(this.dir, `bucket-${b}.bin`);
  }

  /** Appends verified entries. */
  add(entries: readonly SnapshotEntry[]): void {
    if (this.closed) throw new Error("the state-sync spool is closed");
    for (const [key, value] of entries) {
      const path = keyPath(key);
      const keyBytes = Buffer.from(key, "hex");
      const record = Buffer.allocUnsafe(FIXED + keyBytes.length + value.length);
      record.write(path, 0, "latin1");
      record.writeUInt16BE(keyBytes.length, HASH_BYTES);
      record.writeUInt32BE(value.length, HASH_BYTES + 2);
      keyBytes.copy(record, FIXED);
      record.set(value, FIXED + keyBytes.length);
      const b = path.charCodeAt(0);
      (this.buffers[b] as Buffer[]).push(record);
      this.buffered[b] = (this.buffered[b] as number) + record.length;
      if ((this.buffered[b] as number) >= BUFFER_BYTES) this.flush(b);
      this.entries++;
      this.bytes += keyBytes.length + value.length;
    }
  }

  private flush(b: number): void {
    const parts = this.buffers[b] as Buffer[];
    if (parts.length === 0) return;
    writeSync(this.fds[b] as number, Buffer.concat(parts));
    this.buffers[b] = [];
    this.buffered[b] = 0;
  }

  /** Writes what is buffered and closes the files (before `installSpool`). */
  finish(): void {
    if (this.closed) return;
    for (let b = 0; b < BUCKETS; b++) {
      this.flush(b);
      closeSync(this.fds[b] as number);
    }
    this.closed = true;
  }

  /** Removes the spool's files. */
  remove(): void {
    this.finish();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Bucket `b`'s records as leaves with their key and value, sorted by path. */
  bucket(b: number): Array<Leaf & { key: Uint8Array; value: Uint8Array }> {
    const bytes = readFileSync(this.file(b));
    const out: Array<Leaf & { key: Uint8Array; value: Uint8Array }> = [];
    for (let at = 0; at < bytes.length; ) {
      if (at + FIXED > bytes.length) throw new SpoolInstallError(`bucket ${b}: a record cut short at ${at}`);
      const keyLength = bytes.readUInt16BE(at + HASH_BYTES);
      const valueLength = bytes.readUInt32BE(at + HASH_BYTES + 2);
      const end = at + FIXED + keyLength + valueLength;
      if (end > bytes.length) throw new SpoolInstallError(`bucket ${b}: a record cut short at ${at}`);
      const value = bytes.subarray(at + FIXED + keyLength, end);
      out.push({
        path: bytes.toString("latin1", at, at + HASH_BYTES),
        valueHash: digest(value),
        key: bytes.subarray(at + FIXED, at + FIXED + keyLength),
        value,
      });
      at = end;
    }
    out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    return out;
  }
}

/**
 * Installs the spooled state and `block` (the synced block, its headers below, its meta) in
 * one transaction of `db` (a chain holding only its genesis); throws `SpoolInstallError`, and
 * writes nothing, unless the state rebuilds to `stateRoot` (hex).
 */
export function installSpool(
  db: ChainDb,
  spool: StateSyncSpool,
  block: EncodedBlock,
  stateRoot: string,
): void {
  spool.finish();
  db.installSynced(block, (put) => {
    const parts: PartSummary[] = [];
    for (let b = 0; b < BUCKETS; b++) {
      const leaves = spool.bucket(b);
      for (const leaf of leaves) put.state(leaf.key, leaf.value);
      const [first] = leaves;
      if (leaves.length === 1 && first !== undefined)
        parts.push({ leaves: 1, hash: "", leaf: { path: first.path, valueHash: first.valueHash } });
      else
        parts.push({
          leaves: leaves.length,
          hash: leaves.length === 0 ? "" : writeSubtree(leaves, 0, leaves.length, 8, put.node),
        });
    }
    const root = hex(digestToBytes(writeTop(parts, 8, put.node)));
    if (root !== stateRoot)
      throw new SpoolInstallError(
        `the synced state rebuilds to root ${root}, not the certified ${stateRoot}`,
      );
  });
}
