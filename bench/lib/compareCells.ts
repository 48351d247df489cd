/**
 * What `compare.ts` makes of its samples: per workload, executor and build the medians over
 * every round of every process (`cellsOf`), and whether the builds, the executors and the
 * processes computed the same (`agreement`).
 */
import type { CompareWorkload, Digest, EngineStats } from "./compareRunner.js";
import { median } from "./report.js";

export const EXECUTORS = ["sequential", "parallel"] as const;

export interface Cell {
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

/** One process's rounds of one workload, keyed by `build/executor`. */
export interface Samples {
  rounds: number;
  digests: Map<string, Digest>;
  times: Map<string, number[]>;
  cpuTimes: Map<string, number[]>;
  engineStats: Map<string, EngineStats[]>;
}

/** Cells of one workload: medians over every round of every process of each build. */
export function cellsOf(
  workload: CompareWorkload,
  labels: string[],
  sets: Samples[],
  workers: number,
): Cell[] {
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

export interface Agreement {
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
export function agreement(cells: Cell[], head: string, sets: Samples[]): Agreement {
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
