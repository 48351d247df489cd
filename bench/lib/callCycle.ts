/**
 * Calibration rows for calls that cycle through many distinct contracts in one transaction
 * (`bench/calibrate.ts`): what a cold call (the first frame of a contract in a transaction,
 * `GAS.COLD_CALL`) and a warm one (`GAS.CALL`) really cost when an attacker makes the
 * instance pool miss, and what a cold call costs per byte of the callee's code.
 *
 * The caller and callees are `cycleContracts.ts`'s: callees here are one-page modules, each
 * distinct, optionally with unused filler functions to make the code bigger.
 */
import type { Address } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { type Bench, type CalibrationRow, result } from "./calibrationRun.js";
import { CYCLE_CALLER, cycleCallee, cycleInput } from "./cycleContracts.js";
import { median } from "./report.js";

export { cycleInput };

let salt = 0;

/** A distinct one-page callee with `noop`; `filler` unused functions of ~100 bytes each. */
export function callee(filler = 0): Uint8Array {
  return cycleCallee({ k: ++salt, filler });
}

/** Deploys `codes`, held by the bench VM's module cache as a node holds stored code. */
export function deployHeld(bench: Bench, codes: readonly Uint8Array[]): Address[] {
  return codes.map((code) => {
    const address = bench.deploy(code);
    bench.vm.cache.load(toHex(keccak256(code)), code);
    return address;
  });
}

/** Deploys `count` distinct one-page callees (`callee`), held by the bench VM's module cache. */
export function deployCallees(bench: Bench, count: number, filler = 0): Address[] {
  return deployHeld(
    bench,
    Array.from({ length: count }, () => callee(filler)),
  );
}

/**
 * A run of the caller over `callees`, `laps` times, in CPU time of the process (its GC
 * threads included), not wall time: these transactions run for tens of milliseconds,
 * longer than a time slice on a loaded machine.
 */
export function cycleRun(bench: Bench, caller: Address) {
  return (callees: readonly Address[], laps: number) => (): { ms: number; gas: number } => {
    const tx = bench.callTx(caller, "run", cycleInput(callees, laps));
    const cpu = process.cpuUsage();
    const out = bench.run(tx);
    const used = process.cpuUsage(cpu);
    if (out.receipt.status !== "success") throw new Error(`call cycle: ${out.receipt.status}`);
    return { ms: (used.user + used.system) / 1000, gas: out.receipt.gasUsed };
  };
}

/** Every round's time of each workload, interleaved (after one warm-up each), and its gas. */
export function sampled(
  rounds: number,
  runs: ReadonlyArray<() => { ms: number; gas: number }>,
): Array<{ ms: number[]; gas: number }> {
  const out = runs.map((run) => ({ ms: [] as number[], gas: run().gas }));
  for (let r = 0; r < rounds; r++)
    runs.forEach((run, i) => {
      const m = run();
      const o = out[i] as { ms: number[]; gas: number };
      o.ms.push(m.ms);
      o.gas = m.gas;
    });
  return out;
}

/** The fastest of `rounds` runs of each workload, interleaved (after one warm-up each). */
export function interleaved(
  rounds: number,
  runs: ReadonlyArray<() => { ms: number; gas: number }>,
): Array<{ ms: number; gas: number }> {
  return sampled(rounds, runs).map((s) => ({ ms: Math.min(...s.ms), gas: s.gas }));
}

/** The least-squares slope of `ys` over `xs` (at least two distinct `xs`). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = ys.reduce((a, y) => a + y, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Lap counts of the warm row: each lap past the first is `callees` more warm calls. */
const WARM_LAPS = [2, 4, 8, 16];

/**
 * Warm calls to pinned instances whose memories no longer fit the CPU's caches: the same
 * callees cycled through `WARM_LAPS` times, every lap count in every round. The time of a
 * call is the least-squares slope of the median CPU time of each lap count over its calls
 * (a difference of two minimums, 2 laps against 16, was unstable: -1.2 to 12.4 µs a call
 * in quiet full runs); the spread is the same slope fitted to each round alone.
 */
function warmCycleRow(
  runCycle: ReturnType<typeof cycleRun>,
  callees: readonly Address[],
  rounds: number,
): CalibrationRow {
  const runs = sampled(
    rounds,
    WARM_LAPS.map((laps) => runCycle(callees, laps)),
  );
  const calls = WARM_LAPS.map((laps) => laps * callees.length);
  const perRound = Array.from(
    { length: rounds },
    (_, r) =>
      slope(
        calls,
        runs.map((s) => s.ms[r] as number),
      ) * 1e6,
  ).sort((a, b) => a - b);
  const row = result(
    `call, warm (cycling ${callees.length.toLocaleString("en-US")} contracts)`,
    "host",
    "call",
    slope(
      calls,
      runs.map((s) => median(s.ms)),
    ) * 1e6,
    slope(
      calls,
      runs.map((s) => s.gas),
    ),
  );
  const at = (q: number) => perRound[Math.round(q * (perRound.length - 1))] as number;
  row.spread = {
    of: `ns a call, the slope of each round alone (laps ${WARM_LAPS.join(", ")})`,
    min: at(0),
    q1: at(0.25),
    median: at(0.5),
    q3: at(0.75),
    max: at(1),
  };
  return row;
}

/** Deploys the caller contract (`run` with `cycleInput`). */
export function deployCaller(bench: Bench): Address {
  return bench.deploy(CYCLE_CALLER);
}

export function callCycleRows(bench: Bench, rounds: number): CalibrationRow[] {
  const runCycle = cycleRun(bench, deployCaller(bench));
  const rows: CalibrationRow[] = [];
  // Two disjoint sets, run in turn: each transaction finds the pool holding the other
  // set's contracts (at most 16 MiB of them), so nearly all its first calls miss. Two laps:
  // a fresh memory is cleaned when its instance is used again (`instancePool.ts`), so its
  // pages are faulted in by the second call, which the cold price pays for as well.
  const many = deployCallees(bench, 1_000);
  const few = deployCallees(bench, 250);
  const [cold1000, cold250] = interleaved(rounds, [runCycle(many, 2), runCycle(few, 2)]) as [
    { ms: number; gas: number },
    { ms: number; gas: number },
  ];
  const contracts = many.length - few.length;
  rows.push(
    result(
      "call, cold then warm (per contract, 1,000 vs 250 contracts)",
      "host",
      "contract",
      ((cold1000.ms - cold250.ms) * 1e6) / contracts,
      (cold1000.gas - cold250.gas) / contracts,
    ),
  );
  rows.push(warmCycleRow(runCycle, many, rounds));
  // Per code byte: 50 distinct small callees against 50 large ones, new ones every round
  // (so that the pool never holds them).
  const per = 50;
  const LARGE = 200;
  const sizes = [callee(0).length, callee(LARGE).length];
  const [small, large] = interleaved(rounds, [
    () => runCycle(deployCallees(bench, per), 1)(),
    () => runCycle(deployCallees(bench, per, LARGE), 1)(),
  ]) as [{ ms: number; gas: number }, { ms: number; gas: number }];
  const bytes = per * ((sizes[1] as number) - (sizes[0] as number));
  rows.push(
    result(
      `call, cold (per code byte, ${sizes[1]} B)`,
      "host",
      "byte",
      ((large.ms - small.ms) * 1e6) / bytes,
      (large.gas - small.gas) / bytes,
    ),
  );
  return rows;
}
