/**
 * Metering injected into a contract's bytecode by the node, so that the contract pays
 * for what it runs and can never run unbounded:
 *
 * - Gas: every basic block starts by charging the cost of its instructions to an
 *   exported mutable i32 global (`__weft_gas`): `INSTRUCTION` each, `CALL_INSTRUCTION`
 *   for `call`/`call_indirect`, `DIVISION` for integer division and remainder
 *   (`instructionGas`). A block is cut after `block`, `loop`,
 *   `if`, `else` and `end`, so every loop iteration pays before it runs. When the gas
 *   left is below the cost the counter is set to -1 and the module traps: the VM reads
 *   that as out of gas.
 * - Bulk memory: `memory.copy` and `memory.fill` are replaced by calls to injected
 *   functions that charge `GAS.MEMORY_BULK` plus `GAS.MEMORY_BULK_WORD` per 16 bytes
 *   (rounded up, computed in 64 bits so no length overflows it) before running the
 *   instruction; its bounds check then traps as usual. The call itself pays
 *   `CALL_INSTRUCTION` in its block.
 * - Memory: `memory.grow` is replaced by a call to an injected function that charges
 *   `GAS.MEMORY_GROW_PAGE` per page first; the memory's maximum is the contract's own, capped
 *   at `MAX_MEMORY_PAGES`, and growing past it fails (returns -1) deterministically. The
 *   injected function enforces it: the imported memory itself always declares
 *   `MAX_MEMORY_PAGES`, the maximum of the pool's memories, so that a contract declaring
 *   a smaller maximum still links.
 * - Stack: every function adds its frame size (`FRAME_OVERHEAD_UNITS + params + results +
 *   locals + its maximum operand stack height`, `stackHeight.ts`, computed at validation)
 *   to `__weft_stack` on entry and
 *   traps past `MAX_STACK_UNITS`; it subtracts it again on every way out (the body is
 *   wrapped in a block so a branch to the function's own label lands on the epilogue;
 *   `return` gets the epilogue inserted before it). The frame size counts every value V8
 *   keeps in the function's machine frame, so the budget bounds the real stack
 *   (`limits.ts` has the measured bound).
 * - Store reach: every store raises a local to its address and lowers another to it,
 *   folded into the `__weft_reach` and `__weft_low` globals when the function returns, so
 *   that the pool resets only the memory a call wrote (`storeReach.ts`). Not metered: it
 *   changes no gas.
 * - Start: the start section is removed and its function called by the dispatcher
 *   (`dispatcher.ts`), so the VM can set the counters before any contract code runs,
 *   or skipped when the VM restores what it leaves (`startSnapshot.ts`).
 * - Memory and data: the memory becomes an import the VM supplies from a pool of zeroed
 *   memories, and the data segments move out of the module (flattened into a few runs;
 *   the VM copies them in, `dataSegments.ts`). Instantiation, paid on every call, gets about ten times cheaper
 *   (`dataSegments.ts` has the figures).
 */
import { GAS } from "../gasSchedule.js";
import { MAX_MEMORY_PAGES, MAX_STACK_UNITS } from "../limits.js";
import { BinaryReader, BinaryWriter } from "./binary.js";
import { type DataSegment, flattenSegments } from "./dataSegments.js";
import { type DispatchGlobal, dispatchFunction, globalsOffset } from "./dispatcher.js";
import type { Instruction } from "./instructions.js";
import { BLOCKTYPE_EMPTY, OP, VALTYPE_I32, VALTYPE_I64 } from "./opcodes.js";
import { EXPORT_FUNC, EXPORT_GLOBAL, EXPORT_MEMORY, SECTION, SECTION_ORDER } from "./parseModule.js";
import {
  declareScratch,
  isStore,
  lowerLow,
  maxStoreEnd,
  raiseReach,
  type ScratchLocals,
  startLowest,
  trackedStore,
} from "./storeReach.js";
import { type ValidatedModule, validateModule } from "./validate.js";

