/**
 * Damage anywhere in an LMDB data file is a typed report, never a crash or a hang. A small
 * chain database is generated; then, for every page of its data file in turn, a copy gets
 * random bytes (a fixed seed) written into that page, or the page zeroed, or the page
 * swapped with the next one; other copies are cut short. Each copy goes through the whole
 * check `weft db check` runs (`checkChainDir`: the page walk with plain reads, then the
 * record check through LMDB in a child process): it ends with a report, the damage of a
 * page in use is found by the walk naming the file and that page, and no LMDB read ever
 * ends in a signal. A clean copy passes. `weft db check` exits 5 with the message, and
 * the node refuses a damaged file with the same typed error (the roots of every tree at
 * every open, every page under `--check-db full`). A child that dies of SIGBUS is reported.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { ChainNode } from "../../../src/node/chainNode.js";
import { ChainDbError } from "../../../src/node/store/chainDb.js";
import { checkChainDir } from "../../../src/node/store/checkDir.js";
import { seededRandom } from "../../../src/sdk/bots/series.js";
import { LmdbPageError, walkLmdbFile } from "../../../src/state/lmdbWalk.js";
import { chainDirFixture, chainDirNodeOptions, runDbCheck } from "../../helpers/chainDir.js";

const SIGNAL = /ended with SIG/;

describe("LMDB page walk: damage in any page is a typed report", () => {
  const fixture = chainDirFixture("weft-walk-", 2, 3);
  let clean: string;
  let pageSize = 4096;
  let pages = 0;
  /** Pages the clean file's trees use (the others are free pages no read reaches). */
  const inUse = new Set<number>();
  /** Pages in use that hold only value bytes (later pages of a big value). */
  const valuePages = new Set<number>();
  const copy = (): { dir: string; file: string } => {
    const dir = fixture.copy();
    return { dir, file: join(dir, "data.mdb") };
  };
  const readPage = (file: string, p: number): Uint8Array => {
    const out = new Uint8Array(pageSize);
    const fd = openSync(file, "r");
    try {
      readSync(fd, out, 0, pageSize, p * pageSize);
    } finally {
      closeSync(fd);
    }
    return out;
  };
  const writePage = (file: string, p: number, bytes: Uint8Array): void => {
    const fd = openSync(file, "r+");
    try {
      writeSync(fd, bytes, 0, bytes.length, p * pageSize);
    } finally {
      closeSync(fd);
    }
  };
  const nodeOptions = (dir: string, checkDb: "off" | "full") => chainDirNodeOptions(dir, { checkDb });

  before(async () => {
    clean = fixture.clean;
    const file = join(clean, "data.mdb");
    pageSize = readFileSync(file).readUInt32LE(48);
    pages = statSync(file).size / pageSize;
    walkLmdbFile(clean, {
      onPage: (p, kind) => {
        inUse.add(p);
        if (kind === "value") valuePages.add(p);
      },
    });
  });

  it("a clean file passes: every page in use read once, the record check through LMDB passes", () => {
    const walk = walkLmdbFile(clean);
    assert.equal(walk.pageSize, pageSize);
    assert.equal(walk.pages, inUse.size + 2);
    assert.ok(inUse.size < pages - 2, "the file has free pages too");
    assert.ok(valuePages.size > 0, "the file has big values (overflow pages) too");
    assert.deepEqual([...walk.databases].sort(), [
      "blockHashes",
      "blocks",
      "changeSetBlocks",
      "changeSets",
      "logsByAddress",
      "logsByTopic",
      "merkle",
      "meta",
      "receipts",
      "state",
      "txs",
      "txsByAccount",
    ]);
    const report = checkChainDir(clean);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.pages?.pages, walk.pages);
  });

  /**
   * Runs the whole check on a damaged copy. Damage to page `page` (when it is in use, or a
   * meta page unless `metaMustFail` is false: most of a meta page is unused) must be found
   * by the walk and name that page (or the meta pages' check); elsewhere (a free page) the
   * check may pass or report, but never through a signal. A page of a big value's bytes
   * is no page structure: zeroed it must be reported (by the record check). Free and value
   * pages go through the walk alone, and every 6th through the whole check too.
   */
  const expectReport = (dir: string, file: string, page: number, what: string, metaMustFail = true): void => {
    if (page >= 2 && (!inUse.has(page) || valuePages.has(page))) {
      // A free page or a value's bytes: the walk does not read it and passes. Every 6th also
      // goes through the whole check (a spawned LMDB reader each: the others would make the test slow).
      assert.equal(walkError(dir), undefined, `${what}: the walk reads no such page`);
      if (page % 6 !== 0) return;
    }
    const report = checkChainDir(dir);
    assert.equal(report.problems.filter((p) => SIGNAL.test(p)).length, 0, `${what}: ${report.problems}`);
    if (!((page < 2 && metaMustFail) || inUse.has(page))) return;
    if (valuePages.has(page) && !metaMustFail) return;
    assert.equal(report.ok, false, `${what}: damage not found`);
    if (valuePages.has(page)) return; // found by the record check (a value's hash), not by page
    assert.ok(
      report.problems[0]?.startsWith(`${file} is `),
      `${what}: the report does not name the file: ${report.problems}`,
    );
    if (page >= 2)
      assert.ok(walkError(dir) instanceof LmdbPageError, `${what}: not a page error: ${report.problems}`);
  };
  const walkError = (dir: string): unknown => {
    try {
      walkLmdbFile(dir);
      return undefined;
    } catch (error) {
      return error;
    }
  };

  it("random bytes (seeded) in every page in turn: found by page, or harmless; never a signal", () => {
    const random = seededRandom(20_261_206);
    for (let p = 0; p < pages; p++) {
      const { dir, file } = copy();
      const page = readPage(file, p);
      // 16 bytes at random offsets of the page, then 8 bytes of its header (the 24 first bytes).
      for (let i = 0; i < 16; i++) page[Math.floor(random() * pageSize)] = Math.floor(random() * 256);
      for (let i = 0; i < 8; i++) page[Math.floor(random() * 24)] = Math.floor(random() * 256);
      writePage(file, p, page);
      expectReport(dir, file, p, `random bytes in page ${p}`, false);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every page zeroed in turn, and every page swapped with the next: found by page", () => {
    for (let p = 0; p < pages; p++) {
      const zeroed = copy();
      writePage(zeroed.file, p, new Uint8Array(pageSize));
      expectReport(zeroed.dir, zeroed.file, p, `page ${p} zeroed`);
      rmSync(zeroed.dir, { recursive: true, force: true });
      if (p + 1 >= pages) continue;
      const swapped = copy();
      const a = readPage(swapped.file, p);
      writePage(swapped.file, p, readPage(swapped.file, p + 1));
      writePage(swapped.file, p + 1, a);
      // The page the walk must name: a page structure (meta, tree, overflow header) first.
      const structural = (x: number) => x < 2 || (inUse.has(x) && !valuePages.has(x));
      const named = structural(p) ? p : structural(p + 1) || !inUse.has(p) ? p + 1 : p;
      expectReport(swapped.dir, swapped.file, named, `pages ${p} and ${p + 1} swapped`);
      rmSync(swapped.dir, { recursive: true, force: true });
    }
  });

  it("a file cut short anywhere is refused", () => {
    const last = Math.max(...inUse);
    for (const size of [1, pageSize + 100, 2 * pageSize, Math.floor(pages / 2) * pageSize, last * pageSize]) {
      const { dir, file } = copy();
      truncateSync(file, size);
      const report = checkChainDir(dir);
      assert.equal(report.ok, false, `cut to ${size} bytes`);
      assert.ok(report.problems[0]?.startsWith(`${file} is `), report.problems.join("\n"));
    }
  });

  it("weft db check exits 5 naming the page; the node refuses by the same error (roots at open, all under full)", async () => {
    const leaf = Math.max(...inUse);
    const { dir, file } = copy();
    const page = readPage(file, leaf);
    page.fill(0xa5, 24, 64);
    writePage(file, leaf, page);
    const run = runDbCheck(dir);
    assert.equal(run.code, 5, run.err);
    assert.match(run.out, /^DAMAGED: /);
    assert.ok(run.out.includes(`${file} is damaged: page ${leaf} `), run.out);
    await assert.rejects(ChainNode.open(nodeOptions(dir, "full")), (error: unknown) => {
      assert.ok(error instanceof ChainDbError && error.code === "CORRUPT_FILE", String(error));
      assert.ok(error.message.startsWith(`${file} is damaged: page ${leaf} `), error.message);
      return true;
    });
    // The main tree's root (named by the meta page) is read at every open, without --check-db.
    const rootCopy = copy();
    const meta = walkLmdbFile(clean, { depth: "roots" });
    assert.ok(meta.pages < walkLmdbFile(clean).pages, "the roots walk reads fewer pages");
    const mainRoot = Number(readFileSync(rootCopy.file).readBigUInt64LE(136));
    const mainRoot1 = Number(readFileSync(rootCopy.file).subarray(pageSize).readBigUInt64LE(136));
    for (const p of new Set([mainRoot, mainRoot1])) writePage(rootCopy.file, p, new Uint8Array(pageSize));
    await assert.rejects(ChainNode.open(nodeOptions(rootCopy.dir, "off")), (error: unknown) => {
      assert.ok(error instanceof ChainDbError && error.code === "CORRUPT_FILE", String(error));
      assert.match(error.message, /is damaged: page \d+ has page number 0 in its header/);
      return true;
    });
  });

  it("an LMDB reader that dies of a signal is a reported problem, not a crash", () => {
    const script = join(fixture.base, "sigbus.mjs");
    writeFileSync(script, 'process.kill(process.pid, "SIGBUS");\n');
    const report = checkChainDir(clean, { childScript: script });
    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? "", /reading it through LMDB ended with SIGBUS/);
  });
});
