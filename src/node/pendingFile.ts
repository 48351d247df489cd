/**
 * The mempool kept across restarts: the raw bytes of every pending transaction, written to
 * `<data dir>/mempool.bin` when the node closes (and as a checkpoint while it runs), read back
 * when it opens, where each transaction goes through admission again (a transaction that was
 * included meanwhile, or whose nonce or balance no longer fits, is dropped).
 *
 *   "WEFTPOOL" ‖ version u8 ‖ count u32 ‖ count × (u32 length ‖ raw) ‖ sha256 of all before (32)
 *
 * Written to a temporary file and renamed over the old one, so a crash leaves the old file or
 * the new one, never half of one; the checksum catches anything else. A file that does not
 * read (damaged, another version, too large) is moved aside to `mempool.bin.damaged` with a
 * warning, and the node starts with an empty pool: losing pending transactions is better than
 * not starting.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_TX_BYTES } from "../chain/tx/envelope.js";

const MAGIC = Buffer.from("WEFTPOOL", "ascii");
const VERSION = 1;
const HEADER = MAGIC.length + 1 + 4;
const CHECKSUM = 32;

export type PendingFileErrorCode = "BAD_MAGIC" | "BAD_VERSION" | "TRUNCATED" | "CHECKSUM" | "TOO_LARGE";

export class PendingFileError extends Error {
  constructor(
    readonly code: PendingFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PendingFileError";
  }
}

export function pendingFilePath(dataDir: string): string {
  return join(dataDir, "mempool.bin");
}

export function encodePending(raws: readonly Uint8Array[]): Buffer {
  const size = HEADER + raws.reduce((sum, r) => sum + 4 + r.length, 0);
  const out = Buffer.alloc(size + CHECKSUM);
  MAGIC.copy(out, 0);
  out.writeUInt8(VERSION, MAGIC.length);
  out.writeUInt32LE(raws.length, MAGIC.length + 1);
  let at = HEADER;
  for (const raw of raws) {
    out.writeUInt32LE(raw.length, at);
    out.set(raw, at + 4);
    at += 4 + raw.length;
  }
  createHash("sha256").update(out.subarray(0, size)).digest().copy(out, size);
  return out;
}

/** The transactions of a file's bytes (throws `PendingFileError`); at most `maxCount` of them. */
export function decodePending(bytes: Uint8Array, maxCount: number): Uint8Array[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER + CHECKSUM || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new PendingFileError("BAD_MAGIC", "not a Weft mempool file");
  const version = buf.readUInt8(MAGIC.length);
  if (version !== VERSION)
    throw new PendingFileError("BAD_VERSION", `mempool file version ${version}, this node reads ${VERSION}`);
  const body = buf.length - CHECKSUM;
  const sum = createHash("sha256").update(buf.subarray(0, body)).digest();
  if (!sum.equals(buf.subarray(body)))
    throw new PendingFileError("CHECKSUM", "the mempool file's checksum does not match");
  const count = buf.readUInt32LE(MAGIC.length + 1);
  if (count > maxCount)
    throw new PendingFileError(
      "TOO_LARGE",
      `the mempool file holds ${count} transactions, above ${maxCount}`,
    );
  const out: Uint8Array[] = [];
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    if (at + 4 > body) throw new PendingFileError("TRUNCATED", `transaction ${i} of ${count} is missing`);
    const length = buf.readUInt32LE(at);
    if (length > MAX_TX_BYTES)
      throw new PendingFileError("TOO_LARGE", `transaction ${i} is ${length} bytes, above ${MAX_TX_BYTES}`);
    if (at + 4 + length > body)
      throw new PendingFileError("TRUNCATED", `transaction ${i} of ${count} is cut short`);
    out.push(new Uint8Array(buf.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  if (at !== body) throw new PendingFileError("TRUNCATED", `${body - at} bytes after the last transaction`);
  return out;
}

/** Writes `raws` atomically (temporary file, then rename); with none, removes the file. */
export function savePending(dataDir: string, raws: readonly Uint8Array[]): void {
  const path = pendingFilePath(dataDir);
  if (raws.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, encodePending(raws), { mode: 0o600 });
  renameSync(temporary, path);
}

export interface LoadedPending {
  raws: Uint8Array[];
  /** Why the file was set aside, when it did not read. */
  damaged?: PendingFileError;
}

/** The saved transactions (none without a file); a damaged file is moved to `mempool.bin.damaged`. */
export function loadPending(dataDir: string, maxCount: number, maxBytes: number): LoadedPending {
  const path = pendingFilePath(dataDir);
  if (!existsSync(path)) return { raws: [] };
  try {
    const size = statSync(path).size;
    if (size > maxBytes + HEADER + CHECKSUM + 4 * maxCount)
      throw new PendingFileError("TOO_LARGE", `the mempool file is ${size} bytes, above what the pool holds`);
    return { raws: decodePending(readFileSync(path), maxCount) };
  } catch (error) {
    if (!(error instanceof PendingFileError)) throw error;
    renameSync(path, `${path}.damaged`);
    return { raws: [], damaged: error };
  }
}

/** The raw bytes of `pending`, each sender's flows in nonce order (so reloading admits predecessors first). */
export function pendingInOrder(
  pending: ReadonlyArray<{ sender: string; nonceKey: bigint; sequence: bigint; tx: { raw: Uint8Array } }>,
): Uint8Array[] {
  return [...pending]
    .sort((a, b) =>
      a.sender !== b.sender
        ? a.sender < b.sender
          ? -1
          : 1
        : a.nonceKey !== b.nonceKey
          ? a.nonceKey < b.nonceKey
            ? -1
            : 1
          : a.sequence < b.sequence
            ? -1
            : a.sequence > b.sequence
              ? 1
              : 0,
    )
    .map((p) => p.tx.raw);
}

export interface RestoreResult {
  /** Transactions in the file. */
  saved: number;
  /** Admitted again. */
  restored: number;
  /** Refused by admission now, by reason code (included meanwhile, nonce used, ...). */
  dropped: Record<string, number>;
  damaged?: PendingFileError;
}

/** Reads the saved transactions and offers each to `admit` (which throws to refuse it, with a `code`). */
export function restorePending(
  dataDir: string,
  limits: { maxTransactions: number; maxBytes: number },
  admit: (raw: Uint8Array) => void,
): RestoreResult {
  const { raws, damaged } = loadPending(dataDir, limits.maxTransactions, limits.maxBytes);
  const dropped: Record<string, number> = {};
  let restored = 0;
  for (const raw of raws) {
    try {
      admit(raw);
      restored++;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? "ERROR");
      dropped[code] = (dropped[code] ?? 0) + 1;
    }
  }
  return { saved: raws.length, restored, dropped, ...(damaged === undefined ? {} : { damaged }) };
}