export const GAS_GLOBAL = "__weft_gas";
export const STACK_GLOBAL = "__weft_stack";
/** How far the call's stores reached (`storeReach.ts`). */
export const REACH_GLOBAL = "__weft_reach";
/** The lowest address the call's stores wrote at (`storeReach.ts`). */
export const LOW_GLOBAL = "__weft_low";
/** The one function a prepared module exports: `__weft_call(method index)`. */
export const CALL_EXPORT = "__weft_call";
/** The import module the prepared module takes its memory from (the node's, not the contract's). */
export const MEMORY_IMPORT_MODULE = "weft:memory";

interface Indices {
  gas: number;
  stack: number;
  reach: number;
  low: number;
  grow: number;
  copy: number;
  fill: number;
}

/** Validates and instruments `bytes`; the result is what the node compiles and runs. */
export function instrumentContract(bytes: Uint8Array): PreparedModule {
  return instrumentModule(validateModule(bytes));
}

/** A vector section's body with `extra` more entries appended. */
function appendToVector(body: Uint8Array | undefined, extraCount: number, extra: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  if (body === undefined) return w.u32(extraCount).bytes(extra).finish();
  const r = new BinaryReader(body);
  const count = r.u32();
  return w
    .u32(count + extraCount)
    .bytes(body.subarray(r.offset))
    .bytes(extra)
    .finish();
}

/** A module ready to run: its code, and the memory and data the VM provides at each call. */
export interface PreparedModule {
  bytes: Uint8Array;
  /** Method names in dispatch order: `__weft_call(i)` runs `methods[i]` (`init` included). */
  methods: string[];
  /** Pages the memory starts with, and the most it may grow to. */
  initialPages: number;
  maxPages: number;
  /** Static data to copy into the (zeroed) memory before instantiating. */
  data: DataSegment[];
  /** The module has a start function (the dispatcher runs it: `dispatcher.ts`). */
  hasStart: boolean;
  /**
   * Where the dispatcher exchanges the mutable globals with the VM in snapshot mode
   * (`dispatcher.ts`), or undefined if they do not fit in the initial memory.
   */
  globalsAt: number | undefined;
  /** Types of the mutable globals, in the order of their 8-byte slots at `globalsAt`. */
  globalTypes: number[];
  /**
   * With metering: the largest static offset plus width of the module's stores, which
   * `__weft_reach` plus this bounds every byte a call wrote (`storeReach.ts`). Undefined
   * without metering (nothing tracks the stores).
   */
  storeReach: number | undefined;
}

/**
 * Prepares a validated module for the VM:
 * - the memory becomes an import (`"weft:memory"`, supplied from a pool) and the data
 *   segments move out of the module (the VM copies them in);
 * - the exports are replaced by one dispatcher, `__weft_call(method index, mode, ...)`
 *   (`dispatcher.ts`), which runs the start function (or restores what it left) and then the method (V8 spends about 1 µs per export on every
 *   instantiation: a contract with 15 methods paid 15 µs per call for them);
 * - with `metering` (the default, and what consensus runs) gas and stack metering are
 *   injected. Without it, the code is left as compiled (benchmarks only).
 */
