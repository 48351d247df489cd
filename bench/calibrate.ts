/**
 * Gas calibration: what one unit of gas costs in time, for every instruction class, host
 * function and per-byte cost of the VM, so that the gas schedule (`src/vm/gasSchedule.ts`)
 * can keep every operation within 3x of the median ns per gas.
 *
 *   node dist/bench/calibrate.js [--rounds 25] [--label current] [--only keccak | tx | cycle | instance | shape | distinct[:balance]]
 *
 * Each row runs a probe contract (`bench/lib/calibrationProbes.ts`) through the chain's
 * own transaction path at two workloads and divides the difference in time by the
 * difference in gas (`bench/lib/calibrationRun.ts`). Transaction-level rows time whole
 * transactions. Prints the table (ns per unit, gas per unit, ns/gas, ratio to the median)
 * and writes bench/results/calibrate-<label>.json.
 */
import { executeTransaction } from "../src/chain/executeTransaction.js";
import type { Transaction } from "../src/chain/transaction.js";
import { toHex } from "../src/codec/bytes.js";
import { keccak256 } from "../src/codec/hash.js";
import { GAS } from "../src/vm/gasSchedule.js";
import { compileContract } from "../src/vm/moduleCache.js";
import { createVm } from "../src/vm/vm.js";
import { benchArgs } from "./lib/args.js";
import { PROBE_ROWS, probeModule } from "./lib/calibrationProbes.js";
import { Bench, type CalibrationRow, measureRow, result } from "./lib/calibrationRun.js";
import { callCycleRows } from "./lib/callCycle.js";
import { distinctKeyRows } from "./lib/distinctKeys.js";
import { instanceCostRows } from "./lib/instanceCost.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { shapeCostRows } from "./lib/shapeCost.js";

const args = benchArgs("node dist/bench/calibrate.js [--rounds 25] [--label current] [--only <substring>]", {
  options: {
    rounds: { type: "string", default: "25" },
    label: { type: "string", default: "current" },
    only: { type: "string", default: "" },
  },
});
const rounds = Number(args.rounds);
const only = String(args.only);
const bench = new Bench(rounds);
bench.callee = bench.deploy(probeModule("", ""));

/** Time of one transaction: the fastest of `rounds` batches of `batch` (after a warm-up batch). */
function perTx(make: () => Transaction, batch = 200): { ns: number; gas: number } {
  const times: number[] = [];
  let gas = 0;
  for (let r = 0; r <= rounds; r++) {
    const txs = Array.from({ length: batch }, make);
    const start = performance.now();
    for (const tx of txs) gas = executeTransaction(bench.vm, BLOCK_CTX, bench.view, tx).receipt.gasUsed;
    if (r > 0) times.push(((performance.now() - start) * 1e6) / batch);
  }
  return { ns: Math.min(...times), gas };
}
const BLOCK_CTX = { height: 7n, time: 1_700_000_000n, chainId: 1337n, feeRecipient: bench.callee };

/** Probe codes of two sizes, each one different (so no compiled copy of another can be reused). */
let codeSalt = 0;
const SMALL = 0;
const LARGE = 800;
const code = (filler: number): Uint8Array => probeModule("", "", filler, ++codeSalt);

/** Marginal ns and gas per code byte of `f(code)` between small and large codes. */
function perCodeByte(f: (code: Uint8Array) => { ms: number; gas: number }): {
  ns: number;
  gas: number;
  bytes: number;
} {
  const ms: [number[], number[]] = [[], []];
  const gas: [number, number] = [0, 0];
  const bytes: [number, number] = [0, 0];
  for (let r = 0; r <= rounds; r++) {
    for (const [which, filler] of [
      [0, SMALL],
      [1, LARGE],
    ] as const) {
      const c = code(filler);
      const m = f(c);
      if (r > 0) ms[which].push(m.ms);
      gas[which] = m.gas;
      bytes[which] = c.length;
    }
  }
  const db = bytes[1] - bytes[0];
  return {
    ns: ((Math.min(...ms[1]) - Math.min(...ms[0])) * 1e6) / db,
    gas: (gas[1] - gas[0]) / db,
    bytes: bytes[1],
  };
}

