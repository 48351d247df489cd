/**
 * What EVM execution costs in time against what Weft charges for it (`src/evm/weftGas.ts`:
 * EVM gas × `EVM_GAS_TIME_WEIGHT` + the Weft gas of its steps), beside the WASM VM's median ns
 * per Weft gas measured in the same process (the calibration's probe rows,
 * `bench/lib/calibrationProbes.ts`). Workloads (`bench/evm/weftGasWorkloads.ts`): loops of
 * one instruction class each, run until their gas is spent, loops of calls to each precompile
 * (the slow ones priced by `EVM_PRECOMPILE_GAS`; issue 12's bound is 3× the median), and the
 * Uniswap V2 contracts (deployments, a pair's creation, liquidity, a swap, an ERC-20 transfer).
 *
 *   node dist/bench/evmGasWeight.js [--gas 2000000] [--rounds 5] [--wasm-ns measure] [--only precompile]
 *
 * `--only` runs the workloads whose name holds the text (any case), e.g. `precompile` or `bls`.
 *
 * EVM times are process CPU (the fastest of `--rounds` runs, of 30 at least for Uniswap's); `--wasm-ns` a figure instead
 * of measuring the WASM median (~1 minute). Prints per workload ns per EVM gas, ns per step,
 * ns per Weft gas under the current rule and under the old flat weight (EVM gas × 500), each
 * as a multiple of the WASM median; then what a plain step, a KECCAK256 byte and each class
 * of `EVM_STEP_CLASSES` cost in time, as Weft gas at the median, beside the table's figures.
 * Writes bench/results/evm-gas-weight.json.
 */
import { loadavg } from "node:os";
import { EvmRunner } from "../src/evm/evmRunner.js";
import {
  EVM_CODE_BYTE_GAS,
  EVM_GAS_TIME_WEIGHT,
  EVM_GAS_WEIGHT,
  EVM_HASH_BYTE_GAS,
  EVM_STEP_CLASSES,
  EVM_STEP_GAS,
} from "../src/evm/weftGas.js";
import {
  LOOPS,
  loopWorkloads,
  type Measured,
  measure,
  precompileWorkloads,
  uniswapWorkloads,
} from "./evm/weftGasWorkloads.js";
import { benchArgs } from "./lib/args.js";
import { PROBE_ROWS } from "./lib/calibrationProbes.js";
import { Bench, measureRow } from "./lib/calibrationRun.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const USAGE =
  "node dist/bench/evmGasWeight.js [--gas 2000000] [--rounds 5] [--wasm-ns measure] [--only <text in a workload's name>]";
const args = benchArgs(USAGE, {
  options: {
    gas: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
    "wasm-ns": { type: "string", default: "measure" },
    only: { type: "string" },
  },
});
const GAS = BigInt(args.gas as string);
const ROUNDS = Number(args.rounds);
const ONLY = (args.only as string | undefined)?.toLowerCase();
const chosen = (name: string) => ONLY === undefined || name.toLowerCase().includes(ONLY);

/** The WASM VM's median ns per Weft gas over the calibration's probe rows priced by time. */
function wasmMedian(): number {
  if (args["wasm-ns"] !== "measure") return Number(args["wasm-ns"]);
  const bench = new Bench(ROUNDS);
  const perGas = PROBE_ROWS.filter((row) => row.budget !== true)
    .map((row) => measureRow(bench, row).nsPerGas)
    .filter(Number.isFinite);
  return median(perGas);
}

// Raw figures: no step limit, so that every loop runs to the end of its gas.
const runner = new EvmRunner(undefined, undefined, { weftPricing: false });
const uniswap = uniswapWorkloads(runner);
const measured: Measured[] = [
  ...measure(
    runner,
    loopWorkloads(runner, GAS).filter((w) => chosen(w.name)),
    ROUNDS,
  ),
  ...measure(runner, precompileWorkloads(runner, GAS, chosen), ROUNDS),
  // A Uniswap transaction takes ~1–3 ms: 30 runs at least, so that the fastest is with V8's
  // code warm, as in a node that runs them all day (the first runs take 5–10×). Its steps
  // build on one another: all run when one is chosen.
  ...(uniswap.some((w) => !w.name.startsWith("(setup") && chosen(w.name))
    ? measure(runner, uniswap, Math.max(ROUNDS, 30)).filter((m) => chosen(m.name))
    : []),
];
if (measured.length === 0) {
  console.error(`no workload's name holds "${args.only}"\nusage: ${USAGE}`);
  process.exit(2);
}
const wasmNs = wasmMedian();

const W = Number(EVM_GAS_TIME_WEIGHT);
const weftGas = (m: Measured) => m.gas * W + m.stepGas;
const rows = measured.map((m) => ({
  name: m.name,
  gas: m.gas,
  steps: m.steps,
  ns: m.ns,
  nsPerEvmGas: m.ns / m.gas,
  nsPerStep: m.ns / Math.max(1, m.steps),
  weftGas: weftGas(m),
  /** ns per Weft gas ÷ the WASM median: 1 = priced like WASM code; the schedule's bound is 3. */
  ratio: m.ns / weftGas(m) / wasmNs,
  ratioFlat500: m.ns / (m.gas * Number(EVM_GAS_WEIGHT)) / wasmNs,
}));