export function instrumentModule(v: ValidatedModule, metering = true): PreparedModule {
  const { parsed } = v;
  const memory = parsed.memory;
  if (memory === undefined) throw new Error("validated module has no memory");
  const maxPages = Math.min(memory.max ?? MAX_MEMORY_PAGES, MAX_MEMORY_PAGES);
  const original = new Map(parsed.sections.map((s) => [s.id, s.body]));
  const rebuilt = new Map<number, Uint8Array>();

  const memoryImport = new BinaryWriter()
    .name(MEMORY_IMPORT_MODULE)
    .name("memory")
    .byte(EXPORT_MEMORY)
    .byte(1)
    .u32(memory.min)
    .u32(MAX_MEMORY_PAGES)
    .finish();
  rebuilt.set(SECTION.import, appendToVector(original.get(SECTION.import), 1, memoryImport));
  original.delete(SECTION.memory);
  original.delete(SECTION.data);
  original.delete(SECTION.dataCount);
  original.delete(SECTION.export);

  // New types, functions and globals are appended: no index in the contract's code moves.
  const newTypes = new BinaryWriter();
  let typeCount = parsed.types.length;
  const addType = (params: number[], results: number[]): number => {
    newTypes.byte(0x60).u32(params.length);
    for (const p of params) newTypes.byte(p);
    newTypes.u32(results.length);
    for (const r of results) newTypes.byte(r);
    return typeCount++;
  };
  const added: Array<{ type: number; body: Uint8Array }> = [];
  const functionBase = parsed.functionTypes.length;

  const code = new BinaryWriter();
  const exports = new BinaryWriter();
  let exportCount = 0;
  if (metering) {
    const ix: Indices = {
      gas: parsed.globalCount,
      stack: parsed.globalCount + 1,
      reach: parsed.globalCount + 2,
      low: parsed.globalCount + 3,
      grow: functionBase,
      copy: functionBase + 1,
      fill: functionBase + 2,
    };
    added.push({ type: addType([VALTYPE_I32], [VALTYPE_I32]), body: growFunction(ix.gas, maxPages) });
    const bulkType = addType([VALTYPE_I32, VALTYPE_I32, VALTYPE_I32], []);
    added.push({ type: bulkType, body: bulkFunction(ix, MEMORY_COPY) });
    added.push({ type: bulkType, body: bulkFunction(ix, MEMORY_FILL) });
    const blockTypes = new Map<number, number>();
    for (const t of new Set(parsed.functionTypes)) {
      const type = parsed.types[t];
      if (type !== undefined && type.results.length > 1) blockTypes.set(t, addType([], [...type.results]));
    }
    v.code.forEach((instrs, i) => {
      const fn = parsed.importedFunctionCount + i;
      const typeIndex = parsed.functionTypes[fn] as number;
      const type = parsed.types[typeIndex];
      const body = parsed.bodies[i];
      if (type === undefined || body === undefined) throw new Error("validated module lost a function");
      const blockType =
        type.results.length === 0
          ? { byte: BLOCKTYPE_EMPTY }
          : type.results.length === 1
            ? { byte: type.results[0] as number }
            : { index: blockTypes.get(typeIndex) as number };
      const units = v.frameUnits[i] as number;
      const firstFree = type.params.length + body.localCount;
      const out = instrumentBody(parsed.bytes, body, firstFree, instrs, units, blockType, ix);
      code.u32(out.length).bytes(out);
    });
    const globals = new BinaryWriter();
    for (let i = 0; i < 3; i++) globals.byte(VALTYPE_I32).byte(1).byte(OP.i32Const).byte(0).byte(OP.end);
    globals.byte(VALTYPE_I32).byte(1).byte(OP.i32Const).s32(-1).byte(OP.end); // low: 2^32 - 1
    rebuilt.set(SECTION.global, appendToVector(original.get(SECTION.global), 4, globals.finish()));
    exports
      .name(GAS_GLOBAL)
      .byte(EXPORT_GLOBAL)
      .u32(ix.gas)
      .name(STACK_GLOBAL)
      .byte(EXPORT_GLOBAL)
      .u32(ix.stack)
      .name(REACH_GLOBAL)
      .byte(EXPORT_GLOBAL)
      .u32(ix.reach)
      .name(LOW_GLOBAL)
      .byte(EXPORT_GLOBAL)
      .u32(ix.low);
    exportCount += 4;
  } else {
    for (const body of parsed.bodies)
      code.u32(body.end - body.start).bytes(parsed.bytes.subarray(body.start, body.end));
  }

  const methodExports = parsed.exports.filter((e) => e.kind === EXPORT_FUNC);
  const mutableGlobals: DispatchGlobal[] = [];
  parsed.globals.forEach((g, index) => {
    if (g.mutable) mutableGlobals.push({ index, type: g.type, init: g.init });
  });
  const globalsAt = globalsOffset(memory.min, mutableGlobals.length);
  const dispatchType = addType([VALTYPE_I32, VALTYPE_I32], []);
  const dispatcher = functionBase + added.length;
  added.push({
    type: dispatchType,
    body: dispatchFunction(
      parsed.start,
      methodExports.map((e) => e.index),
      mutableGlobals,
      globalsAt,
    ),
  });
  exports.name(CALL_EXPORT).byte(EXPORT_FUNC).u32(dispatcher);
  exportCount++;

  for (const f of added) code.u32(f.body.length).bytes(f.body);
  const functionTypes = new BinaryWriter();
  for (const f of added) functionTypes.u32(f.type);
  rebuilt.set(
    SECTION.type,
    appendToVector(original.get(SECTION.type), typeCount - parsed.types.length, newTypes.finish()),
  );
  rebuilt.set(
    SECTION.function,
    appendToVector(original.get(SECTION.function), added.length, functionTypes.finish()),
  );
  rebuilt.set(
    SECTION.code,
    new BinaryWriter()
      .u32(parsed.bodies.length + added.length)
      .bytes(code.finish())
      .finish(),
  );
  rebuilt.set(SECTION.export, new BinaryWriter().u32(exportCount).bytes(exports.finish()).finish());

  const w = new BinaryWriter().bytes(parsed.bytes.subarray(0, 8));
  for (const id of SECTION_ORDER) {
    if (id === SECTION.start) continue;
    const body = rebuilt.get(id) ?? original.get(id);
    if (body !== undefined) w.section(id, body);
  }
  return {
    bytes: w.finish(),
    methods: methodExports.map((e) => e.name),
    initialPages: memory.min,
    maxPages,
    data: flattenSegments(parsed.data),
    hasStart: parsed.start !== undefined,
    globalsAt,
    globalTypes: mutableGlobals.map((g) => g.type),
    storeReach: metering ? maxStoreEnd(parsed.bytes, v.code) : undefined,
  };
}

