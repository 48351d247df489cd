/**
 * What a deployment costs in time against the gas it pays, for the deployments an
 * attacker would send: a deployment compiles the module and probes its start function
 * (`src/vm/startSnapshot.ts`) on every node, and again at each node start, so its worst
 * case must stay within 3x of the calibration's median ns per gas like everything else.
 *
 *   node dist/bench/deployCost.js [--rounds 21] [--calibration bench/results/calibrate-current.json] [--label current]
 *
 * Each kind is deployed `rounds` times through `executeTransaction`, each time as new code
 * (a custom section with a counter, so no node holds it compiled). Per kind: the median
 * CPU time of the process per deployment (every thread: V8 compiles on others), the
 * fastest wall time, the gas the receipt charges, the probe's runs and gas, and ns per gas
 * over the calibration's median (`bench/calibrate.ts`, run first; `--median-ns-per-gas`
 * overrides it). Writes bench/results/deploy-cost-<label>.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { executeTransaction } from "../src/chain/executeTransaction.js";
import { MAX_CODE_BYTES, MAX_FUNCTIONS, MAX_MEMORY_PAGES } from "../src/vm/limits.js";
import { PROBE_GAS, probeWork } from "../src/vm/startSnapshot.js";
import { benchArgs } from "./lib/args.js";
import { wat } from "./lib/calibrationProbes.js";
import { Bench } from "./lib/calibrationRun.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const usage =
  "node dist/bench/deployCost.js [--rounds 21] [--calibration bench/results/calibrate-current.json] [--median-ns-per-gas <n>] [--label current]";
const args = benchArgs(usage, {
  options: {
    rounds: { type: "string", default: "21" },
    calibration: { type: "string", default: "bench/results/calibrate-current.json" },
    "median-ns-per-gas": { type: "string", default: "" },
    label: { type: "string", default: "current" },
  },
});
const rounds = Number(args.rounds);

function calibrationMedian(): number {
  if (args["median-ns-per-gas"] !== "") return Number(args["median-ns-per-gas"]);
  const path = String(args.calibration);
  if (!existsSync(path)) {
    console.error(`${path} not found: run node dist/bench/calibrate.js first, or give --median-ns-per-gas`);
    process.exit(2);
  }
  return (JSON.parse(readFileSync(path, "utf8")) as { medianNsPerGas: number }).medianNsPerGas;
}
const medianNsPerGas = calibrationMedian();

/** `code` with a custom section holding `salt`: new code to every cache, same module. */
function salted(code: Uint8Array, salt: number): Uint8Array {
  const name = [1, 0x73]; // "s"
  const payload = [...name, salt & 0x7f, (salt >> 7) & 0x7f, (salt >> 14) & 0x7f, (salt >> 21) & 0x7f];
  return new Uint8Array([...code, 0, payload.length, ...payload]);
}

/** Iterations of a 9-gas loop that burn about `gas`. */
const iterations = (gas: number) => Math.floor(gas / 9);
const LOOP = (n: number) =>
  `(loop $l local.get $i i32.const 1 i32.add local.tee $i i32.const ${n} i32.lt_u br_if $l)`;

/** Start burns half the probe's gas, then recurses until the stack budget traps: two probe runs. */
const burnThenTrap = wat(`(module
  (memory (export "memory") 1)
  (func $deep call $deep)
  (func $start (local $i i32) ${LOOP(iterations(PROBE_GAS / 2))} call $deep)
  (start $start)
  (func (export "read")))`);

/** Start loops until the probe's gas runs out. */
const outOfGas = wat(`(module
  (memory (export "memory") 1)
  (func $start (loop $l br $l))
  (start $start)
  (func (export "read")))`);

/**
 * Largest memory, every page written, and too deep for a nested call's stack start: two
 * probe runs on fresh 4 MiB, then a 4 MiB snapshot scanned and copied.
 */
const hugeMemory = wat(`(module
  (memory (export "memory") ${MAX_MEMORY_PAGES})
  (global $g (mut i32) (i32.const 0))
  (func $deep (param $n i32) local.get $n if local.get $n i32.const 1 i32.sub call $deep end)
  (func $start (local $i i32)
    (loop $l
      local.get $i i32.const 65536 i32.mul i32.const 1 i32.store8
      local.get $i i32.const 1 i32.add local.tee $i i32.const ${MAX_MEMORY_PAGES} i32.lt_u br_if $l)
    i32.const ${MAX_MEMORY_PAGES * 65536 - 4096} i32.const 1 i32.store8
    i32.const 300 call $deep
    i32.const 7 global.set $g)
  (start $start)
  (func (export "read")))`);

/** Largest memory, no start function: nothing probed. */
const hugeMemoryNoStart = wat(
  `(module (memory (export "memory") ${MAX_MEMORY_PAGES}) (func (export "read")))`,
);

/**
 * As many empty functions as a module may have (4 bytes of code each), and a start
 * function that calls each once until out of gas (each call a first, lazy compile).
 */
function manyFunctions(start: boolean): Uint8Array {
  const count = MAX_FUNCTIONS - 2;
  const fns = Array.from({ length: count }, (_, k) => `(func $f${k})`);
  const calls = start ? Array.from({ length: count }, (_, k) => `call $f${k}`).join(" ") : "";
  return wat(`(module (memory (export "memory") 1) ${fns.join("\n")}
    (func $start ${calls}) ${start ? "(start $start)" : ""} (func (export "read")))`);
}

