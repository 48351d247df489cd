/**
 * The state a contract's start function leaves, taken once per compiled module, so that
 * calls can start from it instead of running the start function again (it cost 1.4-2.5 µs
 * per frame, about 14 µs per router swap).
 *
 * A start function that calls no host function is a pure function of the module: it sees
 * only the static data on zeroed memory and the globals' initial values, and cannot read
 * its gas or stack counters. So it always does the same thing: it writes the same memory,
 * leaves the same globals, uses the same gas and reaches the same stack depth. Taking the
 * snapshot runs it once on an instance of its own, whose host functions all throw:
 *
 * 1. `DISPATCH_START_ONLY` with `PROBE_GAS` gas: it must return normally, without calling
 *    the host or growing the memory, and leave the globals' slots at the top of the
 *    memory zero. The gas it used and the memory it left are recorded; `DISPATCH_DUMP`
 *    then writes the globals into their slots, recorded too.
 * 2. A binary search over the stack counter it starts at finds the highest start from
 *    which it still finishes (the stack budget traps at `MAX_STACK_UNITS`).
 *
 * A call then takes the snapshot (`DISPATCH_SNAPSHOT`) only when the start function would
 * certainly have finished: the frame has at least its gas left and starts no higher on the
 * stack than that bound. It is charged exactly that gas, before any contract code runs, so
 * receipts are the same as when the start function ran. Otherwise (a start function that
 * calls the host, grows memory, traps, needs more than `PROBE_GAS`, or a frame with too
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
 * Most gas a start function may use and still be snapshot (the probe runs on no
 * transaction's gas, so it is bounded here: a few milliseconds at most, once per module).
 */
export const PROBE_GAS = 10_000_000;

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
    try {
      call(0, DISPATCH_START_ONLY);
    } catch {
      // A trap, a host call, out of gas or stack: calls run this start function themselves.
      return false;
    }
    return memory.buffer.byteLength === size;
  };

  if (!runStart(0)) return undefined;
  const gasUsed = gas === undefined ? 0 : PROBE_GAS - (gas.value as number);
  const image = new Uint8Array(memory.buffer).slice();
  const slots = image.subarray(at);
  if (slots.some((byte) => byte !== 0)) return undefined; // the globals' slots must be zeros
  call(0, DISPATCH_DUMP);
  const globals = { offset: at, bytes: new Uint8Array(memory.buffer).slice(at, size) };

  // The highest stack start that still finishes: runStart is monotone in it (the start
  // function reaches the same depth above wherever it begins).
  let maxStackStart = MAX_STACK_UNITS;
  if (stack !== undefined && !runStart(MAX_STACK_UNITS)) {
    let finishes = 0;
    let traps = MAX_STACK_UNITS;
    while (traps - finishes > 1) {
      const mid = Math.floor((finishes + traps) / 2);
      if (runStart(mid)) finishes = mid;
      else traps = mid;
    }
    maxStackStart = finishes;
  }
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
