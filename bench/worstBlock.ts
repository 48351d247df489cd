/**
 * Worst-case wall time of a block at the gas limit: for each of the most expensive
 * operations per gas (the calibration's probes, `bench/lib/calibrationProbes.ts`), fill a
 * block of the node's default gas limit with transactions of `MAX_TX_GAS` that repeat it,
 * and time executing them one after another on one thread (the sequential executor's
 * path: the parallel engine falls back to it). Rows marked "+ Merkle" include updating the
 * state tree with the block's writes. Wall time and the process's CPU time are both
 * reported: on a shared machine the wall time includes waiting for a core, and the CPU
 * time includes V8's helper threads (garbage collection, compilation).
 *
 *   node dist/bench/worstBlock.js [--rows "keccak256 input;call (empty method)"] [--gas 3000000000]
 *
 * and, with the default rows or when named, "calls cycling new contracts (2 laps)": each
 * transaction calls as many distinct new contracts as one may, twice each.
 *
 * Prints a table, writes bench/results/worst-block.json.
 */

import type { Address } from "../src/codec/address.js";
import { defaultConfig } from "../src/node/config.js";
import { MerkleTree } from "../src/state/merkle/index.js";
import { MAX_TX_CONTRACT_PAGES, MAX_TX_GAS } from "../src/vm/limits.js";
import { benchArgs } from "./lib/args.js";
import { PROBE_ROWS, type ProbeRow, probeModule } from "./lib/calibrationProbes.js";
import { Bench } from "./lib/calibrationRun.js";
import { cycleInput, deployCallees, deployCaller } from "./lib/callCycle.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";

/** The workload of calls cycling through new contracts (not a probe row). */
const CYCLE = "calls cycling new contracts (2 laps)";

const DEFAULT_ROWS = [
  "keccak256 input",
  "sha256 (32 B)",
  "keccak256 (32 B)",
  "storage_get (present, 32 B)",
  "balance",
  "storage_has (new keys, 32 B)",
  "storage_set (new key) + Merkle",
  "call (empty method)",
  "function call",
  "call_indirect",
  "i64 division",
  "memory.grow",
  "ed25519_verify",
  "secp256k1_recover",
  "p256_verify",
  "bls_verify",
];

const args = benchArgs('node dist/bench/worstBlock.js [--rows "name;name"] [--gas 3000000000]', {
  options: {
    rows: { type: "string", default: DEFAULT_ROWS.join(";") },
    gas: { type: "string", default: String(defaultConfig().blockGasLimit) },
  },
});
const blockGas = Number(args.gas);
const names = String(args.rows).split(";");
const bench = new Bench(1);
bench.callee = bench.deploy(probeModule("", ""));

/** The loop count and byte count that make one transaction use about `gas`. */
function sized(to: string, row: ProbeRow, gas: number): { n: number; len: number } {
  const len = row.vary.by === "len" ? row.vary.len[1] : 0;
  const small = row.vary.by === "n" ? Math.max(1, row.vary.n[0] / 10) : 1;
  const a = bench.measureCall(to as `0x${string}`, row, small, len);
  const b = bench.measureCall(to as `0x${string}`, row, small * 2, len);
  const perIteration = (b.gas - a.gas) / small;
  const fixed = a.gas - perIteration * small;
  // memory.grow stops at the page limit: its block is many smaller transactions.
  const cap = row.name === "memory.grow" ? 60 : Number.POSITIVE_INFINITY;
  return { n: Math.min(cap, Math.floor((gas * 0.99 - fixed) / perIteration)), len };
}

interface Row {
  workload: string;
  txs: number;
  gas: number;
  seconds: number;
  cpuSeconds: number;
  nsPerGas: number;
  cpuNsPerGas: number;
}

