/**
 * The child process of `checkChainDir`: opens the chain database in the directory given
 * as its argument and prints `checkChainDb`'s report as JSON on stdout (or, when opening
 * fails with a typed error, `{ error: { name, code, message } }`). Its parent holds the
 * data directory's lock. LMDB reads here through a memory map: whatever the page walk
 * missed and the map trips on (a bus error) ends this process only, and the parent turns
 * the signal into a reported problem.
 *
 *   node dist/src/node/store/checkDbChild.js <dir>
 */
import { openChainDb } from "./chainDb.js";
import { checkChainDb } from "./checkDb.js";

async function main(dir: string): Promise<void> {
  let out: unknown;
  try {
    const db = openChainDb(dir, { walk: "none" });
    try {
      out = checkChainDb(db);
    } finally {
      await db.close();
    }
  } catch (error) {
    const e = error as Error & { code?: unknown };
    out = { error: { name: e.name, code: e.code, message: e.message } };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write("usage: checkDbChild <dir>\n");
  process.exitCode = 2;
} else await main(dir);
