/**
 * `__weft_call(method, mode, ...globals)`: the one function a prepared module exports.
 * It puts the contract in its starting state, then runs method `method` through a
 * `br_table` (an index out of range traps). `mode` says how the starting state is made:
 *
 * - `DISPATCH_FRESH` (0, also what a missing argument means): every mutable global is
 *   set back to its initial value and the start function (if any) runs, as in a fresh
 *   instance (the VM has copied the data segments into a zeroed memory).
 * - `DISPATCH_SNAPSHOT` (1): the start function is skipped; the mutable globals are set
 *   from the arguments that follow `mode` (the VM has copied in the memory the start
 *   function leaves and charged its gas: `startSnapshot.ts`).
 * - `DISPATCH_START_ONLY` (2): as fresh, then returns without running a method.
 * - `DISPATCH_DUMP` (3): stores every mutable global at `8 × its position` in memory
 *   (i64 little-endian, i32 in the low half) and returns. Only `startSnapshot.ts` uses
 *   these two, on an instance of its own.
 *
 * The global arguments are i32: an i64 global takes two (low half, then high half), so
 * that no argument is a BigInt. A module with more than `MAX_GLOBAL_PARAMS` of them gets
 * no global parameters and no snapshot (mode 1 then behaves as mode 0 with the globals
 * left as they are, and the VM never asks for it).
 *
 * Resetting the globals (with the VM zeroing the memory and copying its contents in) is
 * what lets the VM reuse an instance: each call starts from exactly the state a fresh
 * instance would have (tables cannot change: their instructions are refused).
 */
import { BinaryWriter } from "./binary.js";
import { BLOCKTYPE_EMPTY, OP, VALTYPE_I32, VALTYPE_I64 } from "./opcodes.js";

export const DISPATCH_FRESH = 0;
export const DISPATCH_SNAPSHOT = 1;
export const DISPATCH_START_ONLY = 2;
export const DISPATCH_DUMP = 3;

/**
 * Most i32 parameters the dispatcher takes for globals; more and the module gets no
 * snapshot. The dispatcher is node code outside the stack budget: its frame (at most 34
 * arguments, ~300 bytes) sits within `HOST_FRAME_UNITS`' margin over the measured size of
 * a nested call's JavaScript frames (`limits.ts`). The shipped contracts have at most 16.
 */
export const MAX_GLOBAL_PARAMS = 32;

const I32_STORE = 0x36;
const I64_STORE = 0x37;
const I32_EQ = 0x46;
const I64_EXTEND_I32_U = 0xad;
const I64_SHL = 0x86;
const I64_OR = 0x84;

export interface DispatchGlobal {
  /** Index in the module's global space. */
  index: number;
  type: number;
  /** Its constant initialiser, ending in `end`. */
  init: Uint8Array;
}

/** The i32 parameters that carry `globals` (after method and mode), or undefined past the limit. */
export function globalParamCount(globals: readonly DispatchGlobal[]): number | undefined {
  const count = globals.reduce((n, g) => n + (g.type === VALTYPE_I64 ? 2 : 1), 0);
  return count <= MAX_GLOBAL_PARAMS ? count : undefined;
}

/** The dispatcher's body; its type is `(i32 × (2 + globalParamCount)) -> ()`. */
export function dispatchFunction(
  start: number | undefined,
  methods: readonly number[],
  mutableGlobals: readonly DispatchGlobal[],
): Uint8Array {
  const withParams = globalParamCount(mutableGlobals) !== undefined;
  const w = new BinaryWriter().u32(0); // no locals
  const reset = () => {
    for (const g of mutableGlobals)
      w.bytes(g.init.subarray(0, g.init.length - 1))
        .byte(OP.globalSet)
        .u32(g.index);
    if (start !== undefined) w.byte(OP.call).u32(start);
  };
  const modeIs = (mode: number) => w.byte(OP.localGet).u32(1).byte(OP.i32Const).s32(mode).byte(I32_EQ);

  // if (mode == SNAPSHOT) { globals = params } else if (mode == DUMP) { store; return }
  // else { reset; start; if (mode == START_ONLY) return }
  modeIs(DISPATCH_SNAPSHOT);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY);
  if (withParams) {
    let param = 2;
    for (const g of mutableGlobals) {
      if (g.type === VALTYPE_I64) {
        w.byte(OP.localGet).u32(param).byte(I64_EXTEND_I32_U);
        w.byte(OP.localGet)
          .u32(param + 1)
          .byte(I64_EXTEND_I32_U);
        w.byte(OP.i64Const).s32(32).byte(I64_SHL).byte(I64_OR);
        param += 2;
      } else {
        w.byte(OP.localGet).u32(param);
        param += 1;
      }
      w.byte(OP.globalSet).u32(g.index);
    }
  } else {
    reset();
  }
  w.byte(OP.else);
  modeIs(DISPATCH_DUMP);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY);
  mutableGlobals.forEach((g, i) => {
    w.byte(OP.i32Const)
      .s32(8 * i)
      .byte(OP.globalGet)
      .u32(g.index);
    // memarg: alignment 0 (any address), offset 0
    w.byte(g.type === VALTYPE_I64 ? I64_STORE : I32_STORE)
      .u32(0)
      .u32(0);
  });
  w.byte(OP.return);
  w.byte(OP.end);
  reset();
  modeIs(DISPATCH_START_ONLY);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY).byte(OP.return).byte(OP.end);
  w.byte(OP.end);

  const k = methods.length;
  for (let i = 0; i <= k; i++) w.byte(OP.block).byte(BLOCKTYPE_EMPTY);
  w.byte(OP.localGet).u32(0).byte(OP.brTable).u32(k);
  for (let i = 0; i < k; i++) w.u32(i);
  w.u32(k);
  for (const fn of methods) w.byte(OP.end).byte(OP.call).u32(fn).byte(OP.return);
  w.byte(OP.end).byte(OP.unreachable).byte(OP.end);
  return w.finish();
}

/** Parameter types of the dispatcher for `globals`. */
export function dispatchParams(globals: readonly DispatchGlobal[]): number[] {
  return new Array(2 + (globalParamCount(globals) ?? 0)).fill(VALTYPE_I32);
}