const rows: Row[] = [];
for (const name of names) {
  if (name === CYCLE) continue;
  const row = PROBE_ROWS.find((r) => r.name === name);
  if (row === undefined) throw new Error(`no probe named ${JSON.stringify(name)}`);
  const to = bench.deploy(probeModule(row.pre ?? "", row.body));
  const { n, len } = sized(to, row, MAX_TX_GAS);
  let gas = 0;
  let ms = 0;
  let txs = 0;
  let last = 0;
  const writes = new Map();
  const cpu = process.cpuUsage();
  while (txs === 0 || gas + last <= blockGas) {
    const tx = bench.callTx(to, "run", bench.input(row, n, len), row.needs === "coin" ? 10n ** 12n : 0n);
    const out = bench.run(tx);
    if (out.receipt.status !== "success") throw new Error(`${name}: ${out.receipt.status}`);
    for (const [k, v] of out.writes) writes.set(k, v);
    gas += out.receipt.gasUsed;
    ms += out.ms;
    txs++;
    last = out.receipt.gasUsed;
  }
  if (row.commit === true) {
    const start = performance.now();
    new MerkleTree(bench.merkleStore()).update(writes);
    ms += performance.now() - start;
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  rows.push({
    workload: name,
    txs,
    gas,
    seconds: ms / 1000,
    cpuSeconds: cpuMs / 1000,
    nsPerGas: (ms * 1e6) / gas,
    cpuNsPerGas: (cpuMs * 1e6) / gas,
  });
  process.stderr.write(".");
}
// Calls cycling through new contracts (the cold price's attack): transactions of as many
// distinct one-page callees as one may run (`MAX_TX_CONTRACT_PAGES`), two sets in turn so
// that the instance pool never holds what a transaction calls, two laps each.
if (names.length === DEFAULT_ROWS.length || names.includes(CYCLE)) {
  const perTx = MAX_TX_CONTRACT_PAGES - 2; // the caller's 2 pages count too
  const sets = [deployCallees(bench, perTx), deployCallees(bench, perTx)];
  const caller = deployCaller(bench);
  let gas = 0;
  let ms = 0;
  let txs = 0;
  const cpu = process.cpuUsage();
  while (gas < blockGas * 0.75) {
    const out = bench.run(bench.callTx(caller, "run", cycleInput(sets[txs % 2] as Address[], 2)));
    if (out.receipt.status !== "success") throw new Error(`${CYCLE}: ${out.receipt.status}`);
    gas += out.receipt.gasUsed;
    ms += out.ms;
    txs++;
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  rows.push({
    workload: CYCLE,
    txs,
    gas,
    seconds: ms / 1000,
    cpuSeconds: cpuMs / 1000,
    nsPerGas: (ms * 1e6) / gas,
    cpuNsPerGas: (cpuMs * 1e6) / gas,
  });
}
process.stderr.write("\n");
rows.sort((a, b) => b.cpuNsPerGas - a.cpuNsPerGas);
const worst = rows[0] as Row;
const perBlock = (nsPerGas: number) => ((nsPerGas * blockGas) / 1e9).toFixed(2);
console.log(
  `blocks of ${blockGas.toLocaleString("en")} gas (transactions of ${MAX_TX_GAS.toLocaleString("en")}), one thread`,
);
printTable(
  ["workload", "txs", "gas", "wall s", "CPU s", "ns/gas (wall)", "ns/gas (CPU)", "full block, s (CPU)"],
  rows.map((r) => [
    r.workload,
    r.txs,
    r.gas,
    r.seconds.toFixed(2),
    r.cpuSeconds.toFixed(2),
    r.nsPerGas.toFixed(3),
    r.cpuNsPerGas.toFixed(3),
    perBlock(r.cpuNsPerGas),
  ]),
);
console.log(
  `worst case: ${worst.workload}, ${perBlock(worst.cpuNsPerGas)} s of CPU (${perBlock(worst.nsPerGas)} s wall on this machine) for a full block`,
);
writeJson("bench/results/worst-block.json", {
  machine: machineInfo(),
  params: { blockGas, maxTxGas: MAX_TX_GAS },
  rows,
});
