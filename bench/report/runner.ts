/**
 * Running the benchmark programs for the report: each compiled program as a child
 * process from the repository root, its output passed through with the benchmark's name
 * and elapsed time, a heartbeat while it is silent, and a record of how it went.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RunRecord } from "./build.js";

export interface BenchmarkSpec {
  name: string;
  /** The compiled program, relative to the repository root. */
  script: string;
  args: string[];
  /** Result files to keep under another name once it ends (e.g. a second run of the same program). */
  copies?: Array<[from: string, to: string]>;
}

/** The benchmarks the report runs, in order. */
export function benchmarkPlan(quick: boolean): BenchmarkSpec[] {
  const runs = quick ? ["--runs", "3"] : [];
  return [
    {
      name: "sequential (100 accounts)",
      script: "dist/bench/sequential.js",
      args: ["--accounts", "100", ...runs],
      copies: [["bench/results/sequential.json", "bench/results/sequential-100.json"]],
    },
    { name: "sequential", script: "dist/bench/sequential.js", args: [...runs] },
    { name: "engine", script: "dist/bench/engine.js", args: quick ? ["--quick"] : [] },
    { name: "signatures", script: "dist/bench/signatures.js", args: [] },
    { name: "merkle", script: "dist/bench/merkle.js", args: ["--quick"] },
    { name: "mempool", script: "dist/bench/mempool.js", args: [] },
    { name: "evm", script: "dist/bench/evm/run.js", args: quick ? ["--quick"] : [] },
  ];
}

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

const HEARTBEAT_MS = 15_000;

/** Runs one benchmark; resolves with its record (never rejects: a failure is recorded). */
export function runBenchmark(
  spec: BenchmarkSpec,
  root: string,
  index: number,
  total: number,
  reportStart: number,
): Promise<RunRecord> {
  const command = ["node", spec.script, ...spec.args].join(" ");
  if (!existsSync(join(root, spec.script))) {
    console.log(`[${index}/${total}] ${spec.name}: ${spec.script} is missing (run npm run build)`);
    return Promise.resolve({ name: spec.name, command, ms: 0, status: "failed", exitCode: null });
  }
  console.log(
    `\n[${index}/${total}] ${spec.name}: ${command}   (report running for ${clock(Date.now() - reportStart)})`,
  );
  const started = Date.now();
  const child = spawn(process.execPath, [spec.script, ...spec.args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let lastOutput = Date.now();
  const prefix = () => `  [${spec.name} ${clock(Date.now() - started)}]`;
  const pass = (stream: NodeJS.ReadableStream, err: boolean) =>
    createInterface({ input: stream }).on("line", (line) => {
      lastOutput = Date.now();
      (err ? console.error : console.log)(`${prefix()} ${line}`);
    });
  pass(child.stdout as NodeJS.ReadableStream, false);
  pass(child.stderr as NodeJS.ReadableStream, true);
  const heartbeat = setInterval(() => {
    if (Date.now() - lastOutput >= HEARTBEAT_MS) {
      console.log(`${prefix()} … still running`);
      lastOutput = Date.now();
    }
  }, 1_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearInterval(heartbeat);
      const ms = Date.now() - started;
      const ok = code === 0;
      if (ok)
        for (const [from, to] of spec.copies ?? []) {
          if (existsSync(join(root, from))) copyFileSync(join(root, from), join(root, to));
        }
      console.log(
        `${ok ? "✓" : "✗"} ${spec.name} ${ok ? "done" : `failed (exit ${code})`} in ${clock(ms)}; total ${clock(Date.now() - reportStart)}`,
      );
      resolve({ name: spec.name, command, ms, status: ok ? "ok" : "failed", exitCode: code });
    });
  });
}
