/**
 * Walks every page of an LMDB data file reachable from its newest meta page, with plain
 * file reads (never a memory map), so that a damaged page is reported as a typed error
 * instead of being followed by the native library: LMDB maps the file into memory and
 * trusts its page pointers, so a page number pointing past the file's end is a bus error
 * (SIGBUS) and a garbled node offset can read anywhere. `checkLmdbMeta` (lmdbHeader.ts)
 * checks the two meta pages first; this module then checks the trees they name.
 *
 * The format (LMDB's data format 2, as the `lmdb` package builds it; little endian):
 * - Every page starts with a 24-byte header: page number (u64), transaction id (u64),
 *   pad (u16), flags (u16: branch 0x01, leaf 0x02, overflow 0x04, meta 0x08, leaf2 0x20),
 *   then either `lower` and `upper` (u16 each) or, on an overflow page, its page count (u32).
 * - A branch or leaf page holds an array of u16 node offsets after the header (`lower` is
 *   its size in bytes) and the nodes at the end (from `upper`). Offsets count from the end
 *   of the header. A node is lo (u16), hi (u16), flags (u16), key size (u16), the key, then
 *   on a leaf its data: size `lo | hi << 16`, or for a big value (flag 0x01) a 24-byte
 *   pointer (first page u64, txn id u64, page count u64) to overflow pages. On a branch
 *   `lo | hi << 16 | flags << 32` is the child's page number and the first key is empty.
 * - A tree record (48 bytes): pad (u32), flags (u16), depth (u16), branch, leaf and
 *   overflow page counts, entries, root page (u64 each; no root: all ones). The meta page
 *   holds two: the free-page tree, then the main tree. A named database is a leaf of the
 *   main tree with flag 0x02 whose data is its tree record.
 *
 * Checked for every tree: every page number within the pages the meta records and not the
 * meta pages; each page read once only (no cycles, no page shared by two trees); its
 * header names its own number and the right kind; `lower`/`upper` and every node within
 * the page; keys in order within a page and within the bounds its parent gives
 * (byte order, shorter first; integer-key trees compare as numbers); leaves all at the
 * recorded depth; overflow pointers within the file, with the page count the value needs
 * and an overflow header that agrees; the page and entry counts against the tree record.
 * The first damage found throws `LmdbPageError` naming the file, the page and the fault.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { StateError } from "./errors.js";
import { checkLmdbMeta, cutShort, lmdbDataFile } from "./lmdbHeader.js";

const HEADER = 24;
const NODE = 8;
const TREE_RECORD = 48;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const DB_REVERSEKEY = 0x02;
const DB_DUPSORT = 0x04;
const DB_INTEGERKEY = 0x08;
const NO_PAGE = 0xffff_ffff_ffff_ffffn;
const OVERFLOW_POINTER = 24;
const MAX_DEPTH = 32;

/** A damaged page (or tree record) of an LMDB data file: `page` is its number, `problem` what is wrong. */
export class LmdbPageError extends StateError {
  readonly file: string;
  readonly page: number | undefined;
  readonly problem: string;
  /** The page past the data pages that the problem names, when it names one. */
  beyond: number | undefined;
  constructor(file: string, page: number | undefined, problem: string) {
    super(
      "CORRUPT_FILE",
      `${file} is damaged: ${page === undefined ? "" : `page ${page} `}${problem}. Restore it from a backup (or start a new data directory); the node will not open it`,
    );
    this.name = "LmdbPageError";
    this.file = file;
    this.page = page;
    this.problem = problem;
    this.beyond = undefined;
  }
}

/** What `walkLmdbFile` read. */
export interface LmdbWalkReport {
  file: string;
  pageSize: number;
  /** Pages in use: branch, leaf and overflow pages of every tree, plus the two meta pages. */
  pages: number;
  /** Bytes of pages the meta pages record (in use or free). */
  bytes: number;
  /** Named databases found in the main tree. */
  databases: string[];
  entries: number;
}

interface TreeRecord {
  flags: number;
  depth: number;
  branch: bigint;
  leaf: bigint;
  overflow: bigint;
  entries: bigint;
  root: bigint;
}

