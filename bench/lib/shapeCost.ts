/**
 * Calibration rows for what a module's shape costs a call (`bench/calibrate.ts --only shape`):
 * the number of functions and of mutable globals it declares, at their limits
 * (`MAX_FUNCTIONS`, `MAX_GLOBALS`), against the same callee without them. A cold call
 * instantiates the module (V8 sets up every function and global of the instance); every
 * call, cold or warm, runs the dispatcher, which resets or restores each mutable global
 * (`wasm/dispatcher.ts`). Each row is the difference between two sets of distinct callees
 * that differ only in the count measured, called in turn by `cycleContracts.ts`'s caller:
 * cold rows deploy new callees every round (so the instance pool never holds them), the
 * warm row compares 8 laps with 2 over the same callees.
 */
import type { Address } from "../../src/codec/address.js";
import { MAX_FUNCTIONS, MAX_GLOBALS } from "../../src/vm/limits.js";
import type { Bench, CalibrationRow } from "./calibrationRun.js";
import { result } from "./calibrationRun.js";
import { cycleRun, deployCaller, deployHeld, interleaved } from "./callCycle.js";
import { cycleCallee } from "./cycleContracts.js";

let salt = 2_000_000;
const PER_SET = 16;

/** A distinct one-page callee with `functions` more empty functions and `globals` more mutable globals. */
export function shapeCallee(functions: number, globals: number): Uint8Array {
  return cycleCallee({ k: ++salt, functions, globals });
}

type Run = { ms: number; gas: number };

export function shapeCostRows(bench: Bench, rounds: number): CalibrationRow[] {
  const run = cycleRun(bench, deployCaller(bench));
  const fresh = (functions: number, globals: number) => (): Run =>
    run(
      deployHeld(
        bench,
        Array.from({ length: PER_SET }, () => shapeCallee(functions, globals)),
      ),
      1,
    )();
  const rows: CalibrationRow[] = [];
  const [manyFns, base1] = interleaved(rounds, [fresh(MAX_FUNCTIONS - 1, 0), fresh(0, 0)]) as [Run, Run];
  const fnCount = PER_SET * (MAX_FUNCTIONS - 1);
  rows.push(
    result(
      `call, cold (per function, ${MAX_FUNCTIONS - 1} functions)`,
      "host",
      "function",
      ((manyFns.ms - base1.ms) * 1e6) / fnCount,
      (manyFns.gas - base1.gas) / fnCount,
    ),
  );
  const globals = MAX_GLOBALS - 1;
  const [manyGlobals, base2] = interleaved(rounds, [fresh(0, globals), fresh(0, 0)]) as [Run, Run];
  rows.push(
    result(
      `call, cold (per mutable global, ${globals} globals)`,
      "host",
      "global",
      ((manyGlobals.ms - base2.ms) * 1e6) / (PER_SET * globals),
      (manyGlobals.gas - base2.gas) / (PER_SET * globals),
    ),
  );
  const held: Address[] = deployHeld(
    bench,
    Array.from({ length: PER_SET }, () => shapeCallee(0, globals)),
  );
  const plain: Address[] = deployHeld(
    bench,
    Array.from({ length: PER_SET }, () => shapeCallee(0, 0)),
  );
  const [g8, g2, p8, p2] = interleaved(rounds, [
    run(held, 8),
    run(held, 2),
    run(plain, 8),
    run(plain, 2),
  ]) as [Run, Run, Run, Run];
  const warmCalls = 6 * PER_SET;
  rows.push(
    result(
      `call, warm (per mutable global, ${globals} globals)`,
      "host",
      "global",
      ((g8.ms - g2.ms - (p8.ms - p2.ms)) * 1e6) / (warmCalls * globals),
      (g8.gas - g2.gas - (p8.gas - p2.gas)) / (warmCalls * globals),
    ),
  );
  return rows;
}
