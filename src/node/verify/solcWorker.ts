/**
 * The compiler's process (`solcCompile.ts`): loads solc-js (the `solc` package: the Solidity
 * compiler built to JavaScript and WebAssembly) at its first job and keeps it, refuses a job
 * whose version is not the one it has, and compiles each standard-JSON input with no import
 * callback (every source comes in the input). Runs in a child process, not a thread, so that
 * a slow or huge compilation cannot stall the node and can be stopped safely: the owner
 * kills it (SIGKILL) at its time limit. `Worker.terminate()` in the middle of WebAssembly or
 * native code could abort the whole node or hang it in `node::FreeEnvironment` (dd59cf0).
 */
import { createRequire } from "node:module";

export interface SolcJob {
  /** The standard-JSON input, as text. */
  input: string;
  /** The version asked for (`0.8.37`, `v0.8.37+commit.f401782d`), or undefined for this node's. */
  version?: string;
}

export type SolcAnswer =
  | { type: "compiled"; version: string; output: string }
  | { type: "unavailable"; message: string }
  | { type: "version"; have: string };

interface Solc {
  version(): string;
  compile(input: string): string;
}

/** Whether `wanted` names `have` (solc-js's `0.8.37+commit.f401782d.Emscripten.clang`). */
export function sameVersion(wanted: string, have: string): boolean {
  const w = wanted.trim().replace(/^v/, "");
  const full = have.replace(/\.Emscripten\.clang$/, "");
  return w === full || w === full.split("+")[0];
}

let loaded: Solc | undefined;

function answer(job: SolcJob): SolcAnswer {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("solc") as Solc;
    } catch (error) {
      return { type: "unavailable", message: error instanceof Error ? error.message : String(error) };
    }
  }
  const have = loaded.version();
  if (job.version !== undefined && !sameVersion(job.version, have)) return { type: "version", have };
  return { type: "compiled", version: have, output: loaded.compile(job.input) };
}

/** The argument the owner forks this module with (`solcCompile.ts`). */
export const SOLC_CHILD_ARG = "--weft-solc-compiler";

// One job at a time: the process stays for the next while its owner keeps it, and ends
// when its owner goes (the IPC channel closes).
if (process.send !== undefined && process.argv.includes(SOLC_CHILD_ARG)) {
  process.on("message", (job: SolcJob) => process.send?.(answer(job)));
  process.on("disconnect", () => process.exit(0));
}