function treeRecord(view: DataView, at: number): TreeRecord {
  return {
    flags: view.getUint16(at + 4, true),
    depth: view.getUint16(at + 6, true),
    branch: view.getBigUint64(at + 8, true),
    leaf: view.getBigUint64(at + 16, true),
    overflow: view.getBigUint64(at + 24, true),
    entries: view.getBigUint64(at + 32, true),
    root: view.getBigUint64(at + 40, true),
  };
}

/**
 * Compares keys a[aFrom, aTo) and b[bFrom, bTo): byte order, shorter first on a common
 * prefix (LMDB's default); 4- and 8-byte integer keys as little-endian numbers.
 */
function compareKeys(
  integer: boolean,
  a: Uint8Array,
  aFrom: number,
  aTo: number,
  b: Uint8Array,
  bFrom: number,
  bTo: number,
): number {
  const aLength = aTo - aFrom;
  const bLength = bTo - bFrom;
  if (integer && aLength === bLength && (aLength === 4 || aLength === 8)) {
    for (let i = aLength - 1; i >= 0; i--)
      if (a[aFrom + i] !== b[bFrom + i]) return (a[aFrom + i] as number) - (b[bFrom + i] as number);
    return 0;
  }
  const n = Math.min(aLength, bLength);
  for (let i = 0; i < n; i++)
    if (a[aFrom + i] !== b[bFrom + i]) return (a[aFrom + i] as number) - (b[bFrom + i] as number);
  return aLength - bLength;
}

/** The tree being walked: its name (for messages), record, key order and what was counted. */
interface Walk {
  name: string;
  record: TreeRecord;
  ordered: boolean;
  integer: boolean;
  main: boolean;
  /** Only the root page (with its nodes) is checked: nothing below it is read. */
  rootOnly: boolean;
  counts: { branch: number; leaf: number; overflow: number; entries: number };
}

class PageWalker {
  private readonly page: Uint8Array;
  private readonly view: DataView;
  private readonly seen: Uint8Array;
  pages = 2;
  readonly databases: string[] = [];
  entries = 0;

  constructor(
    private readonly fd: number,
    private readonly file: string,
    readonly pageSize: number,
    private readonly lastPage: number,
    private readonly rootsOnly: boolean,
    private readonly onPage: ((pgno: number, kind: LmdbPageKind) => void) | undefined,
  ) {
    this.page = new Uint8Array(pageSize);
    this.view = new DataView(this.page.buffer);
    this.seen = new Uint8Array(Math.floor(lastPage / 8) + 1);
  }

  /** `beyond`: the page number past the data pages that the problem is about, if it is one. */
  fail(page: number | undefined, problem: string, beyond?: number): never {
    const error = new LmdbPageError(this.file, page, problem);
    if (beyond !== undefined) error.beyond = beyond;
    throw error;
  }

  /** Walks the tree `record` names; `main` for the main tree (whose leaves may name databases). */
  walkTree(name: string, record: TreeRecord, main: boolean, rootOnly: boolean): void {
    const walk: Walk = {
      name,
      record,
      ordered: (record.flags & DB_REVERSEKEY) === 0,
      integer: (record.flags & DB_INTEGERKEY) !== 0,
      main,
      rootOnly,
      counts: { branch: 0, leaf: 0, overflow: 0, entries: 0 },
    };
    if (record.root === NO_PAGE) {
      if (record.depth !== 0 || record.entries !== 0n)
        this.fail(
          undefined,
          `${name} has no root page but records depth ${record.depth}, ${record.entries} entries`,
        );
      return;
    }
    if (record.depth < 1 || record.depth > MAX_DEPTH)
      this.fail(undefined, `${name} records a depth of ${record.depth}`);
    this.visit(walk, this.pageNumber(record.root, `the root of ${name}`), 1, undefined, undefined);
    if (rootOnly) return;
    const c = walk.counts;
    const counted: Array<[string, number, bigint]> = [
      ["branch pages", c.branch, record.branch],
      ["leaf pages", c.leaf, record.leaf],
      ["overflow pages", c.overflow, record.overflow],
    ];
    if ((record.flags & DB_DUPSORT) === 0) counted.push(["entries", c.entries, record.entries]);
    this.entries += c.entries;
    for (const [what, found, recorded] of counted)
      if (BigInt(found) !== recorded)
        this.fail(undefined, `${name} records ${recorded} ${what}, its tree holds ${found}`);
  }

