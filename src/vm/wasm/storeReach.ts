/**
 * How far into its memory a call wrote, so that the VM resets only that much of the
 * memory when the instance goes back to its pool (`instancePool.ts`) instead of all of it
 * (64 KiB per frame, about 1 µs, where the shipped contracts write 10-27 KiB).
 *
 * The instrumenter (`instrument.ts`) keeps a mutable i32 global, `__weft_reach`, the
 * highest dynamic address (the address operand, before the static offset) any store of
 * the call wrote at. A function that stores keeps its own highest address in a local
 * (a register: a store then costs a compare and a well-predicted branch more) and raises
 * the global to it on every normal way out (`return` and its last `end`, where the stack
 * metering's epilogue runs too). `memory.copy` and `memory.fill` (the injected functions)
 * raise the global to their destination's end. A store that traps wrote nothing (the
 * update comes after the store).
 *
 * So when a call returns normally, every byte it wrote lies below `reach + storeReach`,
 * where `storeReach` is the module's largest static store offset plus that store's width
 * (`maxStoreEnd`): the bound the pool resets up to. A call that trapped or was aborted by
 * a host function left activations that never raised the global: the pool resets the
 * whole memory after it. Host functions write through `memoryAccess.ts`, which keeps its
 * own bound; the pool's own copies (data segments, the start snapshot) have static ends.
 *
 * The lowest address works the same way, in a second global, `__weft_low`: a storing
 * function sets its own lowest address to 2^32 - 1 on entry, lowers it on every store and
 * lowers the global to it on every normal way out; `memory.copy` and `memory.fill` lower
 * it to their destination. A call that returned normally wrote nothing below `low`, so
 * for a call that started from the start function's snapshot the pool writes the snapshot
 * back only from there (`instancePool.ts`): the static data and the objects the start
 * function made below the first byte a call changes (most of the ~10 KiB snapshot of
 * the shipped contracts) are not written again on every release.
 *
 * Each store becomes: keep the value in a scratch local, the address in another, store,
 * then `if (address > highest) highest = address` and `if (address < lowest) lowest =
 * address`. The scratch locals (an i32 address, an i32 and an i64 value, the i32 highest
 * and lowest addresses; floats are refused at deployment) are added only to functions
 * that store, and are not counted in the function's stack units: the units stay what the
 * contract was deployed with (so does every stack-budget outcome), and five slots per
 * frame are well inside the measured margin (`limits.ts`: 4.4x on the smallest stack).
 * The reach global starts at 0 and the low one at 2^32 - 1; the pool reads them and sets
 * them back after each call.
 */
import { BinaryReader, type BinaryWriter } from "./binary.js";
import type { Instruction } from "./instructions.js";
import { OP, VALTYPE_I32, VALTYPE_I64 } from "./opcodes.js";

/** Width in bytes of each integer store (floats are refused at deployment). */
const STORE_WIDTH: ReadonlyMap<number, number> = new Map([
  [0x36, 4], // i32.store
  [0x37, 8], // i64.store
  [0x3a, 1], // i32.store8
  [0x3b, 2], // i32.store16
  [0x3c, 1], // i64.store8
  [0x3d, 2], // i64.store16
  [0x3e, 4], // i64.store32
]);

const LOCAL_TEE = 0x22;
const IF = OP.if;
const BLOCKTYPE_EMPTY = 0x40;

export function isStore(op: number): boolean {
  return STORE_WIDTH.has(op);
}

/** The static offset of a store instruction (its memarg: alignment, then offset). */
function storeOffset(bytes: Uint8Array, ins: Instruction): number {
  const r = new BinaryReader(bytes, ins.start + 1, ins.end);
  r.u32(); // alignment
  return r.u32();
}

