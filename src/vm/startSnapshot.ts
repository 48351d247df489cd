/**
 * The state a contract's start function leaves, taken once per compiled module, so that
 * calls can start from it instead of running the start function again (it cost 1.4-2.5 µs
 * per frame, about 14 µs per router swap).
 *
 * A start function that calls no host function is a pure function of the module: it sees
 * only the static data on zeroed memory and the globals' initial values, and cannot read
 * its gas or stack counters. So it always does the same thing: it writes the same memory,
 * leaves the same globals, uses the same gas and reaches the same stack depth. Taking the
 * snapshot runs it (once, at most twice) on an instance of its own, whose host functions all throw:
 *
 * 1. `DISPATCH_START_ONLY` with `PROBE_GAS` gas, from stack counter `PROBE_STACK_START`
 *    (`MAX_STACK_UNITS - PROBE_STACK_UNITS`), on fresh memory (the system's zeros plus the
 *    static data): it must return normally, without calling the host or growing the
 *    memory, and leave the globals' slots at the top of the memory zero. Only a run stopped
 *    by the stack budget is tried again, once, from 0: out of gas, a trap or a host call
 *    would happen again from any stack start. The gas it used and the memory it left (the
 *    smallest range holding every non-zero byte, found by comparing 4 KiB at a time) are
 *    recorded; `DISPATCH_DUMP` then writes the globals into their slots, recorded too.
 * 2. The stack start it finished from is the highest a call may start from the snapshot.
 *
 * The probe runs once per module, at deployment and at every node start, and the
 * deployment pays for it: its work is bounded by a constant (at most `PROBE_RUNS` runs of
 * `PROBE_GAS` gas each, whatever the start function does; `probeWork` counts it), in
 * `COMPILE_MODULE`, plus work per page of declared memory, in `DEPLOY_MEMORY_PAGE`
 * (`bench/deployCost.ts` measures the worst cases against what they pay).
 *
 * A call then takes the snapshot (`DISPATCH_SNAPSHOT`) only when the start function would
 * certainly have finished: the frame has at least its gas left and starts no higher on the
 * stack than that bound. It is charged exactly that gas, before any contract code runs, so
 * receipts are the same as when the start function ran. Otherwise (a start function that
 * calls the host, grows memory, traps, needs more than `PROBE_GAS` or, from a frame not at
 * the bottom of the stack, more than `PROBE_STACK_UNITS`; or a frame with too
 * little gas or stack left) the call runs it (`DISPATCH_FRESH`) and fails or succeeds
 * exactly as before.
 */
import { MAX_MEMORY_PAGES, MAX_STACK_UNITS } from "./limits.js";
import {
  CALL_EXPORT,
  type DataSegment,
  DISPATCH_DUMP,
  DISPATCH_START_ONLY,
  GAS_GLOBAL,
  MEMORY_IMPORT_MODULE,
  type PreparedModule,
  STACK_GLOBAL,
} from "./wasm/index.js";

const PAGE = 65536;
/**
 * Most gas a start function may use and still be snapshot. The shipped contracts' start
 * functions use 11-43k (staking.wasm the most); this bounds the probe's cost (two runs of
 * 100k gas and a trap at the stack budget took 0.55-0.73 ms CPU with the compile,
 * `bench/deployCost.ts`).
 */
export const PROBE_GAS = 100_000;
/** Most stack units a start function may reach and still be snapshot for nested calls. */
export const PROBE_STACK_UNITS = 2_048;
/** The stack counter the probe first runs the start function from. */
export const PROBE_STACK_START = MAX_STACK_UNITS - PROBE_STACK_UNITS;
/** Most runs of the start function per probe (from `PROBE_STACK_START`, then from 0). */
export const PROBE_RUNS = 2;
/** Work every probe of this thread has done (tests check it stays bounded). */
export const probeWork = { runs: 0, gas: 0 };

export interface StartSnapshot {
  /**
   * The memory a snapshot call starts with: the bytes the start function leaves (zeros
   * everywhere else), then the values of the globals it leaves in their slots at the top
   * of the memory (`wasm/dispatcher.ts`), which the dispatcher moves into the globals and
   * zeroes. In increasing order, not overlapping.
   */
  readonly memory: readonly DataSegment[];
  /** Gas the start function uses. */
  readonly gas: number;
  /** Highest stack counter the start function can begin at and still finish. */
  readonly maxStackStart: number;
}

/** Thrown by the probe's host functions: a start function that calls the host is not snapshot. */
class HostCalled extends Error {}