function txRows(): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  const transfer = perTx(() => ({
    kind: "transfer",
    from: "0x00000000000000000000000000000000000a11ce",
    to: "0x0000000000000000000000000000000000000b0b",
    amount: 1n,
    gasLimit: 1_000_000,
    gasPrice: 1n,
  }));
  rows.push(result("native transfer", "tx", "tx", transfer.ns, transfer.gas));
  const call = perTx(() => bench.callTx(bench.callee, "noop", new Uint8Array(0)));
  rows.push(result("call of an empty method", "tx", "tx", call.ns, call.gas));
  const deploy = perCodeByte((c) => {
    const out = bench.run(bench.deployTx(c));
    if (out.receipt.status !== "success")
      throw new Error(`deploy of ${c.length} bytes: ${out.receipt.status}`);
    return { ms: out.ms, gas: out.receipt.gasUsed };
  });
  rows.push(result(`deploy (per code byte, ${deploy.bytes} B)`, "tx", "byte", deploy.ns, deploy.gas));
  // A miss: the code is not in this thread's module cache (a restart, another worker, an
  // eviction). What the schedule charges for compiling is paid per byte at deployment.
  // Timed in CPU (every thread of the process: V8 compiles on its own threads too), as a
  // wall-clock time of this length moved 2-3x with the machine's load.
  const compile = perCodeByte((c) => {
    const start = process.cpuUsage();
    compileContract(c);
    const used = process.cpuUsage(start);
    return { ms: (used.user + used.system) / 1000, gas: 0 };
  });
  rows.push(
    result(
      `compile on a cache miss (per code byte, ${compile.bytes} B)`,
      "tx",
      "byte",
      compile.ns,
      GAS.DEPLOY_BYTE,
    ),
  );
  // The first call after a restart: the node compiled its stored code when it started
  // (untimed here, as there), so the call pays instantiating a module no instance of which
  // ever ran, and its cold price (`GAS.COLD_CODE_BYTE`).
  const restart = perCodeByte((c) => {
    const to = bench.deploy(c);
    const vm = createVm();
    vm.cache.load(toHex(keccak256(c)), c);
    const start = performance.now();
    const out = executeTransaction(vm, BLOCK_CTX, bench.view, bench.callTx(to, "noop", new Uint8Array(0)));
    return { ms: performance.now() - start, gas: out.receipt.gasUsed };
  });
  rows.push(result(`first call after a restart (per code byte)`, "tx", "byte", restart.ns, restart.gas));
  return rows;
}

const rows: CalibrationRow[] = [];
for (const row of PROBE_ROWS) {
  if (only !== "" && !row.name.includes(only)) continue;
  rows.push(measureRow(bench, row));
  process.stderr.write(".");
}
if (only === "" || "tx".includes(only)) rows.push(...txRows());
if (only === "" || only === "cycle") rows.push(...callCycleRows(bench, rounds));
if (only === "" || only === "instance") rows.push(...instanceCostRows(bench, rounds));
if (only === "" || only === "shape") rows.push(...shapeCostRows(bench, rounds));
// Up to a second a transaction at the largest scale: at most 5 rounds.
if (only === "" || only.startsWith("distinct"))
  rows.push(...distinctKeyRows(bench, Math.min(rounds, 5), undefined, only.slice("distinct:".length)));
process.stderr.write("\n");

// The median is over the rows priced by time; rows priced by a budget (state growth,
// receipt bytes, Merkle updates timed by their own row) are shown for completeness.
const timed = rows.filter((r) => !r.budget);
const finite = timed.filter((r) => Number.isFinite(r.nsPerGas)).map((r) => r.nsPerGas);
const med = median(finite);
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "∞ (free)");
console.log(
  `gas calibration (${args.label}): ${rounds} rounds; median ${med.toFixed(3)} ns/gas over the ${finite.length} rows priced by time (* priced by a budget; ∞ not priced)`,
);
printTable(
  ["group", "row", "unit", "ns/unit", "gas/unit", "ns/gas", "x median"],
  rows.map((r) => [
    r.group,
    r.budget ? `${r.name} *` : r.name,
    r.unit,
    fmt(r.nsPerUnit, 1),
    fmt(r.gasPerUnit, 1),
    fmt(r.nsPerGas, 3),
    fmt(r.nsPerGas / med, 2),
  ]),
);
for (const r of rows.filter((row) => row.spread !== undefined)) {
  const s = r.spread as NonNullable<CalibrationRow["spread"]>;
  console.log(
    `${r.name}: spread over the rounds, ${s.of}: min ${fmt(s.min, 1)}, quartiles ${fmt(s.q1, 1)} / ${fmt(s.median, 1)} / ${fmt(s.q3, 1)}, max ${fmt(s.max, 1)}`,
  );
}
const worst = Math.max(...finite);
console.log(
  `slowest row priced by time: ${worst.toFixed(3)} ns/gas = ${(worst / med).toFixed(2)}x the median`,
);
writeJson(`bench/results/calibrate-${args.label}.json`, {
  machine: machineInfo(),
  params: { rounds },
  schedule: GAS,
  medianNsPerGas: med,
  rows,
});
