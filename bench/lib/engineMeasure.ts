/**
 * What bench/engine.ts measures: one workload on the sequential executor and on each engine
 * side by side (median time and CPU per transaction, speedup, re-executions, aborts, whether
 * the result equals sequential's), and the small-block crossover.
 */
import type { BlockContext } from "../../src/chain/blockContext.js";
import { createChainExecutor } from "../../src/chain/executeTransaction.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { ParallelEngine } from "../../src/engine/parallel/index.js";
import { executeSequential } from "../../src/engine/sequential.js";
import { BENCH_BLOCK, tokenTransfers, type Workload } from "../workloads.js";
import { median } from "./report.js";
import { sameResult } from "./sameResult.js";

export type Engine = ParallelEngine<Transaction, Receipt, BlockContext>;

export interface Cell {
  workload: string;
  accounts: number;
  block: number;
  executor: string;
  medianMs: number;
  /** Median CPU time per transaction, all threads of the process. */
  cpuUsPerTx: number;
  tps: number;
  speedup: number;
  reexecPerTx: number;
  abortsPerTx: number;
  /** How the engine ran the last measured block (parallel, or sequential by a rule). */
  mode: string;
  /** Whether the executor's result (receipts and write set) equals the sequential one (warm-up round). */
  sameAsSequential: boolean;
}

/** Most measured rounds of a workload. */
const MAX_ROUNDS = 40;
/** About this much sequential work per workload: blocks of a few ms get more rounds. */
export const MIN_MEASURED_MS = 400;

/**
 * One workload on the sequential executor and on each engine, interleaved: a warm-up round
 * (which also compares each engine's result with the sequential one), then at least `runs`
 * measured rounds. One cell per executor.
 */
export async function measureWorkload(
  w: Workload,
  engines: Map<string, Engine>,
  runs: number,
): Promise<Cell[]> {
  const cells: Cell[] = [];
  const seqTimes: number[] = [];
  const seqCpu: number[] = [];
  const parTimes = new Map<string, number[]>();
  const parCpu = new Map<string, number[]>();
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const stats = new Map<string, { reexec: number; aborts: number; mode: string }>();
  const same = new Map<string, boolean>();
  const stores = new Map<string, Awaited<ReturnType<Engine["attach"]>>>();
  for (const [label, engine] of engines) stores.set(label, await engine.attach(w.pre));
  // One sequential executor for all rounds: its VM keeps its module cache warm, as each worker's does.
  const seqExecutor = createChainExecutor(BENCH_BLOCK);
  // Warm-up round (module caches, JIT), then at least `runs` measured rounds, executors
  // interleaved. Blocks that take a few milliseconds get more rounds (up to
  // MAX_ROUNDS, about MIN_MEASURED_MS of sequential work): one scavenge is a large part
  // of them, and a median of three would mostly measure where the pauses fell.
  let rounds = runs;
  for (let r = 0; r <= rounds; r++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const seqResult = executeSequential(seqExecutor, w.pre, w.txs);
    const seqMs = performance.now() - started;
    if (r > 0) seqCpu.push(cpuMs(cpu));
    if (r > 0) seqTimes.push(seqMs);
    else rounds = Math.min(MAX_ROUNDS, Math.max(runs, Math.ceil(MIN_MEASURED_MS / Math.max(seqMs, 0.1))));
    for (const [label, engine] of engines) {
      const store = stores.get(label);
      if (store === undefined) throw new Error("unattached engine");
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await engine.executeBlock(store, w.txs, BENCH_BLOCK);
      if (r === 0) {
        same.set(label, sameResult(result, seqResult));
        continue;
      }
      const list = parTimes.get(label) ?? [];
      list.push(performance.now() - t0);
      parTimes.set(label, list);
      parCpu.set(label, [...(parCpu.get(label) ?? []), cpuMs(c0)]);
      const s = engine.lastStats;
      if (s !== undefined && r === rounds) {
        stats.set(label, {
          reexec: (s.executions - s.txs) / s.txs,
          aborts: (s.validationAborts + s.dependencyWaits) / s.txs,
          mode: s.mode,
        });
      }
    }
  }
  const seqMs = median(seqTimes);
  const base = { workload: w.name, accounts: w.accounts, block: w.txs.length };
  cells.push({
    ...base,
    executor: "sequential",
    medianMs: seqMs,
    cpuUsPerTx: (median(seqCpu) * 1000) / w.txs.length,
    tps: (w.txs.length / seqMs) * 1000,
    speedup: 1,
    reexecPerTx: 0,
    abortsPerTx: 0,
    mode: "-",
    sameAsSequential: true,
  });
  for (const [label, times] of parTimes) {
    const ms = median(times);
    const s = stats.get(label) ?? { reexec: 0, aborts: 0, mode: "?" };
    cells.push({
      ...base,
      executor: label,
      medianMs: ms,
      cpuUsPerTx: (median(parCpu.get(label) ?? []) * 1000) / w.txs.length,
      tps: (w.txs.length / ms) * 1000,
      speedup: seqMs / ms,
      reexecPerTx: s.reexec,
      abortsPerTx: s.aborts,
      mode: s.mode,
      sameAsSequential: same.get(label) ?? false,
    });
  }
  return cells;
}

/** The engine's speedup over sequential on token-transfer blocks of 8 to 256 transactions (the crossover). */
export async function smallBlocks(engine: Engine): Promise<Array<{ txs: number; speedup: number }>> {
  const out: Array<{ txs: number; speedup: number }> = [];
  for (const size of [8, 16, 32, 64, 128, 256]) {
    const w = tokenTransfers(10_000, size, 3);
    const store = await engine.attach(w.pre);
    const seqExecutor = createChainExecutor(BENCH_BLOCK);
    const seq: number[] = [];
    const par: number[] = [];
    for (let r = 0; r < 15; r++) {
      let t = performance.now();
      executeSequential(seqExecutor, w.pre, w.txs);
      seq.push(performance.now() - t);
      t = performance.now();
      await engine.executeBlock(store, w.txs, BENCH_BLOCK);
      par.push(performance.now() - t);
    }
    out.push({ txs: size, speedup: median(seq.slice(3)) / median(par.slice(3)) });
  }
  return out;
}
