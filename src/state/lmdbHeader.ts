/**
 * Checks an LMDB data file's two meta pages before the `lmdb` package opens it: with a
 * damaged first meta page the native library crashes the whole process (a segfault, no
 * message), so the node reads the header pages itself and refuses with a typed error.
 *
 * The layout (LMDB's data format 2, as built into the `lmdb` package; all integers little
 * endian on the machines Node runs on): pages 0 and 1 are meta pages, each written in
 * turn by commits, and LMDB picks the one with the newer transaction id. A page starts with
 * a 24-byte header: page number (u64, 0 or 1 here), transaction id (u64), pad (u16), flags (u16, the
 * meta page flag is 0x08), then u32. The meta record follows: magic (u32, 0xBEEFC0DE),
 * format version (u32, low 16 bits), the fixed-map address (u64), the map size (u64), then
 * the free-page database record, whose first u32 is the page size, and the main database
 * record (two 48-byte records), then the last page number in use (u64, page offset 144) and
 * the transaction id (u64, page offset 152). Page 1 starts at that page size.
 *
 * A commit writes its pages before the meta page that names them, so the file holds every
 * page the trees use. It may end a little before the newest meta's last page, though: LMDB
 * counts pages a transaction allocated and freed again without writing them (seen one page
 * short after 8 of 300 write transactions of plain puts and removes). So a shorter file is
 * not refused here: `lmdbWalk.ts` walks its trees, and refuses it as cut short (by a copy,
 * a full disk, a restore) when a page in use lies past its end, where LMDB would crash on
 * the first read (a bus error). A missing file is a database not yet created and passes. An empty file is
 * refused too: LMDB writes both meta pages when it creates the file, so a 0-byte data file
 * is one that was truncated, and opening it would silently start a new, empty database.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { StateError } from "./errors.js";

const PAGE_HEADER_BYTES = 24;
const FLAGS_OFFSET = 18;
const P_META = 0x08;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const MAGIC_OFFSET = PAGE_HEADER_BYTES;
const VERSION_OFFSET = PAGE_HEADER_BYTES + 4;
const PAGE_SIZE_OFFSET = PAGE_HEADER_BYTES + 24;
const LAST_PAGE_OFFSET = PAGE_HEADER_BYTES + 120;
const TXN_ID_OFFSET = PAGE_HEADER_BYTES + 128;
const META_BYTES = TXN_ID_OFFSET + 8;

/**
 * Whether LMDB uses `path` itself as its data file (LMDB's `noSubdir`) rather than
 * `path/data.mdb`: decided by what `path` is (an existing directory never, an existing file
 * always); only for a path not there yet by its name (an extension means a file, the `lmdb`
 * package's own default). Pass the result to `open` as `noSubdir`: a directory named
 * `chain.v1` is a directory.
 */
export function lmdbNoSubdir(path: string): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? extname(path) !== "" : !stat.isDirectory();
}

/** The data file LMDB uses for `path`: `path` itself for a file (`lmdbNoSubdir`), else `path/data.mdb`. */
export function lmdbDataFile(path: string): string {
  return lmdbNoSubdir(path) ? path : join(path, "data.mdb");
}

/** Why `page` (the start of a meta page) is not a valid meta page, or undefined when it is. */
function metaProblem(page: Uint8Array, pgno: number): string | undefined {
  if (page.length < META_BYTES) return "is cut short";
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  if (page.every((b) => b === 0)) return "is all zeros";
  const stored = view.getBigUint64(0, true);
  if (stored !== BigInt(pgno)) return `has page number ${stored} in its header`;
  if ((view.getUint16(FLAGS_OFFSET, true) & P_META) === 0) return "is not marked as a meta page";
  const magic = view.getUint32(MAGIC_OFFSET, true);
  if (magic !== MAGIC) return `has magic 0x${magic.toString(16)}, not 0x${MAGIC.toString(16)}`;
  const version = view.getUint32(VERSION_OFFSET, true) & 0xffff;
  if (version !== DATA_VERSION) return `has format version ${version}, not ${DATA_VERSION}`;
  return undefined;
}

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const n = readSync(fd, out, 0, length, offset);
  return out.subarray(0, n);
}

