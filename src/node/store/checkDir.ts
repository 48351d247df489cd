/**
 * The whole check of a chain database directory on disk (`weft db check`), in two steps:
 * 1. `walkLmdbFile`: every page of the data file, read with plain file reads (no memory
 *    map), so a damaged page is reported by number instead of crashing the reader;
 * 2. `checkChainDb` (every record, roots and links), through LMDB, in a child process
 *    (`checkDbChild.ts`): should LMDB still trip on damage the walk cannot see, the signal
 *    that ends the child (SIGBUS, SIGSEGV) becomes a reported problem here, not a crash.
 * The caller holds the directory's lock (the child does not take it).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { StateError } from "../../state/errors.js";
import { type LmdbWalkReport, walkLmdbFile } from "../../state/lmdbWalk.js";
import { ChainDbError, type ChainDbErrorCode } from "./chainDb.js";
import type { DbCheckReport } from "./checkDb.js";

/** `checkChainDb`'s report plus what the page walk read (undefined when it stopped at damage). */
export interface DirCheckReport extends DbCheckReport {
  pages: (Omit<LmdbWalkReport, "databases" | "file"> & { ms: number }) | undefined;
}

const CHILD = fileURLToPath(new URL("./checkDbChild.js", import.meta.url));
const DAMAGE_CODES: ReadonlySet<string> = new Set(["CORRUPT_FILE", "CORRUPT_RECORD"]);

const damaged = (problem: string, ms: number, pages?: DirCheckReport["pages"]): DirCheckReport => ({
  ok: false,
  head: undefined,
  checked: { stateRecords: 0, merkleNodes: 0, blocks: 0, txs: 0, receipts: 0 },
  problems: [problem],
  ms,
  pages,
});

/**
 * Checks the chain database in `dir` (see the module comment). Damage is a report with
 * `ok: false`; other failures (the directory cannot be opened) throw `ChainDbError`.
 * `childScript` replaces the child's program (tests).
 * @example const report = checkChainDir(".weft/data"); if (!report.ok) console.log(report.problems);
 */
export function checkChainDir(dir: string, options: { childScript?: string } = {}): DirCheckReport {
  const started = performance.now();
  let walk: LmdbWalkReport;
  try {
    walk = walkLmdbFile(dir);
  } catch (error) {
    if (error instanceof StateError && error.code === "CORRUPT_FILE")
      return damaged(error.message, performance.now() - started);
    throw error;
  }
  const { file: _file, databases: _dbs, ...walked } = walk;
  const pages = { ...walked, ms: performance.now() - started };
  const child = spawnSync(process.execPath, [options.childScript ?? CHILD, dir], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 ** 2,
  });
  const ms = () => performance.now() - started;
  if (child.signal !== null)
    return damaged(
      `the data file is damaged: reading it through LMDB ended with ${child.signal} after the page walk passed (the check stopped there)`,
      ms(),
      pages,
    );
  const line = child.stdout.trim().split("\n").pop() ?? "";
  let parsed:
    | (DbCheckReport & { error?: undefined })
    | { error: { name: string; code: string; message: string } };
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ChainDbError(
      "OPEN",
      `the database check of ${dir} failed (exit ${child.status}): ${child.stderr.trim().slice(-2_000) || "no output"}`,
    );
  }
  if (parsed.error !== undefined) {
    const { code, message } = parsed.error;
    if (DAMAGE_CODES.has(code)) return damaged(message, ms(), pages);
    throw new ChainDbError(
      parsed.error.name === "ChainDbError" ? (code as ChainDbErrorCode) : "OPEN",
      message,
    );
  }
  return { ...parsed, ms: ms(), pages };
}