  /** A page number read from the file, checked to be a data page within the file. */
  private pageNumber(value: bigint | number, what: string, from?: number): number {
    if (value < 2 || value > this.lastPage)
      this.fail(
        from,
        `names page ${value} as ${what}, outside data pages 2..${this.lastPage}`,
        Number(value),
      );
    return Number(value);
  }

  private claim(pgno: number, from: number | undefined, what: string, kind: LmdbPageKind): void {
    const bit = 1 << (pgno & 7);
    const byte = pgno >> 3;
    if (((this.seen[byte] as number) & bit) !== 0)
      this.fail(
        from,
        `names page ${pgno} as ${what}, but that page is already in use (a cycle or a shared page)`,
      );
    this.seen[byte] = (this.seen[byte] as number) | bit;
    this.pages++;
    this.onPage?.(pgno, kind);
  }

  private read(pgno: number): void {
    const n = readSync(this.fd, this.page, 0, this.pageSize, pgno * this.pageSize);
    if (n !== this.pageSize) this.fail(pgno, `cannot be read in full (${n} of ${this.pageSize} bytes)`);
  }

  private visit(
    walk: Walk,
    pgno: number,
    level: number,
    low?: Uint8Array,
    high?: Uint8Array,
    from?: number,
  ): void {
    this.claim(pgno, from, `a page of ${walk.name}`, "tree");
    this.read(pgno);
    const view = this.view;
    if (
      view.getUint32(0, true) !== pgno % 0x1_0000_0000 ||
      view.getUint32(4, true) !== Math.floor(pgno / 0x1_0000_0000)
    )
      this.fail(pgno, `has page number ${view.getBigUint64(0, true)} in its header`);
    const flags = view.getUint16(18, true) & 0xff;
    const branch = flags === P_BRANCH;
    if (!branch && flags !== P_LEAF && flags !== (P_LEAF | P_LEAF2))
      this.fail(pgno, `of ${walk.name} has page flags 0x${flags.toString(16)}, not a branch or leaf page`);
    if (branch && level >= walk.record.depth)
      this.fail(
        pgno,
        `is a branch page at level ${level} of ${walk.name}, whose depth is ${walk.record.depth}`,
      );
    if (!branch && level !== walk.record.depth && !walk.rootOnly)
      this.fail(
        pgno,
        `is a leaf page at level ${level} of ${walk.name}, whose depth is ${walk.record.depth}`,
      );
    const lower = view.getUint16(20, true);
    const upper = view.getUint16(22, true);
    const room = this.pageSize - HEADER;
    if (lower % 2 !== 0 || lower > upper || upper > room)
      this.fail(pgno, `has free space bounds ${lower}..${upper} outside its ${room} bytes`);
    if ((flags & P_LEAF2) !== 0) {
      // Fixed-size duplicate values (a DUPFIXED sub-database): no nodes to follow.
      walk.counts.leaf++;
      walk.counts.entries += lower / 2;
      return;
    }
    const count = lower / 2;
    if (count === 0) this.fail(pgno, `of ${walk.name} holds no nodes`);
    // Nodes first (the page buffer is reused by the children), children after.
    const children: Array<{ child: number; low?: Uint8Array; high?: Uint8Array }> = [];
    const subTrees: Array<{ name: string; record: TreeRecord }> = [];
    let previousFrom = 0;
    let previousTo = 0;
    for (let i = 0; i < count; i++) {
      const offset = view.getUint16(HEADER + 2 * i, true);
      const at = HEADER + offset;
      if (offset < upper || offset % 2 !== 0 || at + NODE > this.pageSize)
        this.fail(pgno, `node ${i} is at offset ${offset}, outside the page's node area ${upper}..${room}`);
      const keySize = view.getUint16(at + 6, true);
      const keyEnd = at + NODE + keySize;
      if (keyEnd > this.pageSize) this.fail(pgno, `node ${i}'s ${keySize}-byte key runs past the page's end`);
      const keyFrom = at + NODE;
      const lo = view.getUint16(at, true);
      const hi = view.getUint16(at + 2, true);
      const nodeFlags = view.getUint16(at + 4, true);
      if (!(branch && i === 0) && walk.ordered) {
        const page = this.page;
        const integer = walk.integer;
        if (
          i > (branch ? 1 : 0) &&
          compareKeys(integer, page, previousFrom, previousTo, page, keyFrom, keyEnd) >= 0
        )
          this.fail(pgno, `node ${i}'s key is not above node ${i - 1}'s (keys out of order)`);
        if (low !== undefined && compareKeys(integer, page, keyFrom, keyEnd, low, 0, low.length) < 0)
          this.fail(pgno, `node ${i}'s key is below the range its parent gives this page`);
        if (high !== undefined && compareKeys(integer, page, keyFrom, keyEnd, high, 0, high.length) >= 0)
          this.fail(pgno, `node ${i}'s key is not below the range its parent gives this page`);
        previousFrom = keyFrom;
        previousTo = keyEnd;
      }
      if (branch) {
        const child = lo + hi * 0x1_0000 + nodeFlags * 0x1_0000_0000;
        const bound = this.page.slice(keyFrom, keyEnd);
        children.push({
          child: this.pageNumber(child, `child ${i}`, pgno),
          low: i === 0 ? low : bound,
          high,
        });
        const last = children[i - 1];
        if (last !== undefined) last.high = bound;
        continue;
      }
      walk.counts.entries++;
      const dataSize = lo | (hi << 16);
      if ((nodeFlags & ~(F_BIGDATA | F_SUBDATA | F_DUPDATA)) !== 0)
        this.fail(pgno, `node ${i} has unknown node flags 0x${nodeFlags.toString(16)}`);
      if ((nodeFlags & F_BIGDATA) !== 0) {
        if (keyEnd + OVERFLOW_POINTER > this.pageSize)
          this.fail(pgno, `node ${i}'s overflow pointer runs past the page's end`);
        const first = this.pageNumber(view.getBigUint64(keyEnd, true), `node ${i}'s overflow page`, pgno);
        const pages = view.getBigUint64(keyEnd + 16, true);
        const needed = Math.floor((HEADER - 1 + dataSize) / this.pageSize) + 1;
        if (pages !== BigInt(needed))
          this.fail(
            pgno,
            `node ${i} gives ${pages} overflow pages for a ${dataSize}-byte value, which needs ${needed}`,
          );
        children.push({ child: -first - 1 });
        continue;
      }
      if (keyEnd + dataSize > this.pageSize)
        this.fail(pgno, `node ${i}'s ${dataSize}-byte value runs past the page's end`);
      if ((nodeFlags & F_SUBDATA) !== 0) {
        if (dataSize !== TREE_RECORD)
          this.fail(
            pgno,
            `node ${i} names a sub-database with a ${dataSize}-byte record, not ${TREE_RECORD}`,
          );
        const name = walk.main
          ? Buffer.from(this.page.subarray(keyFrom, keyEnd)).toString("utf8").replace(/\0$/, "")
          : `${walk.name} (duplicates)`;
        subTrees.push({ name: walk.main ? `database "${name}"` : name, record: treeRecord(view, keyEnd) });
        if (walk.main && (nodeFlags & F_DUPDATA) === 0) this.databases.push(name);
      }
    }
    if (branch) walk.counts.branch++;
    else walk.counts.leaf++;
    for (const { child, low: l, high: h } of walk.rootOnly ? [] : children) {
      if (child < 0) this.overflow(walk, -child - 1, pgno);
      else this.visit(walk, child, level + 1, l, h, pgno);
    }
    for (const sub of subTrees) this.walkTree(sub.name, sub.record, false, this.rootsOnly);
  }