// What each class's instruction costs beyond a plain step, from the loops where it is at
// least a twentieth of the steps: the Weft gas that prices it at the WASM median.
const PLAIN = ["JUMPDEST sled", "JUMP loop", "ADD loop", "DUP/SWAP loop"];
const plainNs = median(
  measured.filter((m) => PLAIN.some((p) => m.name.startsWith(p))).map((m) => m.ns / m.steps),
);
const classRows = Object.entries(EVM_STEP_CLASSES).map(([name, { opcodes, extra }]) => {
  const estimates: number[] = [];
  for (const m of measured.filter((row) => row.name in LOOPS)) {
    const ops = opcodes.reduce((sum, op) => sum + (m.opCounts[op] ?? 0), 0);
    if (ops < m.steps / 20) continue;
    // KECCAK256's per-byte part is estimated separately (below); count 32-byte hashes only.
    if (name === "hash" && !m.name.includes("32 bytes")) continue;
    estimates.push((m.ns - plainNs * m.steps) / ops);
  }
  const ns = estimates.length === 0 ? Number.NaN : median(estimates);
  return { name, ns, fitted: ns / wasmNs, extra };
});
const hash32 = measured.find((m) => m.name.startsWith("KECCAK256 of 32"));
const hash4k = measured.find((m) => m.name.startsWith("KECCAK256 of 4"));
const perHash = (m: Measured | undefined) => (m === undefined ? Number.NaN : m.ns / (m.opCounts[0x20] ?? 1));
const hashByteNs = (perHash(hash4k) - perHash(hash32)) / (4096 - 32);
const small = measured.find((m) => m.name.startsWith("CALL of a contract that stops"));
const big = measured.find((m) => m.name.startsWith("CALL of a 24 KB"));
const perCall = (m: Measured | undefined) => (m === undefined ? Number.NaN : m.ns / (m.opCounts[0xf1] ?? 1));
const codeByteNs = (perCall(big) - perCall(small)) / 24_004;

console.log(
  `EVM execution in Weft gas: loops of ${GAS} EVM gas, fastest CPU of ${ROUNDS}; WASM median ${wasmNs.toFixed(3)} ns/gas; load average ${loadavg()[0]?.toFixed(1)}; rule: EVM gas × ${W} + step gas (${EVM_STEP_GAS} a step + class extras; budget: gas limit × ${EVM_GAS_WEIGHT})`,
);
printTable(
  [
    "workload",
    "EVM gas",
    "steps",
    "µs CPU",
    "ns/EVM gas",
    "ns/step",
    "Weft gas",
    "× median",
    "× median at flat 500",
  ],
  rows.map((r) => [
    r.name,
    r.gas,
    r.steps,
    (r.ns / 1000).toFixed(0),
    r.nsPerEvmGas.toFixed(2),
    r.nsPerStep.toFixed(0),
    r.weftGas,
    r.ratio.toFixed(2),
    r.ratioFlat500.toFixed(2),
  ]),
);
const slowest = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(`slowest under the rule: ${slowest.name} at ${slowest.ratio.toFixed(2)}× the WASM median`);
// The fits need the instruction loops (not run with an --only that leaves them out).
if (measured.some((m) => m.name in LOOPS)) {
  console.log(
    `a plain step: ${plainNs.toFixed(0)} ns = ${(plainNs / wasmNs).toFixed(0)} Weft gas at the median (EVM_STEP_GAS ${EVM_STEP_GAS}); a KECCAK256 byte: ${hashByteNs.toFixed(1)} ns = ${(hashByteNs / wasmNs).toFixed(0)} (EVM_HASH_BYTE_GAS ${EVM_HASH_BYTE_GAS}); a code byte: ${codeByteNs.toFixed(1)} ns = ${(codeByteNs / wasmNs).toFixed(0)} (EVM_CODE_BYTE_GAS ${EVM_CODE_BYTE_GAS})`,
  );
  printTable(
    ["class", "ns beyond a plain step", "Weft gas at the median", "extra in the table"],
    classRows.map((c) => [c.name, c.ns.toFixed(0), c.fitted.toFixed(0), c.extra]),
  );
}
const classes = Object.entries(EVM_STEP_CLASSES);
printTable(
  ["workload", "steps", ...classes.map(([name]) => name)],
  measured.map((m) => [
    m.name,
    m.steps,
    ...classes.map(([, { opcodes }]) => opcodes.reduce((sum, op) => sum + (m.opCounts[op] ?? 0), 0)),
  ]),
);
writeJson("bench/results/evm-gas-weight.json", {
  machine: machineInfo(),
  gas: Number(GAS),
  wasmNs,
  rule: { weight: W, stepGas: EVM_STEP_GAS, budgetWeight: Number(EVM_GAS_WEIGHT) },
  plainStepNs: plainNs,
  hashByteNs,
  codeByteNs,
  classes: classRows,
  rows,
});