/** Code near `MAX_CODE_BYTES` in 100 straight-line functions; the start function runs each once. */
function maxCode(): Uint8Array {
  const build = (ops: number) => {
    const fns: string[] = [];
    for (let f = 0; f < 100; f++) {
      const body = Array.from(
        { length: ops },
        (_, k) => `local.get 0 i32.const ${(f * 7919 + k * 104729) & 0xfffff} i32.xor local.set 0`,
      );
      fns.push(`(func $f${f} (param i32) (result i32) ${body.join(" ")} local.get 0)`);
    }
    const calls = Array.from({ length: 100 }, (_, f) => `i32.const ${f} call $f${f} drop`).join(" ");
    return wat(`(module (memory (export "memory") 1) ${fns.join("\n")}
      (func $start ${calls}) (start $start) (func (export "read")))`);
  };
  const probe = build(100).length;
  const ops = Math.floor((100 * (MAX_CODE_BYTES - 64)) / probe);
  let code = build(ops);
  for (let n = ops; code.length > MAX_CODE_BYTES - 16; n -= 10) code = build(n);
  return code;
}

/** A tiny module whose start function sets a global: the fixed cost of a module. */
const tiny = wat(`(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 0))
  (func $start i32.const 3 global.set $g) (start $start) (func (export "read")))`);

const contract = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../contracts/build/${name}.wasm`, import.meta.url))));

const KINDS: Array<[string, Uint8Array]> = [
  ["start burns gas, then recursion trap", burnThenTrap],
  ["start runs out of gas", outOfGas],
  [`${MAX_MEMORY_PAGES} pages, all written, 2 runs`, hugeMemory],
  [`${MAX_MEMORY_PAGES} pages, no start function`, hugeMemoryNoStart],
  [`${MAX_FUNCTIONS - 2} functions, start calls each`, manyFunctions(true)],
  [`${MAX_FUNCTIONS - 2} functions, no start function`, manyFunctions(false)],
  ["max code size, start runs it", maxCode()],
  ["tiny module with a start", tiny],
  ["token.wasm", contract("token")],
  ["pair.wasm", contract("pair")],
  ["lending.wasm", contract("lending")],
];

const bench = new Bench(rounds);
let salt = 0;
interface Row {
  kind: string;
  codeBytes: number;
  gas: number;
  status: string;
  probeRuns: number;
  probeGas: number;
  cpuMs: number;
  wallMs: number;
  nsPerGas: number;
  xMedian: number;
}
const samples = new Map<
  string,
  { cpu: number[]; wall: number[]; gas: number; status: string; runs: number; probe: number }
>();
// Kinds interleaved in every round, so that load from other work spreads over all of them.
for (let r = 0; r <= rounds; r++) {
  for (const [kind, code] of KINDS) {
    const tx = bench.deployTx(salted(code, ++salt));
    const before = { ...probeWork };
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const out = executeTransaction(
      bench.vm,
      { height: 7n, time: 1n, chainId: 1337n, feeRecipient: tx.from },
      bench.view,
      tx,
    );
    const wall = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    if (r === 0) continue; // warm-up
    const s = samples.get(kind) ?? { cpu: [], wall: [], gas: 0, status: "", runs: 0, probe: 0 };
    s.cpu.push((cpu.user + cpu.system) / 1000);
    s.wall.push(wall);
    s.gas = out.receipt.gasUsed;
    s.status = out.receipt.status;
    s.runs = probeWork.runs - before.runs;
    s.probe = probeWork.gas - before.gas;
    samples.set(kind, s);
  }
  process.stderr.write(".");
}
process.stderr.write("\n");

const rows: Row[] = KINDS.map(([kind, code]) => {
  const s = samples.get(kind);
  if (s === undefined) throw new Error(`no samples for ${kind}`);
  const cpuMs = median(s.cpu);
  const nsPerGas = (cpuMs * 1e6) / s.gas;
  return {
    kind,
    codeBytes: code.length,
    gas: s.gas,
    status: s.status,
    probeRuns: s.runs,
    probeGas: s.probe,
    cpuMs,
    wallMs: Math.min(...s.wall),
    nsPerGas,
    xMedian: nsPerGas / medianNsPerGas,
  };
});
console.log(
  `deployment cost: ${rounds} deployments of each kind; CPU = median process CPU per deployment; x median over the calibration's ${medianNsPerGas.toFixed(3)} ns/gas`,
);
printTable(
  [
    "kind",
    "code B",
    "status",
    "probe runs",
    "probe gas",
    "gas paid",
    "CPU ms",
    "wall ms (min)",
    "ns/gas",
    "x median",
  ],
  rows.map((r) => [
    r.kind,
    r.codeBytes,
    r.status,
    r.probeRuns,
    r.probeGas,
    r.gas.toLocaleString("en-US"),
    r.cpuMs.toFixed(3),
    r.wallMs.toFixed(3),
    r.nsPerGas.toFixed(3),
    r.xMedian.toFixed(2),
  ]),
);
const worst = rows.reduce((a, b) => (b.xMedian > a.xMedian ? b : a));
console.log(`slowest per gas: ${worst.kind}, ${worst.xMedian.toFixed(2)}x the median`);
writeJson(`bench/results/deploy-cost-${args.label}.json`, {
  machine: machineInfo(),
  params: { rounds, medianNsPerGas },
  rows,
});
