/**
 * The compiler's thread (`solcCompile.ts`): loads solc-js (the `solc` package: the Solidity
 * compiler built to JavaScript) at its first job and keeps it, refuses a job whose version is
 * not the one it has, and compiles each standard-JSON input with no import callback (every
 * source comes in the input). Runs on its own thread so that a slow or huge compilation
 * cannot stall the node: the owner terminates it at its time limit.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

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

// One job at a time: the thread stays for the next while its owner keeps it (`solcCompile.ts`).
if (parentPort !== null && (workerData as { solcWorker?: boolean } | null)?.solcWorker === true) {
  const port = parentPort;
  port.on("message", (job: SolcJob) => port.postMessage(answer(job)));
}
