/**
 * What this machine can give a parallel engine at all, measured with the sequential
 * executor alone (no engine code involved), for the engine benchmark's report:
 *
 * - the threads ceiling: two independent sequential runs on two threads of one process,
 *   against one alone (they share the cores, the caches and V8's helper threads);
 * - the cores a single sequential run already keeps busy: V8 collects garbage and
 *   compiles on helper threads, so "sequential" is more than one core of work. With `c`
 *   cores and a sequential run using `s` of them, no executor can beat sequential by
 *   more than `c / s` without doing less work than it.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { median } from "./report.js";

export interface MachineCeiling {
  /** Throughput of two independent sequential runs at once, relative to one alone (median ratio). */
  twoThreads: number;
  /** CPU time over wall time of one sequential run on an otherwise idle process (median). */
  sequentialCores: number;
  /** `cores / sequentialCores`: the most any executor can gain over sequential here. */
  bound: number;
  cores: number;
}

const WORKLOAD = { accounts: 10_000, block: 10_000 };

/** A thread that builds the token-transfer workload once, then runs it sequentially on request. */
function sequentialThread(benchDir: string): Worker {
  const script = `
    const { parentPort } = require("node:worker_threads");
    let run;
    parentPort.on("message", async () => {
      if (run === undefined) {
        const { tokenTransfers, BENCH_BLOCK } = await import(${JSON.stringify(`${benchDir}/workloads.js`)});
        const { executeSequential } = await import(${JSON.stringify(`${benchDir}/../src/engine/sequential.js`)});
        const { createChainExecutor } = await import(${JSON.stringify(`${benchDir}/../src/chain/executeTransaction.js`)});
        const w = tokenTransfers(${WORKLOAD.accounts}, ${WORKLOAD.block}, 7);
        run = () => executeSequential(createChainExecutor(BENCH_BLOCK), w.pre, w.txs);
        run();
        run();
        parentPort.postMessage({ wallMs: 0, cpuMs: 0 });
        return;
      }
      const cpu = process.cpuUsage();
      const t = performance.now();
      run();
      const wallMs = performance.now() - t;
      const used = process.cpuUsage(cpu);
      parentPort.postMessage({ wallMs, cpuMs: (used.user + used.system) / 1000 });
    });`;
  return new Worker(script, { eval: true });
}

interface Run {
  wallMs: number;
  cpuMs: number;
}

function ask(worker: Worker): Promise<Run> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    worker.once("error", fail);
    worker.once("message", (run: Run) => {
      worker.off("error", fail);
      resolve(run);
    });
    worker.postMessage(0);
  });
}

/** Interleaves `rounds` runs alone and `rounds` pairs of runs at once (the process must be otherwise idle). */
export async function measureCeiling(rounds = 5): Promise<MachineCeiling> {
  const benchDir = new URL("..", import.meta.url).href.replace(/\/$/, "");
  const a = sequentialThread(benchDir);
  const b = sequentialThread(benchDir);
  try {
    await Promise.all([ask(a), ask(b)]);
    const alone: Run[] = [];
    const pairs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      alone.push(await ask(a));
      const [x, y] = await Promise.all([ask(a), ask(b)]);
      pairs.push(Math.max(x.wallMs, y.wallMs));
    }
    const cores = availableParallelism();
    const aloneMs = median(alone.map((r) => r.wallMs));
    const sequentialCores = median(alone.map((r) => r.cpuMs / r.wallMs));
    return {
      twoThreads: (2 * aloneMs) / median(pairs),
      sequentialCores,
      bound: cores / sequentialCores,
      cores,
    };
  } finally {
    await Promise.all([a.terminate(), b.terminate()]);
  }
}