/** The snapshot of `module`'s start function, or undefined when calls must run it. */
export function takeStartSnapshot(
  module: WebAssembly.Module,
  prepared: Pick<PreparedModule, "hasStart" | "globalsAt" | "globalTypes" | "initialPages" | "data">,
): StartSnapshot | undefined {
  const at = prepared.globalsAt;
  if (!prepared.hasStart || at === undefined) return undefined;
  const host: Record<string, () => never> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module === "weft")
      host[entry.name] = () => {
        throw new HostCalled();
      };
  }
  // A run is monotone in the stack start (the start function reaches the same depth above
  // wherever it begins): finishing from PROBE_STACK_START covers every start below, and
  // only a run stopped by the stack budget can finish from lower down. Without metering
  // there is no stack counter, and V8's own stack bounds the start function.
  let run = runStart(module, host, prepared, PROBE_STACK_START);
  let maxStackStart = run.metered ? PROBE_STACK_START : MAX_STACK_UNITS;
  if (run.stop === "stack") {
    run = runStart(module, host, prepared, 0);
    maxStackStart = 0;
  }
  if (run.stop !== "returned") return undefined;
  const size = prepared.initialPages * PAGE;
  const live = new Uint8Array(run.memory.buffer);
  if (!isZero(live, at, size)) return undefined; // the globals' slots must be zeros
  const image = nonZeroRange(live, at);
  run.dump();
  const globals = { offset: at, bytes: new Uint8Array(run.memory.buffer).slice(at, size) };
  return { memory: [image, globals], gas: run.gasUsed, maxStackStart };
}

/** How a probe run ended: normally, at the stack budget, or any other way (which no stack start changes). */
type Stop = "returned" | "stack" | "failed";

interface ProbeRun {
  stop: Stop;
  gasUsed: number;
  /** Whether the module counts stack units (false only with metering off). */
  metered: boolean;
  memory: WebAssembly.Memory;
  /** Writes the globals into their slots at the top of the memory (`DISPATCH_DUMP`). */
  dump(): void;
}

/**
 * Runs the start function once from `stackStart` with `PROBE_GAS`, on a fresh instance
 * and fresh memory: zeros from the system, not filled here, so a run touches only the
 * static data and the pages the start function writes. It must return without growing
 * the memory.
 */
function runStart(
  module: WebAssembly.Module,
  host: Record<string, () => never>,
  prepared: Pick<PreparedModule, "initialPages" | "data">,
  stackStart: number,
): ProbeRun {
  const memory = new WebAssembly.Memory({ initial: prepared.initialPages, maximum: MAX_MEMORY_PAGES });
  const exports = new WebAssembly.Instance(module, { weft: host, [MEMORY_IMPORT_MODULE]: { memory } })
    .exports as Record<string, unknown>;
  const call = exports[CALL_EXPORT] as (method: number, mode: number) => void;
  const gas = exports[GAS_GLOBAL] as WebAssembly.Global | undefined;
  const stack = exports[STACK_GLOBAL] as WebAssembly.Global | undefined;
  const bytes = new Uint8Array(memory.buffer);
  for (const segment of prepared.data) bytes.set(segment.bytes, segment.offset);
  if (gas !== undefined) gas.value = PROBE_GAS;
  if (stack !== undefined) stack.value = stackStart;
  probeWork.runs++;
  let stop: Stop = "returned";
  try {
    call(0, DISPATCH_START_ONLY);
    if (memory.buffer.byteLength !== prepared.initialPages * PAGE) stop = "failed";
  } catch {
    // A trap, a host call, out of gas or stack: calls run this start function themselves.
    const gasLeft = gas === undefined ? 0 : (gas.value as number);
    const stackExhausted = stack !== undefined && (stack.value as number) > MAX_STACK_UNITS;
    stop = stackExhausted && gasLeft >= 0 ? "stack" : "failed";
  }
  const gasUsed = gas === undefined ? 0 : PROBE_GAS - Math.max(0, gas.value as number);
  probeWork.gas += gasUsed;
  return { stop, gasUsed, metered: stack !== undefined, memory, dump: () => call(0, DISPATCH_DUMP) };
}

/** Zeros to compare memory with, a chunk at a time (a native compare, not a loop over bytes). */
const ZERO_CHUNK = Buffer.alloc(4096);

/** Whether `bytes[from, to)` is all zeros. */
function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let at = from; at < to; at += ZERO_CHUNK.length) {
    const end = Math.min(to, at + ZERO_CHUNK.length);
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at);
    if (!chunk.equals(end - at === ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, end - at)))
      return false;
  }
  return true;
}

/** A copy of the smallest segment holding every non-zero byte of `bytes[0, end)`. */
function nonZeroRange(bytes: Uint8Array, end: number): DataSegment {
  const step = ZERO_CHUNK.length;
  let first = 0;
  while (first < end && isZero(bytes, first, Math.min(end, first + step))) first += step;
  while (first < end && bytes[first] === 0) first++;
  if (first >= end) return { offset: 0, bytes: new Uint8Array(0) };
  let last = end;
  while (last - step > first && isZero(bytes, last - step, last)) last -= step;
  while (last > first && bytes[last - 1] === 0) last--;
  return { offset: first, bytes: bytes.slice(first, last) };
}
