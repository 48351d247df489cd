/** Why `weft testnet` cannot start: a code, a short message, and detail lines that say what to do. */
export type TestnetErrorCode =
  | "BAD_VALIDATORS"
  | "BAD_PORT"
  | "PORT_IN_USE"
  | "DIR_UNWRITABLE"
  | "DIR_NOT_TESTNET"
  | "DIR_MISMATCH"
  | "DIR_DAMAGED"
  | "ALREADY_RUNNING"
  | "START_FAILED";

/** Codes that mean the user's input (a flag, the directory) is wrong rather than a node failing. */
const USAGE: ReadonlySet<TestnetErrorCode> = new Set([
  "BAD_VALIDATORS",
  "BAD_PORT",
  "PORT_IN_USE",
  "DIR_UNWRITABLE",
  "DIR_NOT_TESTNET",
  "DIR_MISMATCH",
  "ALREADY_RUNNING",
]);

export class TestnetError extends Error {
  constructor(
    readonly code: TestnetErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "TestnetError";
  }

  /** Bad input (exit 2), as opposed to a failure (exit 1). */
  get usage(): boolean {
    return USAGE.has(this.code);
  }
}
