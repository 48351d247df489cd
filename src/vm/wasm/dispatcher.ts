/**
 * `__weft_call(method, mode)`: the one function a prepared module exports. It puts the
 * contract in its starting state, then runs method `method` through a `br_table` (an
 * index out of range traps). `mode` says how the starting state is made:
 *
 * - `DISPATCH_FRESH` (0, also what a missing argument means): every mutable global is
 *   set back to its initial value and the start function (if any) runs, as in a fresh
 *   instance (the VM has copied the data segments into a zeroed memory).
 * - `DISPATCH_SNAPSHOT` (1): the start function is skipped. The VM has copied in the
 *   memory the start function leaves and charged its gas (`startSnapshot.ts`), and has
 *   put the values it leaves in the globals at `globalsAt` (8 bytes each, i64
 *   little-endian, i32 in the low half: the top of the initial memory, where the
 *   snapshot is all zeros). The dispatcher loads them into the globals and zeroes those
 *   bytes again, so the memory is exactly the snapshot before any contract code runs.
 *   (Passing them as arguments instead cost ~190 ns per call: V8 has no fast path for a
 *   JavaScript-to-wasm call with a spread.)
 * - `DISPATCH_START_ONLY` (2): as fresh, then returns without running a method.
 * - `DISPATCH_DUMP` (3): stores every mutable global at `globalsAt` as above and
 *   returns. Only `startSnapshot.ts` uses these two, on an instance of its own.
 *
 * Resetting the globals (with the VM zeroing the memory and copying its contents in) is
 * what lets the VM reuse an instance: each call starts from exactly the state a fresh
 * instance would have (tables cannot change: their instructions are refused).
 */
import { BinaryWriter } from "./binary.js";
import { BLOCKTYPE_EMPTY, OP, VALTYPE_I64 } from "./opcodes.js";

export const DISPATCH_FRESH = 0;
export const DISPATCH_SNAPSHOT = 1;
export const DISPATCH_START_ONLY = 2;
export const DISPATCH_DUMP = 3;

const I32_LOAD = 0x28;
const I64_LOAD = 0x29;
const I32_STORE = 0x36;
const I64_STORE = 0x37;
const I32_EQ = 0x46;

export interface DispatchGlobal {
  /** Index in the module's global space. */
  index: number;
  type: number;
  /** Its constant initialiser, ending in `end`. */
  init: Uint8Array;
}

/**
 * Where the dispatcher exchanges the globals with the VM: the last `8 × count` bytes of
 * the initial memory, or undefined if they do not fit.
 */
export function globalsOffset(initialPages: number, count: number): number | undefined {
  const at = initialPages * 65536 - 8 * count;
  return at >= 0 ? at : undefined;
}

/** The dispatcher's body; its type is `(i32, i32) -> ()`. */
export function dispatchFunction(
  start: number | undefined,
  methods: readonly number[],
  mutableGlobals: readonly DispatchGlobal[],
  globalsAt: number | undefined,
): Uint8Array {
  const w = new BinaryWriter().u32(0); // no locals
  const reset = () => {
    for (const g of mutableGlobals)
      w.bytes(g.init.subarray(0, g.init.length - 1))
        .byte(OP.globalSet)
        .u32(g.index);
    if (start !== undefined) w.byte(OP.call).u32(start);
  };
  const modeIs = (mode: number) => w.byte(OP.localGet).u32(1).byte(OP.i32Const).s32(mode).byte(I32_EQ);
  // memarg: alignment 0 (a hint only), offset 0
  const slot = (i: number) => w.byte(OP.i32Const).s32((globalsAt ?? 0) + 8 * i);

  // if (mode == SNAPSHOT) { globals = slots; slots = 0 } else if (mode == DUMP) { slots = globals; return }
  // else { reset; start; if (mode == START_ONLY) return }
  modeIs(DISPATCH_SNAPSHOT);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY);
  if (globalsAt !== undefined) {
    mutableGlobals.forEach((g, i) => {
      slot(i)
        .byte(g.type === VALTYPE_I64 ? I64_LOAD : I32_LOAD)
        .u32(0)
        .u32(0);
      w.byte(OP.globalSet).u32(g.index);
      slot(i).byte(OP.i64Const).s32(0).byte(I64_STORE).u32(0).u32(0);
    });
  } else {
    reset(); // never asked for: the module has no snapshot
  }
  w.byte(OP.else);
  modeIs(DISPATCH_DUMP);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY);
  if (globalsAt !== undefined) {
    mutableGlobals.forEach((g, i) => {
      slot(i).byte(OP.globalGet).u32(g.index);
      w.byte(g.type === VALTYPE_I64 ? I64_STORE : I32_STORE)
        .u32(0)
        .u32(0);
    });
  }
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
