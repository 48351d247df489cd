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
 * Writes bench/results/compare.json and bench/results/compare-*.svg.
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs } from "./lib/args.js";
import { buildRevision, defaultCacheDir, resolveRevision } from "./lib/compareBuild.js";
import {
  COMPARE_WORKLOADS,
  type CompareWorkload,
  DEFAULT_COMPARE_WORKLOADS,
  type Digest,
  type EngineStats,
  type RunnerReply,
  type RunnerRequest,
} from "./lib/compareRunner.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

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
const EXECUTORS = ["sequential", "parallel"] as const;
/** Short blocks get more rounds, up to this many, about MIN_MEASURED_MS of work per build. */
const MAX_ROUNDS = 30;
const MIN_MEASURED_MS = 400;

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const runnerPath = fileURLToPath(new URL("./lib/compareRunner.js", import.meta.url));

/** One build in its runner process, answering one request at a time. */
class Side {
  private readonly child: ChildProcess;
  private waiting: ((reply: RunnerReply) => void) | undefined;
  readonly ready: Promise<RunnerReply>;
  /** Settles when the process has exited (its memory is free for the next set). */
  readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    root: string,
  ) {
    this.child = fork(runnerPath, [root], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (reply: RunnerReply) => {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve?.(reply);
    });
    this.exited = new Promise((done) => {
      this.child.on("exit", (code) => {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve?.({ ok: false, error: `runner for ${label} exited with code ${code}` });
        done();
      });
    });
    this.ready = new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async request(
    request: RunnerRequest,
  ): Promise<{ txs?: number; ms?: number; cpuMs?: number; digest?: Digest; stats?: EngineStats }> {
    const reply = await new Promise<RunnerReply>((resolve) => {
      this.waiting = resolve;
      this.child.send(request);
    });
    if (!reply.ok) throw new Error(`${this.label}: ${reply.error}`);
    return reply;
  }

  close(): Promise<void> {
    if (this.child.connected) this.child.send({ op: "close" } satisfies RunnerRequest);
    else if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    return this.exited;
  }
}

interface Cell {
  workload: CompareWorkload;
  executor: string;
  build: string;
  medianUsPerTx: number;
  /** Median CPU time per transaction (all threads of the build's process). */
  cpuUsPerTx: number;
  tps: number;
  gasPerTx: number;
  /** Rounds in all processes together. */
  rounds: number;
  /** Per process: its median µs and CPU µs per transaction (their spread is the process's luck). */
  perProcess: Array<{ usPerTx: number; cpuUsPerTx: number }>;
  digest: Digest;
  /** Parallel runs: the modes seen and median engine counts per transaction over the rounds. */
  engine?: { modes: string[]; reExecutions: number; aborts: number; waits: number };
}

function headLabel(): string {
  const head = execFileSync("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"], {
    encoding: "utf8",
  }).trim();
  const dirty = execFileSync("git", ["-C", repoRoot, "status", "--porcelain", "--untracked-files=no"], {
    encoding: "utf8",
  }).trim();
  return `this build (${head}${dirty === "" ? "" : "+changes"})`;
}

