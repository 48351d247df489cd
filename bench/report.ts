/**
 * One command for every engine benchmark and a report of them all.
 *
 *   node dist/bench/report.js [--quick] [--skip-run] [--only sequential,evm,...]
 *
 * Runs the compiled benchmark programs one after another as child processes (sequential
 * over 100 and 10,000 accounts, engine, signatures, merkle --quick, mempool, and the
 * @ethereumjs/vm comparison in bench/evm), showing which one runs and for how long, then
 * reads their JSON from bench/results/ and writes bench/results/report.md (plots linked)
 * and bench/results/report.html (plots inlined). `--quick` passes --quick to the engine
 * and EVM programs and 3 runs to the sequential one; `--skip-run` only rebuilds the
 * report from the results already there; `--only` runs the named benchmarks.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs } from "./lib/args.js";
import { machineInfo } from "./lib/report.js";
import { type RunRecord, writeReport } from "./report/build.js";
import { benchmarkPlan, clock, runBenchmark } from "./report/runner.js";

const args = benchArgs("node dist/bench/report.js [--quick] [--skip-run] [--only sequential,evm,...]", {
  options: {
    quick: { type: "boolean", default: false },
    "skip-run": { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const quick = args.quick === true;
const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = join(root, "bench", "results");
mkdirSync(dir, { recursive: true });

const startedAt = new Date();
const only = args.only?.split(",").map((s) => s.trim());
const plan = benchmarkPlan(quick).filter(
  (b) => only === undefined || only.some((name) => b.name === name || b.name.startsWith(`${name} `)),
);
const runs: RunRecord[] = [];
if (args["skip-run"] !== true) {
  console.log(
    `benchmark report${quick ? " (quick)" : ""}: ${plan.length} benchmarks: ${plan.map((b) => b.name).join(", ")}`,
  );
  for (const [i, spec] of plan.entries())
    runs.push(await runBenchmark(spec, root, i + 1, plan.length, startedAt.getTime()));
}
const command = `node dist/bench/report.js${process.argv.slice(2).length > 0 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const written = writeReport({
  dir,
  machine: machineInfo(),
  runs,
  startedAt,
  command,
  ...(args["skip-run"] === true ? {} : { quick }),
});
console.log(`\nwrote ${written.markdown}\nwrote ${written.html}`);
const failed = runs.filter((r) => r.status === "failed");
console.log(
  `report done in ${clock(Date.now() - startedAt.getTime())}${failed.length > 0 ? `; failed: ${failed.map((r) => r.name).join(", ")}` : ""}`,
);
if (failed.length > 0) process.exitCode = 1;
