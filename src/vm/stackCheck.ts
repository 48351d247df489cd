/**
 * Does this thread have the stack the VM needs? The stack budget keeps a transaction
 * under `MAX_STACK_UNITS + MAX_FRAME_UNITS` units of frames, and `bench/stackMargin.ts`
 * measured V8's default stacks overflowing at 4.4x that or more; a thread with less
 * (a node started with a smaller `--stack-size`) would fault instead of answering
 * (`VmFault("STACK_OVERFLOW")`). `threadStackUnits` measures it directly: a small module
 * whose recursive function holds 1,000 computed values per frame (one of the heaviest frame
 * shapes per unit measured) recurses, metered but with the budget moved out of the way,
 * until V8's stack runs out; the stack units then in use are the answer. It takes
 * tens of milliseconds (55-95 ms measured); every thread that runs contracts runs it once at
 * start (`assertThreadStack`): the node's main thread when it opens, each engine, admission
 * and read-only worker when it loads, so that a thread made with too small a stack fails
 * loudly at start instead of faulting on some deep call later.
 */
import { VmFault } from "./errors.js";
import { MAX_FRAME_UNITS, MAX_STACK_UNITS } from "./limits.js";
import { BinaryWriter } from "./wasm/binary.js";
import {
  CALL_EXPORT,
  GAS_GLOBAL,
  instrumentContract,
  MEMORY_IMPORT_MODULE,
  STACK_GLOBAL,
} from "./wasm/index.js";

/** What a thread must hold, in stack units: twice the most a transaction can reach. */
export const REQUIRED_STACK_UNITS = 2 * (MAX_STACK_UNITS + MAX_FRAME_UNITS);

const WIDE = 1000;
const START = -2_000_000_000;

/** `(func $r (param i32) [local.get 0; i64.extend_i32_u] × WIDE; if n { r(n-1) }; drop × WIDE)`, exported via `run`. */
function probeModule(): Uint8Array {
  const section = (w: BinaryWriter, id: number, body: BinaryWriter) => w.section(id, body.finish());
  const w = new BinaryWriter().bytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  section(w, 1, new BinaryWriter().u32(2).byte(0x60).u32(1).byte(0x7f).u32(0).byte(0x60).u32(0).u32(0));
  section(w, 3, new BinaryWriter().u32(2).u32(0).u32(1));
  section(w, 5, new BinaryWriter().u32(1).byte(0).u32(1));
  section(w, 7, new BinaryWriter().u32(2).name("memory").byte(2).u32(0).name("run").byte(0).u32(1));
  const r = new BinaryWriter().u32(0);
  for (let i = 0; i < WIDE; i++) r.byte(0x20).u32(0).byte(0xad); // local.get 0; i64.extend_i32_u
  r.byte(0x20).u32(0).byte(0x04).byte(0x40); // if (n)
  r.byte(0x20).u32(0).byte(0x41).s32(1).byte(0x6b).byte(0x10).u32(0); // r(n - 1)
  r.byte(0x0b);
  for (let i = 0; i < WIDE; i++) r.byte(0x1a); // drop
  r.byte(0x0b);
  const run = new BinaryWriter().u32(0).byte(0x41).s32(0x7fffffff).byte(0x10).u32(0).byte(0x0b);
  const rBody = r.finish();
  const runBody = run.finish();
  section(w, 10, new BinaryWriter().u32(2).u32(rBody.length).bytes(rBody).u32(runBody.length).bytes(runBody));
  return w.finish();
}

/** Stack units this thread holds before V8's stack runs out, measured from here. */
export function threadStackUnits(): number {
  const prepared = instrumentContract(probeModule());
  const memory = new WebAssembly.Memory({ initial: prepared.initialPages, maximum: prepared.maxPages });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(prepared.bytes), {
    [MEMORY_IMPORT_MODULE]: { memory },
  });
  const gas = instance.exports[GAS_GLOBAL] as WebAssembly.Global;
  const stack = instance.exports[STACK_GLOBAL] as WebAssembly.Global;
  gas.value = 0x7fffffff;
  stack.value = START;
  try {
    (instance.exports[CALL_EXPORT] as (method: number) => void)(0);
  } catch (error) {
    if (error instanceof RangeError) return stack.value - START;
    // Out of gas first: more stack than can be measured with this much gas.
    return Number.MAX_SAFE_INTEGER;
  }
  return Number.MAX_SAFE_INTEGER;
}

/**
 * Throws `VmFault("STACK_TOO_SMALL")` if this thread cannot hold `REQUIRED_STACK_UNITS`.
 * `thread` names it in the message: the main thread, or which worker.
 */
export function assertThreadStack(thread = "the main thread"): void {
  const units = threadStackUnits();
  if (units < REQUIRED_STACK_UNITS) {
    const hint =
      thread === "the main thread"
        ? "start node with its default stack (no --stack-size below 984), or a larger one"
        : `make the worker with resourceLimits.stackSizeMb of at least 1 (the node's workers use ${WORKER_STACK_MB_HINT})`;
    throw new VmFault(
      "STACK_TOO_SMALL",
      `${thread}'s stack holds ${units} stack units of contract frames; the VM needs ${REQUIRED_STACK_UNITS}`,
      [hint],
    );
  }
}

/** What the node's workers are given (`WORKER_STACK_MB` in engine/parallel/protocol.ts, a layer above). */
const WORKER_STACK_MB_HINT = "4 MiB";
