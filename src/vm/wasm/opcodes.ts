/**
 * The instruction set a Weft contract may use: WebAssembly MVP integer instructions,
 * sign extension, multi-value blocks and the bulk memory instructions `memory.copy` and
 * `memory.fill` (metered per byte: `instrument.ts`). Everything else is refused at
 * deployment, each with its reason: floating point is nondeterministic across hardware
 * (NaN bits), SIMD, threads, the rest of bulk memory (`memory.init`, `data.drop`, tables),
 * reference types, exceptions and tail calls are features the VM does not meter or support.
 */

export const VALTYPE_I32 = 0x7f;
export const VALTYPE_I64 = 0x7e;
export const VALTYPE_F32 = 0x7d;
export const VALTYPE_F64 = 0x7c;
export const BLOCKTYPE_EMPTY = 0x40;

export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  localGet: 0x20,
  globalGet: 0x23,
  globalSet: 0x24,
  memorySize: 0x3f,
  memoryGrow: 0x40,
  i32Const: 0x41,
  i64Const: 0x42,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i64Mul: 0x7e,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64LtS: 0x53,
  i64Add: 0x7c,
  i64ShrU: 0x88,
  localSet: 0x21,
  /** The prefix of `memory.copy` (sub-opcode 10) and `memory.fill` (11). */
  prefixFC: 0xfc,
  /**
   * `memory.copy` and `memory.fill` in decoded instructions (`instructions.ts`): the
   * prefix and sub-opcode as one number, outside the one-byte opcodes.
   */
  memoryCopy: 0xfc0a,
  memoryFill: 0xfc0b,
} as const;

export function valtypeName(type: number): string {
  switch (type) {
    case VALTYPE_I32:
      return "i32";
    case VALTYPE_I64:
      return "i64";
    case VALTYPE_F32:
      return "f32";
    case VALTYPE_F64:
      return "f64";
    case 0x7b:
      return "v128";
    case 0x70:
      return "funcref";
    case 0x6f:
      return "externref";
    default:
      return `0x${type.toString(16)}`;
  }
}

export function isFloatType(type: number): boolean {
  return type === VALTYPE_F32 || type === VALTYPE_F64;
}

/** Single-byte opcodes that touch floating point. */
export function isFloatOpcode(op: number): boolean {
  return (
    op === 0x2a || // f32.load
    op === 0x2b || // f64.load
    op === 0x38 || // f32.store
    op === 0x39 || // f64.store
    op === 0x43 || // f32.const
    op === 0x44 || // f64.const
    (op >= 0x5b && op <= 0x66) || // float comparisons
    (op >= 0x8b && op <= 0xa6) || // float arithmetic
    (op >= 0xa8 && op <= 0xab) || // i32.trunc_f*
    (op >= 0xae && op <= 0xbf) // i64.trunc_f*, conversions, reinterpretations
  );
}

/** Integer instructions without immediates (numeric, comparisons, sign extension). */
export function isPlainIntegerOpcode(op: number): boolean {
  return (
    op === 0x01 || // nop
    op === 0x1a || // drop
    op === 0x1b || // select
    (op >= 0x45 && op <= 0x5a) ||
    (op >= 0x67 && op <= 0x8a) ||
    op === 0xa7 ||
    op === 0xac ||
    op === 0xad ||
    (op >= 0xc0 && op <= 0xc4)
  );
}

/** Loads and stores: two u32 immediates (alignment, offset). Float ones are refused separately. */
export function isMemoryAccessOpcode(op: number): boolean {
  return op >= 0x28 && op <= 0x3e;
}

/** Why an opcode outside the allowed set is refused. */
export function forbiddenFeature(op: number): string {
  if (op >= 0x06 && op <= 0x0a) return "exception handling";
  if (op === 0x18 || op === 0x19 || op === 0x1f) return "exception handling";
  if (op === 0x12 || op === 0x13 || op === 0x15) return "tail calls";
  if (op === 0x14) return "typed function references";
  if (op === 0x1c || op === 0x25 || op === 0x26 || (op >= 0xd0 && op <= 0xd6)) return "reference types";
  if (op === 0xfb) return "garbage collection";
  if (op === 0xfc) return "bulk memory or table instructions other than memory.copy and memory.fill";
  if (op === 0xfd) return "SIMD";
  if (op === 0xfe) return "threads and atomics";
  return `unknown opcode 0x${op.toString(16)}`;
}
