/**
 * This build against earlier revisions, on the same workloads, interleaved in one run.
 *
 *   node dist/bench/compare.js --base b157a5a [--base f7ffcd7] [--quick] [--runs 5]
 *                              [--block 2000] [--accounts 1000] [--workers 2] [--warm-up-ms 4000]
 *                              [--workloads token-transfer,amm-swap,...] [--cache /tmp/weft-compare]
 *                              [--no-contention] [--processes 3]
 *
 * Each base revision is built once in a temporary directory (`lib/compareBuild.ts`,
 * cached by commit hash). Every build then runs in its own child process
 * (`lib/compareRunner.ts`, which drives a build only through what every revision has,
 * never through its bench program's options), and does so `--processes` times, one set of
 * processes after another (a process's luck, its heap layout and JIT decisions, can move
 * its times by a quarter; rounds within one process do not average that out): token transfers, AMM swaps through the
 * router over 10 pools, lending, staking and the DeFi mix, each sequentially and on the
 * parallel engine with `--workers` workers. Blocks run one at a time, the builds in turn
 * (A B A B …), so machine noise falls on every build alike. Per workload and executor,
 * medians over all of a build's rounds in all its processes: µs per transaction of each build, this build's speedup over each base, gas per
 * transaction, median CPU µs per transaction (every thread of the build's process during
 * the block: its cost, less disturbed than wall time on a busy machine), and whether each base's receipts have the same statuses, outputs and event
 * data (the amounts the contracts computed) as this build's, and parallel equals
 * sequential (whole receipts and write set) within each build, and every process of a build
 * computed the same. It prints the spread (min-max) of the per-process medians too.
 * For the parallel runs it also prints the engine's statistics per build (mode, re-executions,
 * validation aborts and dependency waits per transaction, medians over the rounds): with
 * `--no-contention` the contention rule is off, so that a block full of conflicts still runs
 * in parallel and shows them (`nft-sale` and `farm` before and after commutative credits).
 * Writes bench/results/compare.json and bench/results/compare-*.svg. Parts: the runner
 * processes (`lib/compareSide.ts`), medians and agreement (`lib/compareCells.ts`), the tables
 * and files (`lib/compareReport.ts`).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs } from "./lib/args.js";
import { buildRevision, defaultCacheDir, resolveRevision } from "./lib/compareBuild.js";
import {
  type Agreement,
  agreement,
  type Cell,
  cellsOf,
  EXECUTORS,
  type Samples,
} from "./lib/compareCells.js";
import { printReport, writeResults } from "./lib/compareReport.js";
import {
  COMPARE_WORKLOADS,
  type CompareWorkload,
  DEFAULT_COMPARE_WORKLOADS,
  type Digest,
  type EngineStats,
} from "./lib/compareRunner.js";
import { Side } from "./lib/compareSide.js";

const USAGE =
  "node dist/bench/compare.js --base <revision> [--base <revision>...] [--quick] [--runs 5] [--block 2000] [--accounts 1000] [--workers 2] [--workloads token-transfer,amm-swap,lending,staking,defi-mix,native-transfer,nft-sale,farm] [--warm-up-ms 4000] [--cache <dir>] [--no-contention] [--processes 3]";
const args = benchArgs(USAGE, {
  options: {
    base: { type: "string", multiple: true },
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    block: { type: "string" },
    accounts: { type: "string" },
    workers: { type: "string" },
    workloads: { type: "string" },
    "warm-up-ms": { type: "string" },
    cache: { type: "string" },
    "no-contention": { type: "boolean", default: false },
    processes: { type: "string" },
  },
});
const bases = (args.base ?? []).flatMap((b) => b.split(",")).filter((b) => b !== "");
if (bases.length === 0) {
  console.error(`give at least one --base revision\nusage: ${USAGE}`);
  process.exit(2);
}
const quick = args.quick ?? false;
const runs = Number(args.runs ?? (quick ? 3 : 5));
const blockSize = Number(args.block ?? (quick ? 500 : 2000));
const accounts = Number(args.accounts ?? 1000);
const workers = Number(args.workers ?? 2);
const processes = Number(args.processes ?? 3);
const noContention = args["no-contention"] ?? false;
const warmUpMs = Number(args["warm-up-ms"] ?? (quick ? 1500 : 4000));
const chosen = (args.workloads ?? DEFAULT_COMPARE_WORKLOADS.join(",")).split(",");
for (const name of chosen) {
  if (!(COMPARE_WORKLOADS as readonly string[]).includes(name)) {
    console.error(`unknown workload "${name}": one of ${COMPARE_WORKLOADS.join(", ")}\nusage: ${USAGE}`);
    process.exit(2);
  }
}
for (const [name, value] of [
  ["runs", runs],
  ["block", blockSize],
  ["accounts", accounts],
  ["workers", workers],
  ["processes", processes],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got ${value}\nusage: ${USAGE}`);
    process.exit(2);
  }
}
if (!Number.isInteger(warmUpMs) || warmUpMs < 0) {
  console.error(`--warm-up-ms must be a whole number of milliseconds, got ${warmUpMs}\nusage: ${USAGE}`);
  process.exit(2);
}
const workloads = chosen as CompareWorkload[];
/** Short blocks get more rounds, up to this many, about MIN_MEASURED_MS of work per build. */
const MAX_ROUNDS = 30;
const MIN_MEASURED_MS = 400;

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