/** The last page number the newer (by transaction id) of two valid meta pages records. */
function lastPageOf(page0: Uint8Array, page1: Uint8Array): bigint {
  const at = (page: Uint8Array, offset: number) =>
    new DataView(page.buffer, page.byteOffset, page.byteLength).getBigUint64(offset, true);
  const newer = at(page1, TXN_ID_OFFSET) > at(page0, TXN_ID_OFFSET) ? page1 : page0;
  return at(newer, LAST_PAGE_OFFSET);
}

/**
 * Throws `StateError` `CORRUPT_FILE` naming the file unless both meta pages of the LMDB
 * data file for `path` are valid (a missing file passes: LMDB will create it; an empty one
 * does not, see the module comment). Returns the file's size and the bytes of pages its
 * newer meta page records (undefined for a missing file): a file shorter than that must
 * have its trees walked (`checkLmdbFile` in lmdbWalk.ts).
 * @example checkLmdbMeta(".weft/data") // before open({ path: ".weft/data" })
 */
export function checkLmdbMeta(path: string): { file: string; size: number; recorded: number } | undefined {
  const file = lmdbDataFile(path);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size === 0)
    fail(file, [
      "the file is empty (0 bytes), but LMDB writes its meta pages when it creates it: it was cut short",
    ]);
  const problems: string[] = [];
  let recorded = 0;
  const fd = openSync(file, "r");
  try {
    const page0 = readAt(fd, 0, META_BYTES);
    const bad0 = metaProblem(page0, 0);
    if (bad0 !== undefined) problems.push(`meta page 0 ${bad0}`);
    else {
      const pageSize = new DataView(page0.buffer).getUint32(PAGE_SIZE_OFFSET, true);
      const sane = pageSize >= 512 && pageSize <= 65_536 && (pageSize & (pageSize - 1)) === 0;
      if (!sane) problems.push(`meta page 0 gives a page size of ${pageSize}`);
      else if (size < 2 * pageSize)
        problems.push(`the file is ${size} bytes, shorter than its two ${pageSize}-byte meta pages`);
      else {
        const page1 = readAt(fd, pageSize, META_BYTES);
        const bad1 = metaProblem(page1, 1);
        if (bad1 !== undefined) problems.push(`meta page 1 ${bad1}`);
        else {
          recorded = Number((lastPageOf(page0, page1) + 1n) * BigInt(pageSize));
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  if (problems.length > 0) fail(file, problems);
  return { file, size, recorded };
}

/** The error for a data file that ends before a page its trees use. */
export function cutShort(file: string, size: number, recorded: number): StateError {
  return corrupt(file, [
    `the file is ${size} bytes, but its meta pages record ${recorded} bytes of pages (it was cut short)`,
  ]);
}

function fail(file: string, problems: string[]): never {
  throw corrupt(file, problems);
}

function corrupt(file: string, problems: string[]): StateError {
  return new StateError(
    "CORRUPT_FILE",
    `${file} is not a valid LMDB data file: ${problems.join("; ")}. The database is damaged: restore it from a backup (or start a new data directory); the node will not open it`,
  );
}

/** LMDB's error codes for a damaged data file (lmdb.h): a page missing or of the wrong kind, a failed environment. */
const DAMAGE_CODES = new Map<number, string>([
  [-30797, "MDB_PAGE_NOTFOUND"],
  [-30796, "MDB_CORRUPTED"],
  [-30795, "MDB_PANIC"],
  [-30793, "MDB_INVALID"],
  [-30784, "MDB_INCOMPATIBLE"],
  [-30782, "MDB_BAD_TXN"],
  [-30779, "MDB_PROBLEM"],
  [-30778, "MDB_BAD_CHECKSUM"],
]);

/**
 * True when `error` is the `lmdb` package reporting a damaged data file (its errors carry
 * LMDB's negative code in `code`, and a message starting with the code's name), so a caller
 * can turn it into its own typed damage error.
 * @example catch (e) { if (isLmdbDamage(e)) throw new ChainDbError("CORRUPT_FILE", ...); }
 */
export function isLmdbDamage(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "number" && DAMAGE_CODES.has(code)) return true;
  return [...DAMAGE_CODES.values()].some((name) => error.message.startsWith(`${name}:`));
}
