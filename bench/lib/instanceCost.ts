/**
 * Calibration rows for what a call's instance costs beyond its pages (`bench/calibrate.ts`):
 * copying a contract's static data runs in (`GAS.DATA_RUN`, `wasm/dataSegments.ts`), and
 * a warm call after one that grew the memory, which instantiates again (the cold price,
 * `callContract.ts`), with the largest table a contract may declare (`MAX_TABLE_ELEMENTS`).
 * Each row is the difference between two sets of 8 distinct 64-page (or one-page) callees
 * that differ only in what is measured, called in turn by `callCycle.ts`'s caller.
 */

import type { Address } from "../../src/codec/address.js";
import { MAX_TABLE_ELEMENTS } from "../../src/vm/limits.js";
import { MERGE_GAP } from "../../src/vm/wasm/dataSegments.js";
import { wat } from "./calibrationProbes.js";
import type { Bench, CalibrationRow } from "./calibrationRun.js";
import { result } from "./calibrationRun.js";
import { cycleRun, deployCaller, deployHeld, interleaved } from "./callCycle.js";

const PAGE = 65536;
/** Data runs of the many-run callee: one byte every `MERGE_GAP + 1` bytes. */
const SPACING = MERGE_GAP + 1;
const RUNS = Math.floor((64 * PAGE - 1) / SPACING);
let salt = 1_000_000;

/**
 * A 64-page callee with `runs` one-byte runs; its last byte is always data, so that every
 * call resets the whole memory whatever the runs (the pool resets up to the last data byte).
 */
function dataCallee(runs: number): Uint8Array {
  const offsets = Array.from({ length: runs - 1 }, (_, i) => i * SPACING).concat(64 * PAGE - 1);
  const data = offsets.map((offset) => `(data (i32.const ${offset}) "\\2a")`).join(" ");
  return wat(`(module (memory (export "memory") 64) ${data}
    (global $g (mut i32) (i32.const ${++salt}))
    (func (export "noop") (global.set $g (i32.const 1))))`);
}

function tableCallee(grow: number): Uint8Array {
  const elems = Array.from({ length: MAX_TABLE_ELEMENTS }, () => "$f").join(" ");
  return wat(`(module (memory (export "memory") 1) (table ${MAX_TABLE_ELEMENTS} funcref) (elem (i32.const 0) ${elems})
    (global $g (mut i32) (i32.const ${++salt}))
    (func $f (global.set $g (i32.const 2)))
    (func (export "noop") (drop (memory.grow (i32.const ${grow})))))`);
}

export function instanceCostRows(bench: Bench, rounds: number): CalibrationRow[] {
  const LAPS = 20;
  const run = cycleRun(bench, deployCaller(bench));
  const runCycle = (callees: readonly Address[]) => run(callees, LAPS);
  const set = (make: () => Uint8Array) => deployHeld(bench, Array.from({ length: 8 }, make));
  const rows: CalibrationRow[] = [];
  const [many, one] = interleaved(rounds, [
    runCycle(set(() => dataCallee(RUNS))),
    runCycle(set(() => dataCallee(1))),
  ]) as [{ ms: number; gas: number }, { ms: number; gas: number }];
  const runs = 8 * LAPS * (RUNS - 1);
  rows.push(
    result(
      `call, warm (per static data run, ${RUNS} runs, 64 pages)`,
      "host",
      "run",
      ((many.ms - one.ms) * 1e6) / runs,
      (many.gas - one.gas) / runs,
    ),
  );
  const [grows, still] = interleaved(rounds, [
    runCycle(set(() => tableCallee(1))),
    runCycle(set(() => tableCallee(0))),
  ]) as [{ ms: number; gas: number }, { ms: number; gas: number }];
  const calls = 8 * (LAPS - 1);
  rows.push(
    result(
      `call, warm after memory.grow (${MAX_TABLE_ELEMENTS}-entry table)`,
      "host",
      "call",
      ((grows.ms - still.ms) * 1e6) / calls,
      (grows.gas - still.gas) / calls,
    ),
  );
  return rows;
}
