/**
 * Sequential execution throughput: native transfers and WASM token transfers, with the
 * cost of a token transfer split into instantiation, host calls and metering.
 *
 *   node dist/bench/sequential.js [--accounts 10000] [--block 10000] [--runs 5]
 *
 * Prints a table and writes bench/results/sequential.json and sequential.svg (TPS plot).
 */
import { loadArtifact } from "../src/chain/artifacts.js";
import { createChainExecutor } from "../src/chain/executeTransaction.js";
import { executeSequential } from "../src/engine/sequential.js";
import { createInstancePool } from "../src/vm/instancePool.js";
import { createModuleCache } from "../src/vm/moduleCache.js";
import type { HostProfile } from "../src/vm/vm.js";
import { MEMORY_IMPORT_MODULE } from "../src/vm/wasm/index.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { BENCH_BLOCK, nativeTransfers, tokenTransfers, type Workload } from "./workloads.js";

const args = benchArgs("node dist/bench/sequential.js [--accounts 10000] [--block 10000] [--runs 5]", {
  options: {
    accounts: { type: "string", default: "10000" },
    block: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
  },
});
const accounts = Number(args.accounts);
const blockSize = Number(args.block);
const runs = Number(args.runs);

interface Row {
  workload: string;
  variant: string;
  txs: number;
  medianMs: number;
  tps: number;
  gasPerSecond: number;
  usPerTx: number;
}

function measure(workload: Workload, variant: string, metering: boolean, hostProfile?: HostProfile): Row {
  const times: number[] = [];
  let gas = 0;
  for (let r = 0; r < runs + 1; r++) {
    // A fresh VM per run: the module cache is warmed by the first (discarded) run.
    const executor = createChainExecutor(BENCH_BLOCK, { metering, hostProfile });
    const start = performance.now();
    const result = executeSequential(executor, workload.pre, workload.txs);
    const ms = performance.now() - start;
    const failed = result.receipts.filter((x) => x.status !== "success").length;
    if (failed > 0) throw new Error(`${workload.name}/${variant}: ${failed} transactions failed`);
    if (r > 0) times.push(ms);
    gas = result.receipts.reduce((sum, x) => sum + x.gasUsed, 0);
  }
  const medianMs = median(times);
  return {
    workload: workload.name,
    variant,
    txs: workload.txs.length,
    medianMs: Math.round(medianMs * 10) / 10,
    tps: Math.round(workload.txs.length / (medianMs / 1000)),
    gasPerSecond: Math.round(gas / (medianMs / 1000)),
    usPerTx: Math.round((medianMs * 1000 * 100) / workload.txs.length) / 100,
  };
}

/**
 * Median cost of starting (and ending) one call of the metered token module, in
 * microseconds. "fresh": a pooled memory, the static data copied in, a new
 * `WebAssembly.Instance`, the memory zeroed and returned (how every call started before
 * instances were pooled). "pooled": what the VM does now (`instancePool.ts`): an idle
 * instance, the data copied in, the memory zeroed when it comes back.
 */
function startCallCost(mode: "fresh" | "pooled"): number {
  const token = loadArtifact("token");
  const cache = createModuleCache();
  const cached = cache.get("token", () => token.code);
  const stub = () => 0;
  const names = WebAssembly.Module.imports(cached.module)
    .filter((i) => i.module === "weft")
    .map((i) => i.name);
  const weft = Object.fromEntries(names.map((n) => [n, stub]));
  const pool = createInstancePool(cache.memories, weft);
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    const n = 5_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      if (mode === "pooled") {
        pool.release(cached, pool.acquire(cached));
        continue;
      }
      const memory = cache.memories.acquire(cached.initialPages);
      const bytes = new Uint8Array(memory.buffer);
      for (const segment of cached.data) bytes.set(segment.bytes, segment.offset);
      new WebAssembly.Instance(cached.module, { weft, [MEMORY_IMPORT_MODULE]: { memory } });
      cache.memories.release(memory);
    }
    samples.push(((performance.now() - start) * 1000) / n);
  }
  return median(samples);
}

console.log(`sequential benchmark: ${accounts} accounts, blocks of ${blockSize}, median of ${runs} runs`);
const native = nativeTransfers(accounts, blockSize);
const token = tokenTransfers(accounts, blockSize);
const profile: HostProfile = { calls: 0, ms: 0 };
const rows = [
  measure(native, "-", true),
  measure(token, "metered", true),
  measure(token, "unmetered", false),
];
// One extra profiled pass for the host-call share (timers add their own overhead).
const profiledRow = measure(token, "metered+host-profile", true, profile);
const perTx = profile.calls / (token.txs.length * (runs + 1));
const hostUsPerTx = (profile.ms * 1000) / (token.txs.length * (runs + 1));
const freshUs = startCallCost("fresh");
const pooledUs = startCallCost("pooled");

printTable(
  ["workload", "variant", "txs", "median ms", "TPS", "gas/s", "µs/tx"],
  rows.map((r) => [r.workload, r.variant, r.txs, r.medianMs, r.tps, r.gasPerSecond, r.usPerTx]),
);
const metered = rows[1] as Row;
const unmetered = rows[2] as Row;
console.log("\ntoken transfer cost split (µs per transaction):");
printTable(
  ["part", "µs/tx", "share"],
  [
    ["whole transaction (metered)", metered.usPerTx, "100%"],
    [
      "start a call: pooled instance (data in, memory zeroed)",
      pooledUs.toFixed(2),
      `${((pooledUs / metered.usPerTx) * 100).toFixed(0)}%`,
    ],
    ["(a fresh instance instead, not run: for reference)", freshUs.toFixed(2), "-"],
    [
      `host calls (${perTx.toFixed(1)} per tx, timed)`,
      hostUsPerTx.toFixed(2),
      `${((hostUsPerTx / profiledRow.usPerTx) * 100).toFixed(0)}%`,
    ],
    [
      "metering (metered - unmetered)",
      (metered.usPerTx - unmetered.usPerTx).toFixed(2),
      `${(((metered.usPerTx - unmetered.usPerTx) / metered.usPerTx) * 100).toFixed(0)}%`,
    ],
  ],
);
writeJson("bench/results/sequential.json", {
  machine: machineInfo(),
  params: { accounts, blockSize, runs },
  rows,
  tokenCostSplit: {
    wholeUsPerTx: metered.usPerTx,
    pooledInstanceUs: pooledUs,
    freshInstanceUs: freshUs,
    hostCallsPerTx: perTx,
    hostUsPerTx,
    meteringUsPerTx: metered.usPerTx - unmetered.usPerTx,
  },
});
writeSvg(
  "bench/results/sequential.svg",
  barChartSvg(
    `Sequential execution, blocks of ${blockSize} (median of ${runs})`,
    "tx/s",
    rows.map((r) => ({ label: `${r.workload} ${r.variant === "-" ? "" : r.variant}`.trim(), value: r.tps })),
  ),
);
console.log("wrote bench/results/sequential.svg");