function chargeGas(w: BinaryWriter, gas: number, cost: number): void {
  // if (gas < cost) { gas = -1; unreachable }  gas -= cost
  w.byte(OP.globalGet).u32(gas).byte(OP.i32Const).s32(cost).byte(OP.i32LtS);
  w.byte(OP.if)
    .byte(BLOCKTYPE_EMPTY)
    .byte(OP.i32Const)
    .s32(-1)
    .byte(OP.globalSet)
    .u32(gas)
    .byte(OP.unreachable);
  w.byte(OP.end);
  w.byte(OP.globalGet).u32(gas).byte(OP.i32Const).s32(cost).byte(OP.i32Sub).byte(OP.globalSet).u32(gas);
}

function leaveFrame(w: BinaryWriter, stack: number, units: number): void {
  w.byte(OP.globalGet).u32(stack).byte(OP.i32Const).s32(units).byte(OP.i32Sub).byte(OP.globalSet).u32(stack);
}

/** Integer division and remainder: i32 div_s, div_u, rem_s, rem_u and the same for i64. */
const DIVISIONS: ReadonlySet<number> = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82]);

/** Gas of one instruction (bench/calibrate.ts measures each class). */
export function instructionGas(op: number): number {
  if (op === OP.call || op === OP.callIndirect || op === OP.memoryCopy || op === OP.memoryFill)
    return GAS.CALL_INSTRUCTION;
  if (DIVISIONS.has(op)) return GAS.DIVISION;
  return GAS.INSTRUCTION;
}

