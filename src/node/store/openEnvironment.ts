/**
 * Opening the chain database's LMDB environment: the data file's pages are walked with plain
 * reads first (`walkLmdbFile`: LMDB follows page pointers through a memory map, and a damaged
 * page would crash the process), then the environment is opened, the directory made if need be.
 */
import { mkdirSync } from "node:fs";
import { open, type RootDatabase } from "lmdb";
import { StateError } from "../../state/errors.js";
import { walkLmdbFile } from "../../state/lmdbWalk.js";
import type { OpenChainDbOptions } from "./chainDbApi.js";
import { ChainDbError } from "./chainDbErrors.js";

/** The LMDB environment in `dir`; `ChainDbError` `CORRUPT_FILE` or `OPEN` if it cannot be. */
export function openEnvironment(
  dir: string,
  options: OpenChainDbOptions,
): RootDatabase<Uint8Array, Uint8Array> {
  try {
    // LMDB follows the file's page pointers through a memory map: a damaged page crashes
    // the process (SIGSEGV, SIGBUS). Look at the pages with plain reads first.
    const depth = options.walk ?? "roots";
    if (depth !== "none") walkLmdbFile(dir, { depth });
  } catch (error) {
    const damage = error instanceof StateError && error.code === "CORRUPT_FILE";
    throw new ChainDbError(
      damage ? "CORRUPT_FILE" : "OPEN",
      damage ? error.message : `cannot read the chain database in ${dir}: ${String(error)}`,
      { cause: error },
    );
  }
  try {
    mkdirSync(dir, { recursive: true });
    return open<Uint8Array, Uint8Array>({
      path: dir,
      noSubdir: false, // a directory, made above, whatever its name (`lmdbNoSubdir`)
      maxDbs: 16,
      keyEncoding: "binary",
      encoding: "binary",
      mapSize: options.mapSizeBytes ?? 64 * 1024 ** 3,
    });
  } catch (error) {
    throw new ChainDbError("OPEN", `cannot open the chain database in ${dir}: ${String(error)}`, {
      cause: error,
    });
  }
}
