/**
 * A damaged LMDB meta page is refused with a clear error, never a crash. The `lmdb`
 * package segfaults on a zeroed first meta page, so every open happens in a child process
 * here: the parent survives, and sees the child's exit code and message. Copies of a real
 * chain database get meta page 0, page 1 or both zeroed, or the file cut short (inside the
 * meta pages, to half, to 0 bytes).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { open } from "lmdb";
import { StateError } from "../../../src/state/errors.js";
import { checkLmdbMeta } from "../../../src/state/lmdbHeader.js";
import { checkLmdbFile } from "../../../src/state/lmdbWalk.js";
import { buildChainDir } from "../../helpers/chainDir.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
/** LMDB's page size for this machine, as the first meta page records it. */
let PAGE = 4096;

function zeroPages(file: string, pages: number[]): void {
  const fd = openSync(file, "r+");
  try {
    for (const p of pages) writeSync(fd, new Uint8Array(PAGE), 0, PAGE, p * PAGE);
  } finally {
    closeSync(fd);
  }
}

describe("LMDB meta pages", () => {
  let base: string;
  let clean: string;
  let copies = 0;
  const copy = () => {
    const dir = join(base, `copy-${copies++}`);
    cpSync(clean, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "weft-meta-"));
    clean = join(base, "clean");
    await buildChainDir(clean, 1, 1);
    PAGE = readFileSync(join(clean, "data.mdb")).readUInt32LE(48);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("a clean file passes; a missing one is a database not yet created", () => {
    checkLmdbFile(clean);
    checkLmdbFile(join(base, "nowhere"));
  });

  it("a healthy file that ends before its meta's last page (pages LMDB counted, never wrote) passes", async () => {
    // Plain puts and removes: after some commits the file is a page short of what the meta
    // records (8 of 300 here), which the node took for a cut file and refused to open.
    const dir = join(base, "short-tail");
    const root = open({ path: dir, maxDbs: 4, keyEncoding: "binary", encoding: "binary", mapSize: 1 << 30 });
    const db = root.openDB({ name: "a", keyEncoding: "binary", encoding: "binary" });
    let short = 0;
    try {
      for (let round = 0; round < 300 && short < 3; round++) {
        await root.transaction(() => {
          for (let i = 0; i < 200; i++) {
            const key = Buffer.from(`k${(round * 37 + i * 11) % 5000}`);
            if ((round + i) % 3 === 0) db.remove(key);
            else db.put(key, Buffer.alloc(100 + ((round * i) % 900), round));
          }
        });
        const meta = checkLmdbMeta(dir);
        if (meta !== undefined && meta.size < meta.recorded) short++;
        checkLmdbFile(dir);
      }
    } finally {
      await root.close();
    }
    assert.ok(short > 0, "no commit left the file shorter than its meta records");
  });

  /** The data file's size in whole pages, halved: far below the last page its meta pages record. */
  const half = (file: string) => Math.floor(statSync(file).size / PAGE / 2) * PAGE;
  const cases: Array<{
    name: string;
    damage: (file: string) => void;
    problem: string | ((file: string) => string);
  }> = [
    { name: "meta page 0 zeroed", damage: (f) => zeroPages(f, [0]), problem: "meta page 0 is all zeros" },
    { name: "meta page 1 zeroed", damage: (f) => zeroPages(f, [1]), problem: "meta page 1 is all zeros" },
    {
      name: "both meta pages zeroed",
      damage: (f) => zeroPages(f, [0, 1]),
      problem: "meta page 0 is all zeros",
    },
    {
      name: "the file cut inside page 1",
      damage: (f) => truncateSync(f, PAGE + 100),
      problem: `the file is ${PAGE + 100} bytes, shorter than its two ${PAGE}-byte meta pages`,
    },
    {
      // LMDB read past the end of the mapped file: the process died of SIGBUS.
      name: "the file cut to half",
      damage: (f) => truncateSync(f, half(f)),
      problem: (f) =>
        `the file is ${half(f)} bytes, but its meta pages record ${statSync(f).size} bytes of pages (it was cut short)`,
    },
    {
      // LMDB took it for a new database: db check said ok, the node started a new chain.
      name: "the file cut to 0 bytes",
      damage: (f) => truncateSync(f, 0),
      problem:
        "the file is empty (0 bytes), but LMDB writes its meta pages when it creates it: it was cut short",
    },
  ];
  for (const c of cases) {
    it(`${c.name}: refused by name, in the node and in db check, no crash`, () => {
      const dir = copy();
      const file = join(dir, "data.mdb");
      const problem = typeof c.problem === "string" ? c.problem : c.problem(file);
      c.damage(file);
      const message = `${file} is not a valid LMDB data file: ${problem}`;
      assert.throws(
        () => checkLmdbFile(dir),
        (e: unknown) => e instanceof StateError && e.code === "CORRUPT_FILE" && e.message.startsWith(message),
      );

      const node = spawnSync(process.execPath, [CLI, "node", "--data-dir", dir, "--port", "0"], {
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(node.signal, null, `the node died of ${node.signal}`);
      assert.equal(node.status, 1, node.stderr);
      assert.ok(node.stderr.startsWith(`weft: ${message}.`), node.stderr);

      const check = spawnSync(process.execPath, [CLI, "--json", "db", "check", "--dir", dir], {
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(check.signal, null, `db check died of ${check.signal}`);
      assert.equal(check.status, 5, check.stderr);
      const report = JSON.parse(check.stdout) as { ok: boolean; problems: string[] };
      assert.equal(report.ok, false);
      assert.ok(report.problems[0]?.startsWith(message), report.problems[0]);
    });
  }
});
