/**
 * Contracts for calls that cycle through many distinct contracts in one transaction, shared
 * by the calibration's call rows (`callCycle.ts`, `instanceCost.ts`) and the tests of cold
 * calls and instance pricing (`test/unit/vm/coldCalls.test.ts`, `instancePricing.test.ts`):
 *
 * - `CYCLE_CALLER` reads `laps`, `count` and `count` addresses from its input
 *   (`cycleInput`), then calls `noop` on each address in turn, `laps` times; a failed call
 *   makes it revert with the callee's revert data.
 * - `cycleCallee` makes callees with `noop`: distinct (a constant), of any memory size,
 *   with static data, unused filler functions (bigger code), more globals or functions, or
 *   a `memory.grow` in `noop`.
 */
import type { Address } from "../../src/codec/address.js";
import { wat } from "./calibrationProbes.js";

export const CYCLE_CALLER = wat(`(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (import "weft" "revert" (func $revert (param i32 i32)))
  (import "weft" "returndata_size" (func $returndata_size (result i32)))
  (import "weft" "returndata_copy" (func $returndata_copy (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 2048) "noop")
  (func (export "run") (local $r i32) (local $j i32) (local $m i32)
    (call $input_copy (i32.const 4096))
    (local.set $r (i32.load (i32.const 4096)))
    (local.set $m (i32.load (i32.const 4100)))
    (block $d (loop $l (br_if $d (i32.eqz (local.get $r)))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2 (br_if $d2 (i32.ge_u (local.get $j) (local.get $m)))
        (if (call $call (i32.add (i32.const 4104) (i32.mul (local.get $j) (i32.const 20)))
              (i32.const 2048) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1100) (i64.const 0))
          (then (call $returndata_copy (i32.const 8192)) (call $revert (i32.const 8192) (call $returndata_size))))
        (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $l2)))
      (local.set $r (i32.sub (local.get $r) (i32.const 1))) (br $l)))))`);

export interface CalleeShape {
  /** Makes the code distinct (a constant in `noop`). */
  k: number;
  /** Initial memory pages (default 1). */
  pages?: number;
  /** Wat data declarations. */
  data?: string;
  /** Unused functions of ~100 bytes each (default 0). */
  filler?: number;
  /** Pages `noop` grows the memory by (default none: `noop` only updates a global). */
  grow?: number;
  /** More mutable i32 globals (default 0). */
  globals?: number;
  /** More empty functions (default 0). */
  functions?: number;
}

/** A callee with `noop` (see `CalleeShape`). */
export function cycleCallee(shape: CalleeShape): Uint8Array {
  const { k, pages = 1, data = "", filler = 0, grow, globals = 0, functions = 0 } = shape;
  const fillers: string[] = [];
  for (let f = 0; f < filler; f++) {
    const ops: string[] = [];
    for (let i = 0; i < 12; i++)
      ops.push(`(local.set $a (i32.xor (local.get $a) (i32.const ${k * 1_000_003 + f * 31 + i})))`);
    fillers.push(`(func $fill${f} (param $a i32) (result i32) ${ops.join(" ")} (local.get $a))`);
  }
  const body =
    grow === undefined
      ? `(global.set $g (i32.add (global.get $g) (i32.const ${k})))`
      : `(drop (memory.grow (i32.const ${grow})))`;
  const more = [
    ...Array.from({ length: globals }, (_, i) => `(global $g${i} (mut i32) (i32.const ${i}))`),
    ...Array.from({ length: functions }, (_, i) => `(func $e${i})`),
  ];
  return wat(`(module (memory (export "memory") ${pages}) ${data}
  (global $g (mut i32) (i32.const ${k}))
  ${more.join(" ")}
  ${fillers.join("\n  ")}
  (func (export "noop") ${body}))`);
}

/** `CYCLE_CALLER`'s input: `laps` over `callees`. */
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