/** One process's rounds of one workload, keyed by `build/executor`. */
interface Samples {
  rounds: number;
  digests: Map<string, Digest>;
  times: Map<string, number[]>;
  cpuTimes: Map<string, number[]>;
  engineStats: Map<string, EngineStats[]>;
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

/** Cells of one workload: medians over every round of every process of each build. */
function cellsOf(workload: CompareWorkload, labels: string[], sets: Samples[]): Cell[] {
  const cells: Cell[] = [];
  for (const executor of EXECUTORS) {
    for (const label of labels) {
      const key = `${label}/${executor}`;
      const digest = (sets[0] as Samples).digests.get(key) as Digest;
      const all = (pick: (s: Samples) => Map<string, number[]>) =>
        sets.flatMap((s) => pick(s).get(key) ?? []);
      const ms = median(all((s) => s.times));
      const stats = sets.flatMap((s) => s.engineStats.get(key) ?? []);
      const perTx = (f: (s: EngineStats) => number) => median(stats.map((s) => f(s) / digest.txs));
      cells.push({
        ...(stats.length === 0
          ? {}
          : {
              engine: {
                modes: [...new Set(stats.map((s) => s.mode))],
                reExecutions: perTx((s) => s.executions - digest.txs),
                aborts: perTx((s) => s.validationAborts),
                waits: perTx((s) => s.dependencyWaits),
              },
            }),
        workload,
        executor: executor === "sequential" ? "sequential" : `parallel-${workers}`,
        build: label,
        medianUsPerTx: (ms * 1000) / digest.txs,
        cpuUsPerTx: (median(all((s) => s.cpuTimes)) * 1000) / digest.txs,
        tps: (digest.txs / ms) * 1000,
        gasPerTx: digest.gas / digest.txs,
        rounds: sets.reduce((sum, s) => sum + s.rounds, 0),
        perProcess: sets.map((s) => ({
          usPerTx: (median(s.times.get(key) ?? []) * 1000) / digest.txs,
          cpuUsPerTx: (median(s.cpuTimes.get(key) ?? []) * 1000) / digest.txs,
        })),
        digest,
      });
    }
  }
  return cells;
}

/** Builds whose processes did not all compute the same receipts and writes (per executor). */
function processesDiffer(labels: string[], sets: Samples[]): string[] {
  return labels.filter((label) =>
    EXECUTORS.some(
      (executor) =>
        new Set(sets.map((s) => (s.digests.get(`${label}/${executor}`) as Digest).full)).size !== 1,
    ),
  );
}

interface Agreement {
  /** Per base: whether its statuses and outputs, and its event data, equal this build's. */
  bases: Array<{ build: string; outputs: boolean; eventData: boolean }>;
  /** Builds whose parallel result (whole receipts, write set) differs from their sequential one. */
  parallelDiffers: string[];
  /** Builds whose processes computed different results for the same blocks. */
  processesDiffer: string[];
}

/**
 * Whether each base computed what this build computed, and parallel equals sequential
 * within each build. Event data is told apart from outputs: a pair orders its two tokens
 * by address and addresses follow code hashes, so the same amounts can appear in another
 * order in a pair's events when the token code differs.
 */
function agreement(cells: Cell[], head: string, sets: Samples[]): Agreement {
  const sequential = (build: string) =>
    cells.find((c) => c.build === build && c.executor === "sequential") as Cell;
  const ours = sequential(head).digest;
  const builds = [...new Set(cells.map((c) => c.build))];
  return {
    bases: builds
      .filter((b) => b !== head)
      .map((build) => {
        const theirs = sequential(build).digest;
        return {
          build,
          outputs: theirs.outputs === ours.outputs,
          eventData: theirs.results === ours.results,
        };
      }),
    parallelDiffers: builds.filter((build) =>
      sets.some(
        (set) =>
          new Set(EXECUTORS.map((executor) => (set.digests.get(`${build}/${executor}`) as Digest).full))
            .size !== 1,
      ),
    ),
    processesDiffer: processesDiffer(builds, sets),
  };
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
    const measured = cellsOf(workload, labels, sets);
    cells.push(...measured);
    checks[workload] = agreement(measured, head, sets);
  }