/** The largest `offset + width` over every store of the module (0 if it has none). */
export function maxStoreEnd(bytes: Uint8Array, code: readonly Instruction[][]): number {
  let max = 0;
  for (const instrs of code)
    for (const ins of instrs) {
      const width = STORE_WIDTH.get(ins.op);
      if (width !== undefined) max = Math.max(max, storeOffset(bytes, ins) + width);
    }
  return max;
}

/** The scratch locals a storing function gets, after its own. */
export interface ScratchLocals {
  address: number;
  i32: number;
  /** The highest address this activation stored at (starts at 0, as every local). */
  highest: number;
  /** The lowest address this activation stored at (set to 2^32 - 1 on entry: `startLowest`). */
  lowest: number;
  i64: number;
}

/**
 * The function's local declarations (`bytes[start, end)`, a vector of groups) with the
 * scratch locals appended when `stores`; returns their indices (`firstFree` is the
 * function's params plus its own locals).
 */
export function declareScratch(
  w: BinaryWriter,
  bytes: Uint8Array,
  start: number,
  end: number,
  firstFree: number,
): ScratchLocals {
  const r = new BinaryReader(bytes, start, end);
  const groups = r.u32();
  w.u32(groups + 2)
    .bytes(bytes.subarray(r.offset, end))
    .u32(4)
    .byte(VALTYPE_I32)
    .u32(1)
    .byte(VALTYPE_I64);
  return {
    address: firstFree,
    i32: firstFree + 1,
    highest: firstFree + 2,
    lowest: firstFree + 3,
    i64: firstFree + 4,
  };
}

/** `lowest = 2^32 - 1`: the first code of a storing function. */
export function startLowest(w: BinaryWriter, scratch: ScratchLocals): void {
  w.byte(OP.i32Const).s32(-1).byte(OP.localSet).u32(scratch.lowest);
}

/** `if (local > reach) reach = local` (the global `reach`). */
export function raiseReach(w: BinaryWriter, reach: number, local: number): void {
  w.byte(OP.localGet).u32(local).byte(OP.globalGet).u32(reach).byte(OP.i32GtU);
  w.byte(IF).byte(BLOCKTYPE_EMPTY).byte(OP.localGet).u32(local).byte(OP.globalSet).u32(reach).byte(OP.end);
}

/** `if (local < low) low = local` (the global `low`, unsigned). */
export function lowerLow(w: BinaryWriter, low: number, local: number): void {
  w.byte(OP.localGet).u32(local).byte(OP.globalGet).u32(low).byte(OP.i32LtU);
  w.byte(IF).byte(BLOCKTYPE_EMPTY).byte(OP.localGet).u32(local).byte(OP.globalSet).u32(low).byte(OP.end);
}

/** A store (`bytes[ins.start, ins.end)`), then the activation's highest address raised to its address. */
export function trackedStore(
  w: BinaryWriter,
  bytes: Uint8Array,
  ins: Instruction,
  scratch: ScratchLocals,
): void {
  const value = ins.op === 0x36 || ins.op === 0x3a || ins.op === 0x3b ? scratch.i32 : scratch.i64;
  w.byte(OP.localSet).u32(value).byte(LOCAL_TEE).u32(scratch.address).byte(OP.localGet).u32(value);
  w.bytes(bytes.subarray(ins.start, ins.end));
  w.byte(OP.localGet).u32(scratch.address).byte(OP.localGet).u32(scratch.highest).byte(OP.i32GtU);
  w.byte(IF)
    .byte(BLOCKTYPE_EMPTY)
    .byte(OP.localGet)
    .u32(scratch.address)
    .byte(OP.localSet)
    .u32(scratch.highest)
    .byte(OP.end);
  w.byte(OP.localGet).u32(scratch.address).byte(OP.localGet).u32(scratch.lowest).byte(OP.i32LtU);
  w.byte(IF)
    .byte(BLOCKTYPE_EMPTY)
    .byte(OP.localGet)
    .u32(scratch.address)
    .byte(OP.localSet)
    .u32(scratch.lowest)
    .byte(OP.end);
}
