/**
 * CLI output: human text by default, one JSON document with `--json`; errors on stderr
 * with their detail lines; exit codes scripts can trust:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done |
 * | 1 | failed (network, node error, anything unexpected) |
 * | 2 | bad usage or configuration (a flag, an argument, a key file) |
 * | 3 | the node refused the transaction (it never ran) |
 * | 4 | the transaction ran and reverted or ran out of gas |
 * | 5 | `weft db check` found the chain database damaged |
 */
import {
  RpcRequestError,
  TransactionRejectedError,
  TransactionRevertedError,
  TransportError,
  WeftClientError,
} from "../sdk/client/index.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, rejected: 3, reverted: 4, damaged: 5 } as const;

export class UsageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** The sender cannot pay what a transaction moves plus its fee: the node would refuse it (exit 3). */
export class InsufficientFundsError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "InsufficientFundsError";
  }
}

/** JSON with bigints as decimal strings and bytes as 0x hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
      return v;
    },
    2,
  );
}

export interface Out {
  json: boolean;
  /** Prints `value` as JSON (with --json) or the human text `lines` builds. */
  result(value: unknown, human: () => string[]): void;
  /** A progress message on stderr (only on a terminal, never with --json). */
  progress(message: string): () => void;
}

export function output(json: boolean): Out {
  return {
    json,
    result(value, human) {
      process.stdout.write(`${json ? toJson(value) : human().join("\n")}\n`);
    },
    progress(message) {
      if (json || !process.stderr.isTTY) return () => {};
      const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
      const started = Date.now();
      let i = 0;
      const timer = setInterval(() => {
        const s = ((Date.now() - started) / 1000).toFixed(1);
        process.stderr.write(`\r${frames[i++ % frames.length]} ${message} ${s}s`);
      }, 100);
      return () => {
        clearInterval(timer);
        process.stderr.write("\r\x1b[K");
      };
    },
  };
}

/** Reports `error` on stderr (as JSON with --json) and returns the exit code it means. */
export function reportError(error: unknown, json: boolean): number {
  let code: number = EXIT.failed;
  if (error instanceof UsageError) code = EXIT.usage;
  else if (error instanceof TransactionRejectedError || error instanceof InsufficientFundsError)
    code = EXIT.rejected;
  else if (error instanceof TransactionRevertedError) code = EXIT.reverted;
  const details =
    error instanceof WeftClientError || error instanceof UsageError || error instanceof InsufficientFundsError
      ? [...error.details]
      : ([] as string[]);
  if (error instanceof TransportError && error.status === undefined)
    details.push(
      "is a node running there? start one in another terminal with: npx weft node (npm start in the Weft repository)",
      "or point the CLI at yours with --rpc <url> or WEFT_RPC=<url>",
    );
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const rpcCode = error instanceof RpcRequestError ? error.code : undefined;
    process.stderr.write(
      `${toJson({ error: { name: (error as Error)?.name, message, details, exitCode: code, rpcCode } })}\n`,
    );
  } else {
    process.stderr.write(`weft: ${message}\n${details.map((d) => `  ${d}\n`).join("")}`);
  }
  return code;
}
