/**
 * A contract's static data (its active data segments). The node applies them itself, into
 * a pooled memory, rather than leaving them in the module: V8 pays ~25 µs per
 * instantiation of a module that defines its own memory and data (a fresh mapping whose
 * pages fault in), against ~5 µs for an instance importing a reused, zeroed memory.
 * Compilers also split data into many small segments, so they are merged when they do
 * not overlap (memory starts zeroed: filling the gaps with zeros writes the same bytes).
 */
import { DeployError } from "../errors.js";
import { type BinaryReader, BinaryWriter } from "./binary.js";
import { OP } from "./opcodes.js";

export interface DataSegment {
  offset: number;
  bytes: Uint8Array;
}

/** Largest merged segment, in bytes: beyond this, copying zero gaps costs more than it saves. */
const MAX_MERGED_BYTES = 64 * 1024;

/** The data section's segments; only active segments at constant offsets are allowed. */
export function parseDataSegments(r: BinaryReader): DataSegment[] {
  const count = r.u32();
  const out: DataSegment[] = [];
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags === 2 && r.u32() !== 0) r.fail(`data segment ${i} names a memory other than 0`);
    else if (flags !== 0 && flags !== 2) {
      throw new DeployError("FEATURE_NOT_ALLOWED", `data segment ${i} is passive (bulk memory)`);
    }
    if (r.u8() !== OP.i32Const) {
      throw new DeployError("FEATURE_NOT_ALLOWED", `data segment ${i} has a non-constant offset`);
    }
    const offset = readS32(r);
    if (r.u8() !== OP.end)
      throw new DeployError("FEATURE_NOT_ALLOWED", `data segment ${i} has a non-constant offset`);
    out.push({ offset: offset >>> 0, bytes: r.take(r.u32()) });
  }
  return out;
}

/** The segments merged into one when none overlaps another, else unchanged. */
export function mergeSegments(segments: readonly DataSegment[]): DataSegment[] {
  if (segments.length < 2) return [...segments];
  const sorted = [...segments].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as DataSegment;
    if ((sorted[i] as DataSegment).offset < prev.offset + prev.bytes.length) return [...segments];
  }
  const first = sorted[0] as DataSegment;
  const last = sorted[sorted.length - 1] as DataSegment;
  const span = last.offset + last.bytes.length - first.offset;
  if (span > MAX_MERGED_BYTES) return [...segments];
  const merged = new Uint8Array(span);
  for (const s of sorted) merged.set(s.bytes, s.offset - first.offset);
  return [{ offset: first.offset, bytes: merged }];
}

/** The data section encoding `segments` (for modules run without instrumentation). */
export function encodeDataSection(segments: readonly DataSegment[]): Uint8Array {
  const w = new BinaryWriter().u32(segments.length);
  for (const s of segments)
    w.u32(0).byte(OP.i32Const).s32(s.offset).byte(OP.end).u32(s.bytes.length).bytes(s.bytes);
  return w.finish();
}

function readS32(r: BinaryReader): number {
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    if (shift > 28) r.fail("s32 too long");
    byte = r.u8();
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 32 && byte & 0x40) result |= -1 << shift;
  return result;
}
