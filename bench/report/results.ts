/** The shapes of the JSON files the benchmark programs write to bench/results/, and reading them. */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvmRow } from "../evm/run.js";

export interface Machine {
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  date: string;
}

export interface SequentialRow {
  workload: string;
  variant: string;
  txs: number;
  medianMs: number;
  tps: number;
  gasPerSecond: number;
  usPerTx: number;
}

export interface SequentialJson {
  machine: Machine;
  params: { accounts: number; blockSize: number; runs: number };
  rows: SequentialRow[];
  tokenCostSplit?: {
    wholeUsPerTx: number;
    /** Results written before instances were pooled: a fresh instance per call. */
    instantiateUs?: number;
    /** Starting a call from the VM's instance pool, and (for reference) from a fresh instance. */
    pooledInstanceUs?: number;
    freshInstanceUs?: number;
    hostCallsPerTx: number;
    hostUsPerTx: number;
    meteringUsPerTx: number;
  };
}

export interface EngineCell {
  workload: string;
  accounts: number;
  block: number;
  executor: string;
  medianMs: number;
  tps: number;
  speedup: number;
  reexecPerTx: number;
  abortsPerTx: number;
  mode: string;
}

export interface EngineJson {
  machine: Machine;
  params: { runs: number; blockSizes: number[]; accountSweep: number[]; workerCounts: number[] };
  cells: EngineCell[];
  defi?: { block: number; cells: EngineCell[] };
  hardwareCeiling?: number;
  machineCeiling?: { twoThreads: number; sequentialCores: number; bound: number; cores: number };
  smallBlocks?: Array<{ txs: number; speedup: number }>;
  projection?: {
    note: string;
    cells: Array<{
      workload: string;
      accounts: number;
      block: number;
      overhead: number;
      speedup: Record<string, number>;
    }>;
  };
}

export type { EvmRow };

export interface EvmJson {
  machine: Machine;
  params: { accounts: number[]; blockSize: number; runs: number; warmupTxs?: number; quick?: boolean };
  vm: { package: string; version: string; hardfork: string; stateManager: string; contract: string };
  rows: EvmRow[];
}

export interface SignaturesJson {
  machine: Machine;
  params: { keys: number; rounds: number };
  rows: Array<{ scheme: string; oneCore: number; pool: number; workers: number; usPerVerify: number }>;
}

export interface MerkleJson {
  machine: Machine;
  params: {
    quick: boolean;
    runs: number;
    sizes: number[];
    blockSizes: number[];
    updateShare: number;
    hash: string;
  };
  rows: Array<{
    keys: number;
    block: number;
    hashesPerWrite: number;
    nodeHashesPerWrite: number;
    nodeWritesPerBlock: number;
    msPerBlock: number;
    usPerWrite: number;
  }>;
  builds: Array<{ keys: number; buildMs: number; usPerKey: number; nodes: number }>;
}

export interface MempoolJson {
  machine: Machine;
  params: Record<string, number>;
  rows: Array<{ operation: string; ops: number; medianMs: number; usPerOp: number; opsPerSecond: number }>;
}

export interface LoadJson {
  machine: Machine;
  params: { rates: number[]; seconds: number; accounts: number };
  ceiling: { oneCore: number; pool: number; workers: number };
  rows: Array<{
    offered: number;
    sent: number;
    rejected: number;
    committed: number;
    tps: number;
    p50: number;
    p99: number;
    ofCeiling: number;
  }>;
}

export interface Results {
  sequential?: SequentialJson;
  /** The sequential benchmark over 100 accounts (the report runs it and keeps a copy). */
  sequential100?: SequentialJson;
  engine?: EngineJson;
  evm?: EvmJson;
  signatures?: SignaturesJson;
  merkle?: MerkleJson;
  mempool?: MempoolJson;
  load?: LoadJson;
}

/** Parsed JSON of `dir/name`, or undefined when it is missing or unreadable. */
export function readResult<T>(dir: string, name: string): T | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export function readResults(dir: string): Results {
  const out: Results = {};
  const put = <K extends keyof Results>(key: K, value: Results[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  put("sequential", readResult<SequentialJson>(dir, "sequential.json"));
  put("sequential100", readResult<SequentialJson>(dir, "sequential-100.json"));
  put("engine", readResult<EngineJson>(dir, "engine.json"));
  put("evm", readResult<EvmJson>(dir, "evm.json"));
  put("signatures", readResult<SignaturesJson>(dir, "signatures.json"));
  put("merkle", readResult<MerkleJson>(dir, "merkle.json"));
  put("mempool", readResult<MempoolJson>(dir, "mempool.json"));
  put("load", readResult<LoadJson>(dir, "load.json"));
  return out;
}

/** Weft's sequential token-transfer throughput for `accounts` holders and blocks of `block`, and where it came from. */
export function weftSequentialTokenTps(
  r: Results,
  accounts: number,
  block: number,
): { tps: number; usPerTx: number; source: string } | undefined {
  for (const [file, data] of [
    ["sequential-100.json", r.sequential100],
    ["sequential.json", r.sequential],
  ] as const) {
    if (data === undefined || data.params.accounts !== accounts || data.params.blockSize !== block) continue;
    const row = data.rows.find((x) => x.workload === "token-transfer" && x.variant === "metered");
    if (row !== undefined) return { tps: row.tps, usPerTx: row.usPerTx, source: file };
  }
  const cells = (r.engine?.cells ?? []).filter(
    (c) => c.workload === "token-transfer" && c.executor === "sequential" && c.accounts === accounts,
  );
  const cell = cells.find((c) => c.block === block) ?? cells.sort((a, b) => b.block - a.block)[0];
  if (cell === undefined) return undefined;
  return {
    tps: Math.round(cell.tps),
    usPerTx: Math.round((cell.medianMs * 1000 * 100) / cell.block) / 100,
    source: `engine.json (sequential, block ${cell.block})`,
  };
}
