/**
 * `weft db check`: check every record of a chain database on disk (no node needed): the
 * state root recomputed from the whole state, every Merkle node's hash links, every
 * block's links and roots, after a walk of every page of the data file with plain reads
 * (src/node/store/checkDir.ts: the LMDB part runs in a child process). It takes the data directory's lock
 * like a node does, so it refuses while a node runs on the directory (stop the node, or
 * check a copy): a check reads many records and must not race a writer.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { checkChainDir, type DirCheckReport } from "../../node/store/checkDir.js";
import { lockDataDir } from "../../node/store/dirLock.js";
import { lmdbDataFile } from "../../state/lmdbHeader.js";
import { contextOf } from "../context.js";
import { EXIT, UsageError } from "../output.js";

function checkDir(dir: string): DirCheckReport {
  const lock = lockDataDir(
    dir,
    "stop it first, or check a copy made while it was stopped (weft db check --dir <copy>)",
  );
  try {
    return checkChainDir(dir);
  } finally {
    lock.release();
  }
}

export function addDbCommands(program: Command): void {
  const db = program.command("db").description("inspect a node's chain database on disk");
  db.command("check")
    .description(
      "check every record of a chain database: the state root recomputed from the whole state, Merkle hash links, block links, tx and receipt roots; exits 5 when anything is wrong, 2 when there is no chain (refuses while a node runs on the directory)",
    )
    .option(
      "--dir <dir>",
      "the data directory (env WEFT_DATA_DIR, default ./.weft/data)",
      process.env.WEFT_DATA_DIR ?? ".weft/data",
    )
    .action(async (opts: { dir: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = resolve(opts.dir);
      if (!existsSync(lmdbDataFile(dir))) throw new UsageError(`no chain database in ${dir}`);
      const report = checkDir(dir);
      if (report.ok && report.head === undefined)
        throw new UsageError(
          `no chain in ${dir}: the database holds no blocks (no node has made a genesis block in it)`,
        );
      const c = report.checked;
      ctx.out.result({ dir, ...report }, () => [
        `${report.ok ? "ok" : "DAMAGED"}: ${dir}${report.head === undefined ? "" : ` (head block ${report.head})`}`,
        ...(report.pages === undefined
          ? []
          : [
              `read ${report.pages.pages} pages (${((report.pages.pages * report.pages.pageSize) / 1024 ** 2).toFixed(1)} MB) of the data file in ${(report.pages.ms / 1000).toFixed(2)} s: every page's header, nodes, keys and links`,
            ]),
        `checked ${c.stateRecords} state records, ${c.merkleNodes} Merkle nodes, ${c.blocks} blocks, ${c.txs} transactions, ${c.receipts} receipts in ${(report.ms / 1000).toFixed(2)} s`,
        ...(report.ok
          ? []
          : [`${report.problems.length} problem(s):`, ...report.problems.map((p) => `  - ${p}`)]),
      ]);
      if (!report.ok) process.exitCode = EXIT.damaged;
    });
}