/** Cost of each basic block, keyed by the index of its first instruction. */
function basicBlocks(instrs: Instruction[]): Map<number, number> {
  const costs = new Map<number, number>();
  let start = 0;
  let cost = 0;
  const last = instrs.length - 1;
  instrs.forEach((ins, i) => {
    const op = ins.op;
    cost += instructionGas(op);
    if (i === last || op === OP.block || op === OP.loop || op === OP.if || op === OP.else || op === OP.end) {
      costs.set(start, cost);
      start = i + 1;
      cost = 0;
    }
  });
  return costs;
}

function instrumentBody(
  bytes: Uint8Array,
  body: { start: number; codeStart: number },
  firstFree: number,
  instrs: Instruction[],
  units: number,
  blockType: { byte: number } | { index: number },
  ix: Indices,
): Uint8Array {
  const w = new BinaryWriter();
  // A function that stores gets scratch locals for tracking its stores (`storeReach.ts`).
  const scratch = instrs.some((ins) => isStore(ins.op))
    ? declareScratch(w, bytes, body.start, body.codeStart, firstFree)
    : undefined;
  if (scratch === undefined) w.bytes(bytes.subarray(body.start, body.codeStart));
  else startLowest(w, scratch);
  // Enter the frame: stack += units; trap past the budget.
  w.byte(OP.globalGet)
    .u32(ix.stack)
    .byte(OP.i32Const)
    .s32(units)
    .byte(OP.i32Add)
    .byte(OP.globalSet)
    .u32(ix.stack);
  w.byte(OP.globalGet).u32(ix.stack).byte(OP.i32Const).s32(MAX_STACK_UNITS).byte(OP.i32GtS);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY).byte(OP.unreachable).byte(OP.end);
  w.byte(OP.block);
  if ("byte" in blockType) w.byte(blockType.byte);
  else w.s32(blockType.index);

  const blocks = basicBlocks(instrs);
  const last = instrs.length - 1;
  instrs.forEach((ins, i) => {
    const cost = blocks.get(i);
    if (cost !== undefined && cost > 0) chargeGas(w, ix.gas, cost);
    if (ins.op === OP.memoryGrow) {
      w.byte(OP.call).u32(ix.grow);
    } else if (ins.op === OP.memoryCopy) {
      w.byte(OP.call).u32(ix.copy);
    } else if (ins.op === OP.memoryFill) {
      w.byte(OP.call).u32(ix.fill);
    } else if (scratch !== undefined && isStore(ins.op)) {
      trackedStore(w, bytes, ins, scratch);
    } else if (ins.op === OP.return) {
      if (scratch !== undefined) foldReach(w, ix, scratch);
      leaveFrame(w, ix.stack, units);
      w.byte(OP.return);
    } else if (i === last) {
      w.byte(OP.end);
      if (scratch !== undefined) foldReach(w, ix, scratch);
      leaveFrame(w, ix.stack, units);
      w.byte(OP.end);
    } else {
      w.bytes(bytes.subarray(ins.start, ins.end));
    }
  });
  return w.finish();
}

/** A storing function's way out: its highest and lowest addresses into the globals. */
function foldReach(w: BinaryWriter, ix: Indices, scratch: ScratchLocals): void {
  raiseReach(w, ix.reach, scratch.highest);
  lowerLow(w, ix.low, scratch.lowest);
}

