/**
 * The prepared forms of the stored contracts (`vm/preparedForm.ts`), one file per code hash
 * in a directory of the data directory (`prepared/`), outside the chain database: they are
 * derived data, rebuilt from the code whenever one is missing or damaged, so neither the
 * chain's records, its commits nor `weft db check` depend on them, and a damaged file
 * can never reach LMDB's memory map. Files are read with plain reads; a form is written to
 * a temporary name and renamed, so a crash leaves the old form, the new one or none
 * (never fsynced: at worst the next start prepares that code again).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PreparedStore } from "../../vm/preparedForm.js";

/** The directory of a data directory that holds the prepared forms. */
export const PREPARED_DIR = "prepared";

/** Code hashes are hex: nothing else may name a file. */
const HASH = /^[0-9a-f]{64}$/;

/** @example createVm({ preparedStore: preparedFiles(join(dataDir, PREPARED_DIR)) }) */
export function preparedFiles(dir: string): PreparedStore {
  let made = false;
  return {
    get(codeHash) {
      if (!HASH.test(codeHash)) return undefined;
      try {
        return new Uint8Array(readFileSync(join(dir, codeHash)));
      } catch {
        return undefined; // missing or unreadable: the code is prepared again
      }
    },
    put(codeHash, form) {
      if (!HASH.test(codeHash)) return;
      try {
        if (!made) mkdirSync(dir, { recursive: true });
        made = true;
        const file = join(dir, codeHash);
        writeFileSync(`${file}.tmp`, form);
        renameSync(`${file}.tmp`, file);
      } catch {
        // Not kept (a full disk, a read-only directory): the next start prepares the code again.
      }
    },
  };
}