  private overflow(walk: Walk, first: number, from: number): void {
    this.read(first);
    const view = this.view;
    if (view.getBigUint64(0, true) !== BigInt(first))
      this.fail(
        first,
        `(an overflow page of ${walk.name}) has page number ${view.getBigUint64(0, true)} in its header`,
      );
    if ((view.getUint16(18, true) & 0xff) !== P_OVERFLOW)
      this.fail(
        first,
        `(named by page ${from} as an overflow page of ${walk.name}) is not marked as an overflow page`,
      );
    const pages = view.getUint32(20, true);
    const end = first + pages - 1;
    if (pages < 1 || end > this.lastPage)
      this.fail(first, `is an overflow run of ${pages} pages, past the last page ${this.lastPage}`, end);
    for (let p = first; p <= end; p++)
      this.claim(p, from, `an overflow page of ${walk.name}`, p === first ? "overflow" : "value");
    walk.counts.overflow += pages;
  }
}

/**
 * A page in use: `tree` a branch or leaf page, `overflow` the first page of a big value
 * (its header is checked), `value` a later page of one (only value bytes: the record
 * check, not the walk, sees damage there).
 */
export type LmdbPageKind = "tree" | "overflow" | "value";

/** `full`: every reachable page; `roots`: the main tree and the root page of every other tree (a few pages, for every open). */
export type LmdbWalkDepth = "full" | "roots";

