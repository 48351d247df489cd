/**
 * The most values a function body can ever hold on its operand stack, computed from its
 * instructions the way a validator tracks the stack: each instruction pops and pushes a
 * fixed number of values (calls and blocks take theirs from their types); `end` leaves
 * the block's start height plus its results; after `br`, `br_table`, `return` and
 * `unreachable` the rest of the block is unreachable and the height falls back to the
 * block's start (pops there never go below it). The stack metering charges this height,
 * with the function's params and locals, on every call (`instrument.ts`): V8 keeps each
 * of those values in a slot of the function's machine frame, so a frame's real size
 * grows with it.
 *
 * The count is an upper bound on every path, whichever way the branches go. Deployment
 * (`validate.ts`) computes every function's frame with it, refuses frames over
 * `MAX_FRAME_UNITS`, and V8 then validates the stack discipline it relies on.
 */
import { FRAME_OVERHEAD_UNITS } from "../limits.js";
import { BinaryReader } from "./binary.js";
import type { FuncSignature } from "./hostImports.js";
import type { Instruction } from "./instructions.js";
import { OP } from "./opcodes.js";

/** What the height analysis needs to know about the module. */
export interface StackTypes {
  types: readonly FuncSignature[];
  /** Type index of every function, imported ones first. */
  functionTypes: readonly number[];
}

interface Control {
  /** Height below the block's own values (its params included above it). */
  base: number;
  params: number;
  results: number;
}

/** Values popped and pushed by an instruction without immediates or with a fixed effect. */
function plainEffect(op: number): number {
  if (op === 0x01) return 0; // nop
  if (op === 0x1a) return -1; // drop
  if (op === 0x1b) return -2; // select: 3 in, 1 out
  if (op === 0x45 || op === 0x50) return 0; // eqz
  if ((op >= 0x46 && op <= 0x4f) || (op >= 0x51 && op <= 0x5a)) return -1; // comparisons
  if ((op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7b)) return 0; // clz, ctz, popcnt
  if ((op >= 0x6a && op <= 0x78) || (op >= 0x7c && op <= 0x8a)) return -1; // binary arithmetic
  if (op === 0xa7 || op === 0xac || op === 0xad || (op >= 0xc0 && op <= 0xc4)) return 0; // conversions
  if (op >= 0x28 && op <= 0x35) return 0; // loads: address in, value out
  if (op >= 0x36 && op <= 0x3e) return -2; // stores
  switch (op) {
    case OP.localGet:
    case OP.globalGet:
    case OP.i32Const:
    case OP.i64Const:
    case OP.memorySize:
      return 1;
    case 0x21: // local.set
    case OP.globalSet:
    case OP.brIf:
      return -1;
    case 0x22: // local.tee
    case OP.memoryGrow:
      return 0;
    case OP.memoryCopy: // destination, source, length
    case OP.memoryFill: // destination, byte, length
      return -3;
    default:
      throw new Error(`stack height: unexpected opcode 0x${op.toString(16)}`);
  }
}

function blockArity(r: BinaryReader, t: StackTypes): { params: number; results: number } {
  const bt = r.s33();
  if (bt >= 0) {
    const type = t.types[bt];
    if (type === undefined) throw new Error(`stack height: block type ${bt} out of range`);
    return { params: type.params.length, results: type.results.length };
  }
  return { params: 0, results: (bt & 0x7f) === 0x40 ? 0 : 1 };
}

/** The maximum operand stack height of one body, in values. */
export function maxStackHeight(
  bytes: Uint8Array,
  instrs: readonly Instruction[],
  resultCount: number,
  t: StackTypes,
): number {
  const controls: Control[] = [{ base: 0, params: 0, results: resultCount }];
  let height = 0;
  let max = 0;
  const pop = (n: number) => {
    const top = controls[controls.length - 1] as Control;
    height = Math.max(top.base, height - n);
  };
  for (const ins of instrs) {
    const op = ins.op;
    const r = new BinaryReader(bytes, ins.start + 1, ins.end);
    switch (op) {
      case OP.block:
      case OP.loop:
      case OP.if: {
        if (op === OP.if) pop(1);
        const { params, results } = blockArity(r, t);
        controls.push({ base: Math.max(0, height - params), params, results });
        break;
      }
      case OP.else: {
        const top = controls[controls.length - 1] as Control;
        height = top.base + top.params;
        break;
      }
      case OP.end: {
        const top = controls.pop() as Control;
        height = top.base + top.results;
        break;
      }
      case OP.unreachable:
      case OP.br:
      case OP.brTable:
      case OP.return:
        height = (controls[controls.length - 1] as Control).base;
        break;
      case OP.call:
      case OP.callIndirect: {
        const index = r.u32();
        const typeIndex = op === OP.call ? t.functionTypes[index] : index;
        const type = typeIndex === undefined ? undefined : t.types[typeIndex];
        if (type === undefined) throw new Error(`stack height: call of unknown function or type ${index}`);
        pop(type.params.length + (op === OP.callIndirect ? 1 : 0));
        height += type.results.length;
        break;
      }
      default: {
        const effect = plainEffect(op);
        if (effect < 0) pop(-effect);
        else height += effect;
      }
    }
    if (height > max) max = height;
  }
  return max;
}

/** Values the injected metering code pushes on top of the contract's own (`instrument.ts`). */
export const METERING_HEIGHT = 2;

/**
 * The stack units one call of a function costs: `FRAME_OVERHEAD_UNITS` plus its params
 * twice (V8 passes most of them in stack slots of the caller, and the callee's baseline
 * code keeps a copy of its own), results (V8 returns most of a multi-value result in
 * stack slots), locals and maximum operand stack height (with the metering code's own
 * values). `bench/stackMargin.ts` measured params at about three 8-byte slots each.
 */
export function frameUnits(
  bytes: Uint8Array,
  instrs: readonly Instruction[],
  type: FuncSignature,
  localCount: number,
  t: StackTypes,
): number {
  const height = maxStackHeight(bytes, instrs, type.results.length, t) + METERING_HEIGHT;
  return FRAME_OVERHEAD_UNITS + 2 * type.params.length + type.results.length + localCount + height;
}
