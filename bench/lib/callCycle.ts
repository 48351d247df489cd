/**
 * Calibration rows for calls that cycle through many distinct contracts in one transaction
 * (`bench/calibrate.ts`): what a cold call (the first frame of a contract in a transaction,
 * `GAS.COLD_CALL`) and a warm one (`GAS.CALL`) really cost when an attacker makes the
 * instance pool miss, and what a cold call costs per byte of the callee's code.
 *
 * One caller contract reads `laps`, `count` and `count` addresses from its input, then calls
 * `noop` on each address in turn, `laps` times. Callees are one-page modules, each distinct
 * (a constant), optionally with unused filler functions to make the code bigger.
 */
import type { Address } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { wat } from "./calibrationProbes.js";
import { type Bench, type CalibrationRow, result } from "./calibrationRun.js";

let salt = 0;

/** A distinct one-page callee with `noop`; `filler` unused functions of ~100 bytes each. */
export function callee(filler = 0): Uint8Array {
  const k = ++salt;
  const fillers: string[] = [];
  for (let f = 0; f < filler; f++) {
    const ops: string[] = [];
    for (let i = 0; i < 12; i++)
      ops.push(`(local.set $a (i32.xor (local.get $a) (i32.const ${k * 1_000_003 + f * 31 + i})))`);
    fillers.push(`(func $fill${f} (param $a i32) (result i32) ${ops.join(" ")} (local.get $a))`);
  }
  return wat(`(module (memory (export "memory") 1)
  (global $g (mut i32) (i32.const ${k}))
  ${fillers.join("\n  ")}
  (func (export "noop") (global.set $g (i32.add (global.get $g) (i32.const ${k})))))`);
}

const CALLER = wat(`(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 2048) "noop")
  (func (export "run") (local $r i32) (local $j i32) (local $m i32)
    (call $input_copy (i32.const 4096))
    (local.set $r (i32.load (i32.const 4096)))
    (local.set $m (i32.load (i32.const 4100)))
    (block $d (loop $l (br_if $d (i32.eqz (local.get $r)))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2 (br_if $d2 (i32.ge_u (local.get $j) (local.get $m)))
        (drop (call $call (i32.add (i32.const 4104) (i32.mul (local.get $j) (i32.const 20)))
          (i32.const 2048) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1100) (i64.const 0)))
        (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $l2)))
      (local.set $r (i32.sub (local.get $r) (i32.const 1))) (br $l)))))`);

/** Deploys `count` callees, held by the bench VM's module cache as a node holds stored code. */
export function deployCallees(bench: Bench, count: number, filler = 0): Address[] {
  const out: Address[] = [];
  for (let i = 0; i < count; i++) {
    const code = callee(filler);
    out.push(bench.deploy(code));
    bench.vm.cache.load(toHex(keccak256(code)), code);
  }
  return out;
}

/** The caller's input: `laps` over `callees`. */
export function cycleInput(callees: readonly Address[], laps: number): Uint8Array {
  const input = new Uint8Array(8 + 20 * callees.length);
  const dv = new DataView(input.buffer);
  dv.setUint32(0, laps, true);
  dv.setUint32(4, callees.length, true);
  callees.forEach((a, j) => {
    input.set(Buffer.from(a.slice(2), "hex"), 8 + 20 * j);
  });
  return input;
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
  return bench.deploy(CALLER);
}

export function callCycleRows(bench: Bench, rounds: number): CalibrationRow[] {
  const caller = deployCaller(bench);
  // CPU time of the process (its GC threads included), not wall time: these transactions
  // run for tens of milliseconds, longer than a time slice on a loaded machine.
  const runCycle = (callees: readonly Address[], laps: number) => () => {
    const tx = bench.callTx(caller, "run", cycleInput(callees, laps));
    const cpu = process.cpuUsage();
    const out = bench.run(tx);
    const used = process.cpuUsage(cpu);
    if (out.receipt.status !== "success") throw new Error(`call cycle: ${out.receipt.status}`);
    return { ms: (used.user + used.system) / 1000, gas: out.receipt.gasUsed };
  };
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
  // The same 1,000 contracts, 2 laps against 8: warm calls to pinned instances whose
  // memories no longer fit the CPU's caches.
  const [lap2, lap8] = interleaved(rounds, [runCycle(many, 2), runCycle(many, 8)]) as [
    { ms: number; gas: number },
    { ms: number; gas: number },
  ];
  const warmCalls = 6 * many.length;
  rows.push(
    result(
      "call, warm (cycling 1,000 contracts)",
      "host",
      "call",
      ((lap8.ms - lap2.ms) * 1e6) / warmCalls,
      (lap8.gas - lap2.gas) / warmCalls,
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