/**
 * Checks every page of the LMDB data file for `path` reachable from its newest meta page
 * (see the module comment), reading the file with plain reads, and returns what it read.
 * With `depth: "roots"` only the main tree and each other tree's root page; `onPage` hears
 * the number of every branch, leaf and overflow page in use.
 * Throws `StateError` `CORRUPT_FILE` (a damaged meta page, from `checkLmdbMeta`, or a file
 * that ends before a page in use) or
 * `LmdbPageError` (a damaged page) naming the file. A missing file passes (no pages).
 * @example walkLmdbFile(".weft/data") // before open({ path: ".weft/data" }) on a file you do not trust
 */
export function walkLmdbFile(
  path: string,
  options: { depth?: LmdbWalkDepth; onPage?: (pgno: number, kind: LmdbPageKind) => void } = {},
): LmdbWalkReport {
  const file = lmdbDataFile(path);
  const meta = checkLmdbMeta(path);
  // A file that ends before the last page its meta records (pages LMDB counted but never
  // wrote, see lmdbHeader.ts) is walked whole: it is cut short if any page in use is past its end.
  const short = meta !== undefined && meta.size < meta.recorded;
  const roots = options.depth === "roots" && !short;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { file, pageSize: 0, pages: 0, bytes: 0, databases: [], entries: 0 };
  }
  try {
    const meta = new Uint8Array(HEADER + 160);
    readSync(fd, meta, 0, meta.length, 0);
    const pageSize = new DataView(meta.buffer).getUint32(HEADER + 24, true);
    const other = new Uint8Array(meta.length);
    readSync(fd, other, 0, other.length, pageSize);
    const txn = (m: Uint8Array) => new DataView(m.buffer).getBigUint64(HEADER + 128, true);
    const newest = txn(other) > txn(meta) ? other : meta;
    const view = new DataView(newest.buffer);
    const size = fstatSync(fd).size;
    const recorded = Number(view.getBigUint64(HEADER + 120, true));
    const lastPage = short ? Math.min(recorded, Math.floor(size / pageSize) - 1) : recorded;
    const walker = new PageWalker(fd, file, pageSize, lastPage, roots, options.onPage);
    const free = treeRecord(view, HEADER + 24);
    try {
      // The free-page tree's record keeps the page size in `pad` and the environment's flags in `flags`.
      walker.walkTree("the free-page tree", { ...free, flags: DB_INTEGERKEY }, false, roots);
      walker.walkTree("the main tree", treeRecord(view, HEADER + 24 + TREE_RECORD), true, false);
    } catch (error) {
      if (short && error instanceof LmdbPageError && error.beyond !== undefined && error.beyond > lastPage)
        throw cutShort(file, size, (recorded + 1) * pageSize);
      throw error;
    }
    return {
      file,
      pageSize,
      pages: walker.pages,
      bytes: Math.min(size, (recorded + 1) * pageSize),
      databases: walker.databases,
      entries: walker.entries,
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Throws `StateError` `CORRUPT_FILE` naming the file unless its meta pages are valid and it
 * holds its trees' root pages (every page in use, when it is shorter than its meta pages
 * record); a missing file passes: LMDB will create it.
 * @example checkLmdbFile(".weft/data") // before open({ path: ".weft/data" })
 */
export function checkLmdbFile(path: string): void {
  walkLmdbFile(path, { depth: "roots" });
}
