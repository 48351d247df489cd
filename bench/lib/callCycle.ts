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

/** The fastest of `rounds` runs of each workload, interleaved (after one warm-up each). */
export function interleaved(
  rounds: number,
  runs: ReadonlyArray<() => { ms: number; gas: number }>,
): Array<{ ms: number; gas: number }> {
  const best = runs.map((run) => ({ ms: Number.POSITIVE_INFINITY, gas: run().gas }));
  for (let r = 0; r < rounds; r++)
    runs.forEach((run, i) => {
      const m = run();
      const b = best[i] as { ms: number; gas: number };
      b.ms = Math.min(b.ms, m.ms);
      b.gas = m.gas;
    });
  return best;
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
  // The same 1,000 contracts, 2 laps against 16: warm calls to pinned instances whose
  // memories no longer fit the CPU's caches.
  const [lap2, lap16] = interleaved(rounds, [runCycle(many, 2), runCycle(many, 16)]) as [
    { ms: number; gas: number },
    { ms: number; gas: number },
  ];
  const warmCalls = 14 * many.length;
  rows.push(
    result(
      "call, warm (cycling 1,000 contracts)",
      "host",
      "call",
      ((lap16.ms - lap2.ms) * 1e6) / warmCalls,
      (lap16.gas - lap2.gas) / warmCalls,
    ),
  );
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
