/**
 * Checks an LMDB data file's two meta pages before the `lmdb` package opens it: with a
 * damaged first meta page the native library crashes the whole process (a segfault, no
 * message), so the node reads the header pages itself and refuses with a typed error.
 *
 * The layout (LMDB's data format 2, as built into the `lmdb` package; all integers little
 * endian on the machines Node runs on): pages 0 and 1 are meta pages, each written in
 * turn by commits, and LMDB picks the one with the newer transaction id. A page starts with
 * a 24-byte header: page number (u64), transaction id (u64), pad (u16), flags (u16, the
 * meta page flag is 0x08), then u32. The meta record follows: magic (u32, 0xBEEFC0DE),
 * format version (u32, low 16 bits), the fixed-map address (u64), the map size (u64), then
 * the free-page database record, whose first u32 is the page size. Page 1 starts at that
 * page size. An empty or missing file is a database not yet created and passes.
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
const META_BYTES = 128;

/** The data file LMDB uses for `path`: `path` itself when it has an extension, else `path/data.mdb`. */
export function lmdbDataFile(path: string): string {
  return extname(path) === "" ? join(path, "data.mdb") : path;
}

/** Why `page` (the start of a meta page) is not a valid meta page, or undefined when it is. */
function metaProblem(page: Uint8Array): string | undefined {
  if (page.length < META_BYTES) return "is cut short";
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  if (page.every((b) => b === 0)) return "is all zeros";
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

/**
 * Throws `StateError` `CORRUPT_FILE` naming the file unless both meta pages of the LMDB
 * data file for `path` are valid (a missing or empty file passes: LMDB will create it).
 * @example checkLmdbFile(".weft/data") // before open({ path: ".weft/data" })
 */
export function checkLmdbFile(path: string): void {
  const file = lmdbDataFile(path);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const problems: string[] = [];
  const fd = openSync(file, "r");
  try {
    const page0 = readAt(fd, 0, META_BYTES);
    const bad0 = metaProblem(page0);
    if (bad0 !== undefined) problems.push(`meta page 0 ${bad0}`);
    else {
      const pageSize = new DataView(page0.buffer).getUint32(PAGE_SIZE_OFFSET, true);
      const sane = pageSize >= 512 && pageSize <= 65_536 && (pageSize & (pageSize - 1)) === 0;
      if (!sane) problems.push(`meta page 0 gives a page size of ${pageSize}`);
      else if (size < 2 * pageSize)
        problems.push(`the file is ${size} bytes, shorter than its two ${pageSize}-byte meta pages`);
      else {
        const bad1 = metaProblem(readAt(fd, pageSize, META_BYTES));
        if (bad1 !== undefined) problems.push(`meta page 1 ${bad1}`);
      }
    }
  } finally {
    closeSync(fd);
  }
  if (problems.length > 0)
    throw new StateError(
      "CORRUPT_FILE",
      `${file} is not a valid LMDB data file: ${problems.join("; ")}. The database is damaged: restore it from a backup (or start a new data directory); the node will not open it`,
    );
}