  const baseLabels = labels.slice(0, -1);
  console.log(
    `\nmedian µs per transaction (TPS); speedup = base time / this build's time, same run; CPU: median CPU time per transaction of each build's processes (all threads)`,
  );
  const rows: Array<Array<string | number>> = [];
  for (const workload of workloads) {
    for (const executor of [...new Set(cells.map((c) => c.executor))]) {
      const mine = cells.filter((c) => c.workload === workload && c.executor === executor);
      const ours = mine.find((c) => c.build === head) as Cell;
      const row: Array<string | number> = [workload, executor];
      for (const c of mine) row.push(`${c.medianUsPerTx.toFixed(1)} (${Math.round(c.tps)})`);
      for (const label of baseLabels) {
        const base = mine.find((c) => c.build === label) as Cell;
        row.push(`${(base.medianUsPerTx / ours.medianUsPerTx).toFixed(2)}x`);
      }
      row.push(mine.map((c) => c.cpuUsPerTx.toFixed(1)).join(" / "));
      for (const label of baseLabels) {
        const base = mine.find((c) => c.build === label) as Cell;
        row.push(`${(base.cpuUsPerTx / ours.cpuUsPerTx).toFixed(2)}x`);
      }
      row.push(mine.map((c) => Math.round(c.gasPerTx)).join(" / "));
      rows.push(row);
    }
  }
  printTable(
    [
      "workload",
      "executor",
      ...labels,
      ...baseLabels.map((l) => `vs ${l.split(" ")[0]}`),
      "CPU µs/tx (same order)",
      ...baseLabels.map((l) => `CPU vs ${l.split(" ")[0]}`),
      "gas/tx (same order)",
    ],
    rows,
  );
  console.log(
    `\nprocess luck: min-max of the ${processes} per-process medians, µs per transaction and CPU µs per transaction (max/min - 1 in brackets)`,
  );
  const spread = (values: number[]) => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return `${lo.toFixed(1)}-${hi.toFixed(1)} (${lo > 0 ? Math.round((hi / lo - 1) * 100) : 0}%)`;
  };
  printTable(
    ["workload", "executor", "build", "µs/tx per process", "CPU µs/tx per process"],
    cells.map((c) => [
      c.workload,
      c.executor,
      c.build,
      spread(c.perProcess.map((p) => p.usPerTx)),
      spread(c.perProcess.map((p) => p.cpuUsPerTx)),
    ]),
  );
  const engineRows = cells
    .filter((c) => c.engine !== undefined)
    .map((c) => {
      const e = c.engine as NonNullable<Cell["engine"]>;
      return [
        c.workload,
        c.build,
        e.modes.join(","),
        e.reExecutions.toFixed(3),
        e.aborts.toFixed(3),
        e.waits.toFixed(3),
      ];
    });
  if (engineRows.length > 0) {
    console.log(
      `\nparallel-${workers} engine per transaction (medians over the rounds)${noContention ? ", contention rule off" : ""}`,
    );
    printTable(["workload", "build", "mode", "re-exec/tx", "aborts/tx", "waits/tx"], engineRows);
  }
  console.log(
    "\nresults against this build: statuses and outputs; event data (a pair's events list its tokens in address order, which follows code hashes)",
  );
  for (const [workload, check] of Object.entries(checks)) {
    const bases = check.bases.map(
      (b) =>
        `${b.build.split(" ")[0]}: outputs ${b.outputs ? "identical" : "DIFFER"}, event data ${b.eventData ? "identical" : "differs"}`,
    );
    const par =
      check.parallelDiffers.length === 0
        ? "parallel == sequential in every build"
        : `PARALLEL DIFFERS FROM SEQUENTIAL in ${check.parallelDiffers.join(", ")}`;
    const luck =
      check.processesDiffer.length === 0
        ? `every build's ${processes} processes computed the same`
        : `PROCESSES COMPUTED DIFFERENT RESULTS in ${check.processesDiffer.join(", ")}`;
    console.log(`  ${workload}: ${bases.join("; ")}; ${par}; ${luck}`);
  }

  writeJson("bench/results/compare.json", {
    machine: machineInfo(),
    params: {
      bases: resolved,
      runs,
      processes,
      blockSize,
      accounts,
      workers,
      warmUpMs,
      workloads,
      noContention,
    },
    builds: labels,
    cells,
    checks,
  });
  for (const executor of [...new Set(cells.map((c) => c.executor))]) {
    const path = `bench/results/compare-${executor}.svg`;
    writeSvg(
      path,
      barChartSvg(
        `${executor}, blocks of ${blockSize}: throughput per build`,
        "tx/s",
        cells
          .filter((c) => c.executor === executor)
          .map((c) => ({ label: `${c.workload} ${c.build.split(" ")[0]}`, value: Math.round(c.tps) })),
      ),
    );
    console.log(`wrote ${path}`);
  }
}

await main();