function headLabel(): string {
  const head = execFileSync("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"], {
    encoding: "utf8",
  }).trim();
  const dirty = execFileSync("git", ["-C", repoRoot, "status", "--porcelain", "--untracked-files=no"], {
    encoding: "utf8",
  }).trim();
  return `this build (${head}${dirty === "" ? "" : "+changes"})`;
}

async function measure(sides: Side[], workload: CompareWorkload, set: number): Promise<Samples> {
  const started = performance.now();
  for (const side of sides)
    await side.request({ op: "setup", workload, block: blockSize, accounts, workers, noContention });
  // Warm-up rounds (module caches, the workers' replicas, and V8 tiering the contracts'
  // wasm up to optimised code in the background, which takes seconds of running) until
  // every build has run WARM_UP_MS; the last one sets the round count.
  const digests = new Map<string, Digest>();
  const spent = new Map<string, number>();
  let warmMs = 0;
  for (let round = 0; round < 2 || Math.min(...spent.values()) < warmUpMs; round++) {
    warmMs = 0;
    for (const executor of EXECUTORS) {
      for (const side of sides) {
        const r = await side.request({ op: "run", executor });
        digests.set(`${side.label}/${executor}`, r.digest as Digest);
        spent.set(side.label, (spent.get(side.label) ?? 0) + (r.ms ?? 0));
        if (executor === "sequential") warmMs = Math.max(warmMs, r.ms ?? 0);
      }
    }
  }
  const rounds = Math.min(MAX_ROUNDS, Math.max(runs, Math.ceil(MIN_MEASURED_MS / Math.max(warmMs, 0.1))));
  const times = new Map<string, number[]>();
  const cpuTimes = new Map<string, number[]>();
  const engineStats = new Map<string, EngineStats[]>();
  for (let round = 0; round < rounds; round++) {
    for (const executor of EXECUTORS) {
      for (const side of sides) {
        const r = await side.request({ op: "run", executor });
        const key = `${side.label}/${executor}`;
        times.set(key, [...(times.get(key) ?? []), r.ms ?? 0]);
        cpuTimes.set(key, [...(cpuTimes.get(key) ?? []), r.cpuMs ?? 0]);
        if (r.stats !== undefined) engineStats.set(key, [...(engineStats.get(key) ?? []), r.stats]);
      }
    }
  }
  console.log(
    `  ${workload}, process set ${set + 1}/${processes}: ${rounds} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { rounds, digests, times, cpuTimes, engineStats };
}

async function main(): Promise<void> {
  const cacheDir = args.cache ?? defaultCacheDir();
  const resolved = bases.map((b) => ({ revision: b, commit: resolveRevision(repoRoot, b) }));
  const builds: Array<{ label: string; root: string }> = [];
  for (const { revision, commit } of resolved) {
    const root = buildRevision(repoRoot, commit, cacheDir, (line) => console.log(line));
    const short = commit.slice(0, 7);
    builds.push({ label: commit.startsWith(revision) ? short : `${revision} (${short})`, root });
  }
  const head = headLabel();
  builds.push({ label: head, root: repoRoot });
  const labels = builds.map((b) => b.label);
  console.log(
    `compare: ${labels.join(" vs ")}; blocks of ${blockSize}; token accounts ${accounts}; sequential and parallel-${workers}; median of at least ${runs} interleaved rounds in each of ${processes} processes per build`,
  );
  const samples = new Map<CompareWorkload, Samples[]>(workloads.map((w) => [w, []]));
  // One set of processes (one per build) at a time, so memory holds only one set.
  for (let p = 0; p < processes; p++) {
    const sides = builds.map((b) => new Side(b.label, b.root));
    try {
      for (const side of sides) {
        const reply = await side.ready;
        if (!reply.ok) throw new Error(`${side.label}: ${reply.error}`);
      }
      for (const workload of workloads)
        (samples.get(workload) as Samples[]).push(await measure(sides, workload, p));
    } finally {
      await Promise.all(sides.map((side) => side.close()));
    }
  }
  const cells: Cell[] = [];
  const checks: Record<string, Agreement> = {};
  for (const workload of workloads) {
    const sets = samples.get(workload) as Samples[];
    const measured = cellsOf(workload, labels, sets, workers);
    cells.push(...measured);
    checks[workload] = agreement(measured, head, sets);
  }

  printReport(cells, checks, { labels, head, workloads, processes, workers, noContention });
  writeResults(cells, checks, labels, {
    bases: resolved,
    runs,
    processes,
    blockSize,
    accounts,
    workers,
    warmUpMs,
    workloads,
    noContention,
  });
}

await main();
