/**
 * `compare.ts`'s output: the tables it prints (times and speedups, each process's luck, the
 * parallel engine's counts, whether the results agree) and the files it writes
 * (bench/results/compare.json and a throughput chart per executor).
 */
import type { Agreement, Cell } from "./compareCells.js";
import type { CompareWorkload } from "./compareRunner.js";
import { barChartSvg, writeSvg } from "./plot.js";
import { machineInfo, printTable, writeJson } from "./report.js";

/** What a run was asked for, as compare.json records it. */
export interface CompareParams {
  bases: Array<{ revision: string; commit: string }>;
  runs: number;
  processes: number;
  blockSize: number;
  accounts: number;
  workers: number;
  warmUpMs: number;
  workloads: CompareWorkload[];
  noContention: boolean;
}

/** Prints the run's tables; `head` is this build's label, the last of `labels`. */
export function printReport(
  cells: Cell[],
  checks: Record<string, Agreement>,
  run: {
    labels: string[];
    head: string;
    workloads: CompareWorkload[];
    processes: number;
    workers: number;
    noContention: boolean;
  },
): void {
  const { labels, head, workloads, processes, workers, noContention } = run;
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
}

/** Writes bench/results/compare.json and bench/results/compare-<executor>.svg. */
export function writeResults(
  cells: Cell[],
  checks: Record<string, Agreement>,
  labels: string[],
  params: CompareParams,
): void {
  writeJson("bench/results/compare.json", {
    machine: machineInfo(),
    params,
    builds: labels,
    cells,
    checks,
  });
  for (const executor of [...new Set(cells.map((c) => c.executor))]) {
    const path = `bench/results/compare-${executor}.svg`;
    writeSvg(
      path,
      barChartSvg(
        `${executor}, blocks of ${params.blockSize}: throughput per build`,
        "tx/s",
        cells
          .filter((c) => c.executor === executor)
          .map((c) => ({ label: `${c.workload} ${c.build.split(" ")[0]}`, value: Math.round(c.tps) })),
      ),
    );
    console.log(`wrote ${path}`);
  }
}
