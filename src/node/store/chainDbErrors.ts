/**
 * The chain database's errors: `ChainDbError` (it cannot be opened, its file or head record
 * is damaged, a block was staged wrongly) and `StateNotKeptError` (a past state it does not
 * hold).
 */
import { isLmdbDamage, lmdbDataFile } from "../../state/lmdbHeader.js";

/**
 * `OPEN`: LMDB refused to open; `CORRUPT_FILE`: the data file's header pages are damaged;
 * `CORRUPT_RECORD`: the head record cannot be read; `STAGE`: misuse of `stageBlock` or `stageRewind`;
 * `LAYOUT`: the database was written in a layout this version does not read (resync).
 */
export type ChainDbErrorCode = "OPEN" | "CORRUPT_FILE" | "CORRUPT_RECORD" | "STAGE" | "LAYOUT";

export class ChainDbError extends Error {
  readonly code: ChainDbErrorCode;
  constructor(code: ChainDbErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ChainDbError";
    this.code = code;
  }
}

/**
 * `ChainDbError` `CORRUPT_FILE` for an LMDB error that says the data file in `dir` is
 * damaged (a page missing or of the wrong kind: `isLmdbDamage`), else undefined.
 */
export function damageError(dir: string, error: unknown): ChainDbError | undefined {
  if (!isLmdbDamage(error)) return undefined;
  return new ChainDbError(
    "CORRUPT_FILE",
    `${lmdbDataFile(dir)} is damaged: LMDB reports ${error.message}. Restore it from a backup (or start a new data directory); the node will not use it`,
    { cause: error },
  );
}

/**
 * The state of a block the database does not hold (older than the kept window, below a
 * state-synced start, or past the head): `from` … `head` are the blocks it holds.
 */
export class StateNotKeptError extends Error {
  readonly code = "STATE_NOT_KEPT";
  constructor(
    readonly block: number,
    readonly from: number,
    readonly head: number,
    readonly keep: number,
  ) {
    super(
      block > head
        ? `block ${block} is past the head (${head})`
        : `the state of block ${block} is not kept: this node keeps the states of the last ${keep} blocks and holds those of blocks ${from} to ${head}`,
    );
    this.name = "StateNotKeptError";
  }
}
