/**
 * Why EVM source verification (`verifyEvmSource.ts`) refused: a code, a short message and
 * detail lines saying what was wrong and what to do (the RPC answers them as
 * `{ reason, details }`, docs/rpc.md `weft_verifyEvmSource`).
 */
export type EvmVerifyErrorCode =
  /** No EVM code at the address. */
  | "NO_EVM_CODE"
  /** The request is malformed: sources, contract name or settings. */
  | "BAD_INPUT"
  /** Over a bound: the sources' bytes or count, a path's length. */
  | "TOO_LARGE"
  /** The solc-js compiler cannot be loaded on this node (the `solc` package is missing). */
  | "COMPILER_UNAVAILABLE"
  /** The requested compiler version is not the one this node has. */
  | "COMPILER_VERSION"
  /** solc reported errors (details: its messages), or ran out of memory. */
  | "COMPILE_FAILED"
  /** Compiling took longer than the node allows. */
  | "COMPILE_TIMEOUT"
  /** Too many compilations are running on this node: try again shortly. */
  | "BUSY"
  /** The named contract is not in solc's output, or has no runtime code (abstract, an interface). */
  | "NO_CONTRACT"
  /** The output needs libraries linked (give their addresses in settings.libraries). */
  | "LINK_NEEDED"
  /** The compiled runtime code is not the deployed code. */
  | "BYTECODE_MISMATCH";

export class EvmVerifyError extends Error {
  constructor(
    readonly code: EvmVerifyErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "EvmVerifyError";
  }
}
