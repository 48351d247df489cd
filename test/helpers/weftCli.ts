/**
 * The `weft` CLI run as a child process, awaited rather than run with `spawnSync`.
 *
 * A test that talks to a node over HTTP keeps idle keep-alive connections in fetch's pool.
 * `spawnSync` blocks the test's event loop for as long as the CLI runs (seconds on a loaded
 * machine): the pool cannot expire its idle connections meanwhile, and the next request may
 * go out on one the node is closing at that moment ("fetch failed: other side closed", seen
 * in verifyContract.test.ts). Awaiting the child keeps the loop running; the node also
 * advertises a keep-alive time 2 s under the one it enforces (`src/node/rpc/server.ts`).
 */
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The CLI's entry point, compiled. */
export const WEFT_CLI = fileURLToPath(new URL("../../src/cli/weft.js", import.meta.url));

export interface CliResult {
  /** Exit code (null if a signal ended it). */
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `node weft.js ...args` and resolves with its exit code and output.
 * @example const { code, out } = await runWeft(["--rpc", node.url, "--json", "call", token, "total"]);
 */
export function runWeft(args: readonly string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEFT_CLI, ...args], {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

/** What `weftSync` returns: the exit code, the output, and stdout read as JSON. */
export interface SyncCliResult {
  code: number | null;
  out: string;
  err: string;
  json: <T = Record<string, unknown>>() => T;
}

/**
 * Runs `node weft.js --rpc <url> --keystore <dir>/keys ...args` in `dir`, synchronously: the
 * CLI as the command-line tests drive it against their node (see `runWeft` for when to await).
 */
export function weftSync(url: string, dir: string, args: readonly string[]): SyncCliResult {
  const r = spawnSync(process.execPath, [WEFT_CLI, "--rpc", url, "--keystore", join(dir, "keys"), ...args], {
    encoding: "utf8",
    cwd: dir,
  });
  return {
    code: r.status,
    out: r.stdout,
    err: r.stderr,
    json: <T = Record<string, unknown>>() => JSON.parse(r.stdout) as T,
  };
}

/**
 * Runs `node weft.js ...args` synchronously in `cwd` (undefined: this process's), for commands
 * that need no node (keys, genesis): node's `spawnSync` result, `status`, `stdout` and `stderr`.
 */
export function weftLocal(cwd: string | undefined, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [WEFT_CLI, ...args], {
    encoding: "utf8",
    ...(cwd === undefined ? {} : { cwd }),
  });
}

/** The arguments of `weft genesis new --out <out> --chain-id <chainId>`, then `rest`. */
export function genesisNewArgs(out: string, chainId: number, ...rest: string[]): string[] {
  return ["genesis", "new", "--out", out, "--chain-id", String(chainId), ...rest];
}