/** `(pages) -> old size or -1`: charges for the pages, then grows up to `maxPages`. */
function growFunction(gas: number, maxPages: number): Uint8Array {
  const w = new BinaryWriter().u32(0); // no locals
  const pageCost = () =>
    w.byte(OP.localGet).u32(0).byte(OP.i32Const).s32(GAS.MEMORY_GROW_PAGE).byte(OP.i32Mul);
  // if (pages > maxPages) return -1   (also keeps the multiplication below small)
  w.byte(OP.localGet).u32(0).byte(OP.i32Const).s32(maxPages).byte(OP.i32GtU);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY).byte(OP.i32Const).s32(-1).byte(OP.return).byte(OP.end);
  // if (gas < pages * cost) { gas = -1; unreachable }
  w.byte(OP.globalGet).u32(gas);
  pageCost();
  w.byte(OP.i32LtS);
  w.byte(OP.if)
    .byte(BLOCKTYPE_EMPTY)
    .byte(OP.i32Const)
    .s32(-1)
    .byte(OP.globalSet)
    .u32(gas)
    .byte(OP.unreachable);
  w.byte(OP.end);
  // gas -= pages * cost
  w.byte(OP.globalGet).u32(gas);
  pageCost();
  w.byte(OP.i32Sub).byte(OP.globalSet).u32(gas);
  // if (memory.size + pages > maxPages) return -1; return memory.grow(pages)
  w.byte(OP.memorySize).byte(0).byte(OP.localGet).u32(0).byte(OP.i32Add);
  w.byte(OP.i32Const).s32(maxPages).byte(OP.i32GtU);
  w.byte(OP.if).byte(BLOCKTYPE_EMPTY).byte(OP.i32Const).s32(-1).byte(OP.return).byte(OP.end);
  w.byte(OP.localGet).u32(0).byte(OP.memoryGrow).byte(0).byte(OP.end);
  return w.finish();
}

/** `memory.copy` and `memory.fill` with their immediates (memory 0). */
const MEMORY_COPY = [OP.prefixFC, 10, 0, 0];
const MEMORY_FILL = [OP.prefixFC, 11, 0];

/**
 * `(destination, source or byte, length) -> ()`: charges `MEMORY_BULK` plus
 * `MEMORY_BULK_WORD` per 16 bytes of `length` (unsigned, rounded up, in 64 bits), then runs
 * `instruction` (`MEMORY_COPY` or `MEMORY_FILL`) on its arguments.
 */
function bulkFunction(ix: Indices, instruction: readonly number[]): Uint8Array {
  const gas = ix.gas;
  // One local, an i64 (local 3): the cost. Constants are small: i64.const takes the s32 encoding.
  const w = new BinaryWriter().u32(1).u32(1).byte(VALTYPE_I64);
  // cost = ((length + 15) >> 4) * MEMORY_BULK_WORD + MEMORY_BULK
  w.byte(OP.localGet).u32(2).byte(OP.i64ExtendI32U).byte(OP.i64Const).s32(15).byte(OP.i64Add);
  w.byte(OP.i64Const).s32(4).byte(OP.i64ShrU);
  w.byte(OP.i64Const).s32(GAS.MEMORY_BULK_WORD).byte(OP.i64Mul);
  w.byte(OP.i64Const).s32(GAS.MEMORY_BULK).byte(OP.i64Add);
  w.byte(OP.localSet).u32(3);
  // if (gas < cost) { gas = -1; unreachable }
  w.byte(OP.globalGet).u32(gas).byte(OP.i64ExtendI32S).byte(OP.localGet).u32(3).byte(OP.i64LtS);
  w.byte(OP.if)
    .byte(BLOCKTYPE_EMPTY)
    .byte(OP.i32Const)
    .s32(-1)
    .byte(OP.globalSet)
    .u32(gas)
    .byte(OP.unreachable);
  w.byte(OP.end);
  // gas -= cost (at most gas, so it fits in 32 bits)
  w.byte(OP.globalGet).u32(gas).byte(OP.localGet).u32(3).byte(OP.i32WrapI64).byte(OP.i32Sub);
  w.byte(OP.globalSet).u32(gas);
  w.byte(OP.localGet).u32(0).byte(OP.localGet).u32(1).byte(OP.localGet).u32(2);
  for (const b of instruction) w.byte(b);
  // It wrote from destination (when length > 0; lowering for none only resets more).
  lowerLow(w, ix.low, 0);
  // It wrote up to destination + length (no overflow: it did not trap): raise the reach to it.
  w.byte(OP.localGet).u32(0).byte(OP.localGet).u32(2).byte(OP.i32Add).byte(OP.localSet).u32(0);
  raiseReach(w, ix.reach, 0);
  w.byte(OP.end);
  return w.finish();
}
