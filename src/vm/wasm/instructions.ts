/**
 * Decodes a function body into its instructions (opcode and byte range), refusing every
 * instruction outside the allowed set (see `opcodes.ts`). The instrumenter walks this
 * list to find basic blocks, returns, `memory.grow`, `memory.copy` and `memory.fill`.
 */
import { DeployError } from "../errors.js";
import { BinaryReader } from "./binary.js";
import {
  forbiddenFeature,
  isFloatOpcode,
  isFloatType,
  isMemoryAccessOpcode,
  isPlainIntegerOpcode,
  OP,
  valtypeName,
} from "./opcodes.js";

export interface Instruction {
  /** The opcode; `OP.memoryCopy` / `OP.memoryFill` for the two allowed 0xfc instructions. */
  op: number;
  /** Byte range of the whole instruction (opcode and immediates) in the module. */
  start: number;
  end: number;
}

function refuse(op: number, fn: number): never {
  if (op === 0xfc) {
    throw new DeployError(
      "FEATURE_NOT_ALLOWED",
      `function ${fn} uses bulk memory (other than memory.copy and memory.fill), table or saturating float instructions`,
    );
  }
  throw new DeployError("FEATURE_NOT_ALLOWED", `function ${fn} uses ${forbiddenFeature(op)}`);
}

function readBlockType(r: BinaryReader, fn: number): void {
  const bt = r.s33();
  if (bt >= 0) return; // a type index (multi-value); V8 checks it exists
  const byte = bt & 0x7f;
  if (byte === 0x40 || byte === 0x7f || byte === 0x7e) return;
  if (isFloatType(byte))
    throw new DeployError("FLOAT_NOT_ALLOWED", `function ${fn} has a block of type ${valtypeName(byte)}`);
  throw new DeployError("FEATURE_NOT_ALLOWED", `function ${fn} has a block of type ${valtypeName(byte)}`);
}

/** The instructions of one body, `codeStart` to `end`, the final `end` included. */
export function decodeInstructions(
  bytes: Uint8Array,
  codeStart: number,
  end: number,
  fn: number,
): Instruction[] {
  const r = new BinaryReader(bytes, codeStart, end);
  const out: Instruction[] = [];
  let depth = 1;
  while (depth > 0) {
    const start = r.offset;
    const op = r.u8();
    if (isPlainIntegerOpcode(op)) {
      // no immediates
    } else if (isFloatOpcode(op)) {
      throw new DeployError(
        "FLOAT_NOT_ALLOWED",
        `function ${fn} uses floating-point opcode 0x${op.toString(16)}`,
      );
    } else if (isMemoryAccessOpcode(op)) {
      const align = r.u32();
      if (align >= 64) refuse(0xfc, fn);
      r.u32();
    } else {
      switch (op) {
        case OP.unreachable:
        case OP.else:
        case OP.return:
          break;
        case OP.end:
          depth--;
          break;
        case OP.block:
        case OP.loop:
        case OP.if:
          readBlockType(r, fn);
          depth++;
          break;
        case OP.br:
        case OP.brIf:
        case OP.call:
        case 0x21: // local.set
        case 0x22: // local.tee
        case OP.localGet:
        case OP.globalGet:
        case OP.globalSet:
          r.u32();
          break;
        case OP.brTable:
          for (let n = r.u32(), i = 0; i <= n; i++) r.u32();
          break;
        case OP.callIndirect:
          r.u32();
          if (r.u32() !== 0) refuse(0x1c, fn);
          break;
        case OP.memorySize:
        case OP.memoryGrow:
          if (r.u8() !== 0) refuse(0xfc, fn);
          break;
        case OP.i32Const:
          r.skipSigned(32);
          break;
        case OP.i64Const:
          r.skipSigned(64);
          break;
        case OP.prefixFC: {
          // memory.copy (10, two memory indices) and memory.fill (11, one): memory 0 only.
          const sub = r.u32();
          if (sub === 10) {
            if (r.u8() !== 0 || r.u8() !== 0) refuse(0xfc, fn);
            out.push({ op: OP.memoryCopy, start, end: r.offset });
          } else if (sub === 11) {
            if (r.u8() !== 0) refuse(0xfc, fn);
            out.push({ op: OP.memoryFill, start, end: r.offset });
          } else refuse(0xfc, fn);
          continue;
        }
        default:
          refuse(op, fn);
      }
    }
    out.push({ op, start, end: r.offset });
  }
  if (!r.done) r.fail(`function ${fn} has bytes after its final end`);
  return out;
}
