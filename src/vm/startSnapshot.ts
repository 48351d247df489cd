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
 *    (`MAX_STACK_UNITS - PROBE_STACK_UNITS`), and if that fails once more from 0: it must
 *    return normally, without calling the host or growing the memory, and leave the
 *    globals' slots at the top of the memory zero. The gas it used and the memory it left
 *    are recorded; `DISPATCH_DUMP` then writes the globals into their slots, recorded too.
 * 2. The stack start it finished from is the highest a call may start from the snapshot.
 *
 * Nobody pays gas for the probe (it runs once per module, at deployment and at every node
 * start), so its work is a small constant: at most `PROBE_RUNS` runs of `PROBE_GAS` gas
 * each, whatever the start function does (`probeWork` counts it).
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
 * functions use 14-36k; the probe runs on no transaction's gas, so this bounds its cost
 * (250k gas is about 0.1 ms at the calibration's ~0.3 ns per gas).
 */
export const PROBE_GAS = 250_000;
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
  const memory = new WebAssembly.Memory({ initial: prepared.initialPages, maximum: MAX_MEMORY_PAGES });
  const exports = new WebAssembly.Instance(module, { weft: host, [MEMORY_IMPORT_MODULE]: { memory } })
    .exports as Record<string, unknown>;
  const call = exports[CALL_EXPORT] as (method: number, mode: number) => void;
  const gas = exports[GAS_GLOBAL] as WebAssembly.Global | undefined;
  const stack = exports[STACK_GLOBAL] as WebAssembly.Global | undefined;
  const size = prepared.initialPages * PAGE;

  /** Runs the start function from a fresh state; true if it returned normally. */
  const runStart = (stackStart: number): boolean => {
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0);
    for (const segment of prepared.data) bytes.set(segment.bytes, segment.offset);
    if (gas !== undefined) gas.value = PROBE_GAS;
    if (stack !== undefined) stack.value = stackStart;
    probeWork.runs++;
    try {
      call(0, DISPATCH_START_ONLY);
    } catch {
      // A trap, a host call, out of gas or stack: calls run this start function themselves.
      return false;
    } finally {
      if (gas !== undefined) probeWork.gas += PROBE_GAS - Math.max(0, gas.value as number);
    }
    return memory.buffer.byteLength === size;
  };

  // runStart is monotone in the stack start (the start function reaches the same depth
  // above wherever it begins): finishing from PROBE_STACK_START covers every start below.
  // Without metering there is no stack counter, and V8's own stack bounds the start function.
  let maxStackStart = MAX_STACK_UNITS;
  if (stack !== undefined) {
    maxStackStart = PROBE_STACK_START;
    if (!runStart(PROBE_STACK_START)) {
      maxStackStart = 0;
      if (!runStart(0)) return undefined;
    }
  } else if (!runStart(0)) return undefined;
  const gasUsed = gas === undefined ? 0 : PROBE_GAS - (gas.value as number);
  const image = new Uint8Array(memory.buffer).slice();
  const slots = image.subarray(at);
  if (slots.some((byte) => byte !== 0)) return undefined; // the globals' slots must be zeros
  call(0, DISPATCH_DUMP);
  const globals = { offset: at, bytes: new Uint8Array(memory.buffer).slice(at, size) };
  return { memory: [nonZeroRange(image), globals], gas: gasUsed, maxStackStart };
}

/** The smallest segment holding every non-zero byte of `image`. */
function nonZeroRange(image: Uint8Array): DataSegment {
  let first = 0;
  while (first < image.length && image[first] === 0) first++;
  if (first === image.length) return { offset: 0, bytes: new Uint8Array(0) };
  let end = image.length;
  while (end > first && image[end - 1] === 0) end--;
  return { offset: first, bytes: image.slice(first, end) };
}
