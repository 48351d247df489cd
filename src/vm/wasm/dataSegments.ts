/**
 * A contract's static data (its active data segments). The node applies them itself, into
 * a pooled memory, rather than leaving them in the module: V8 pays ~25 µs per
 * instantiation of a module that defines its own memory and data (a fresh mapping whose
 * pages fault in), against ~5 µs for an instance importing a reused, zeroed memory.
 * The segments are flattened at compile time into the image they leave (`flattenSegments`):
 * a module may declare thousands of overlapping segments (40,000 one-byte segments once cost
 * ~800 µs a warm call at a flat price), and a call copies a bounded number of runs, priced
 * per run and per byte (`dataCopyGas`).
 */
import { DeployError } from "../errors.js";
import { GAS } from "../gasSchedule.js";
import { type BinaryReader, BinaryWriter } from "./binary.js";
import { OP } from "./opcodes.js";

export interface DataSegment {
  offset: number;
  bytes: Uint8Array;
}

/**
 * Zero bytes between two runs of data below which the runs are copied as one: copying the
 * gap costs what a separate run would (`GAS.DATA_RUN` against `GAS.DATA_WORD` per 16
 * bytes), so merging never raises a call's price and runs are at least this far apart.
 */
export const MERGE_GAP = (16 * GAS.DATA_RUN) / GAS.DATA_WORD;

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

/**
 * The memory image the segments leave, applied in order (a later segment overwrites an
 * earlier one, as instantiation does), as its runs of non-zero bytes in increasing order,
 * runs closer than `MERGE_GAP` merged: memory starts zeroed, so writing the runs gives
 * byte for byte the memory the segments give, in at most one run per `MERGE_GAP` bytes
 * however many segments the module declares (a call copies them all: `dataCopyGas`).
 */
export function flattenSegments(segments: readonly DataSegment[]): DataSegment[] {
  if (segments.length === 0) return [];
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const s of segments) {
    if (s.bytes.length === 0) continue;
    start = Math.min(start, s.offset);
    end = Math.max(end, s.offset + s.bytes.length);
  }
  if (end === 0) return [];
  const image = new Uint8Array(end - start);
  for (const s of segments) image.set(s.bytes, s.offset - start);
  const runs: DataSegment[] = [];
  let i = 0;
  while (i < image.length) {
    while (i < image.length && image[i] === 0) i++;
    if (i === image.length) break;
    const runStart = i;
    let runEnd = i;
    // Extend over zero gaps shorter than MERGE_GAP.
    while (i < image.length) {
      if (image[i] !== 0) runEnd = ++i;
      else if (i + 1 - runEnd >= MERGE_GAP) break;
      else i++;
    }
    runs.push({ offset: start + runStart, bytes: image.slice(runStart, runEnd) });
  }
  return runs;
}

/**
 * What copying `runs` into a call's memory costs (every call copies them, `instancePool.ts`):
 * `GAS.DATA_RUN` a run past the first (`GAS.CALL` covers one) and `GAS.DATA_WORD` per 16
 * bytes. Fixed by the code alone.
 */
export function dataCopyGas(runs: readonly DataSegment[]): number {
  let words = 0;
  for (const r of runs) words += Math.ceil(r.bytes.length / 16);
  return GAS.DATA_RUN * Math.max(0, runs.length - 1) + GAS.DATA_WORD * words;
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
