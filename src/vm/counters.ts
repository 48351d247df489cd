/**
 * The metering counters of a running instance (and how far its stores reached), as the
 * host reads and writes them.
 *
 * An instrumented module keeps its gas and stack counters in exported mutable globals
 * (`wasm/instrument.ts`). Reading or writing a `WebAssembly.Global`'s `value` from
 * JavaScript goes through a C++ API callback: 60-150 ns each, and every host function
 * charges gas (a read and a write), so a swap spent several microseconds there. A call
 * into a WebAssembly function is cheap by comparison (about 10 ns): each warm instance
 * gets a tiny accessor instance (built here, once per thread) that imports the two
 * globals and exports functions that read and write them. The values are the globals'
 * own: nothing is copied, so the contract and the host always see the same counter.
 *
 * The accessor's functions take and return i32, the globals' type. Every value the host
 * writes is one the global can hold: a gas left in [-1, 2^31), a stack count within the
 * stack budget.
 */
import type { Counter, GasCounter } from "./frame.js";

/** The accessor module's exports. */
interface AccessorExports {
  gas(): number;
  setGas(value: number): void;
  /** gas - amount, or -1 (also stored) when that is negative. */
  take(amount: number): number;
  stack(): number;
  setStack(value: number): void;
  reach(): number;
  setReach(value: number): void;
  low(): number;
  setLow(value: number): void;
}

/** LEB128 of a small unsigned number (the accessor module's sizes all fit). */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function name(text: string): number[] {
  return [...leb(text.length), ...Buffer.from(text, "latin1")];
}

function section(id: number, entries: number[][]): number[] {
  const body = [...leb(entries.length), ...entries.flat()];
  return [id, ...leb(body.length), ...body];
}

const I32 = 0x7f;
const END = 0x0b;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_SUB = 0x6b;
const I32_LT_S = 0x48;
const SELECT = 0x1b;

/**
 * (module
 *   (import "g" "gas" (global $gas (mut i32))) (import "g" "stack" (global $stack (mut i32)))
 *   (import "g" "reach" (global $reach (mut i32)))
 *   (func (export "gas") (result i32) global.get $gas)
 *   (func (export "setGas") (param i32) local.get 0 global.set $gas)
 *   (func (export "stack") (result i32) global.get $stack)
 *   (func (export "setStack") (param i32) local.get 0 global.set $stack)
 *   (func (export "take") (param $amount i32) (result i32) (local $left i32)
 *     (global.set $gas (select (i32.const -1) (local.tee $left (i32.sub (global.get $gas) (local.get $amount)))
 *       (i32.lt_s (local.get $left) (i32.const 0))))
 *     global.get $gas)
 *   (func (export "reach") (result i32) global.get $reach)
 *   (func (export "setReach") (param i32) local.get 0 global.set $reach)
 *   (import "g" "low" (global $low (mut i32)))   ;; with the imports above
 *   (func (export "low") (result i32) global.get $low)
 *   (func (export "setLow") (param i32) local.get 0 global.set $low))
 */
function accessorBytes(): Uint8Array {
  const getter = (global: number) => [0, GLOBAL_GET, global, END];
  const setter = (global: number) => [0, LOCAL_GET, 0, GLOBAL_SET, global, END];
  // take: left = gas - amount; gas = left < 0 ? -1 : left; return gas.
  const take = [
    ...[1, 1, I32], // one i32 local: left
    ...[I32_CONST, 0x7f], // -1
    ...[GLOBAL_GET, 0, LOCAL_GET, 0, I32_SUB, LOCAL_TEE, 1],
    ...[LOCAL_GET, 1, I32_CONST, 0, I32_LT_S, SELECT], // left < 0 ? -1 : left
    ...[GLOBAL_SET, 0, GLOBAL_GET, 0, END],
  ];
  const body = (code: number[]) => [...leb(code.length), ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [
      [0x60, 0, 1, I32],
      [0x60, 1, I32, 0],
      [0x60, 1, I32, 1, I32],
    ]),
    ...section(2, [
      [...name("g"), ...name("gas"), 0x03, I32, 0x01],
      [...name("g"), ...name("stack"), 0x03, I32, 0x01],
      [...name("g"), ...name("reach"), 0x03, I32, 0x01],
      [...name("g"), ...name("low"), 0x03, I32, 0x01],
    ]),
    ...section(3, [[0], [1], [0], [1], [2], [0], [1], [0], [1]]),
    ...section(7, [
      [...name("gas"), 0x00, 0],
      [...name("setGas"), 0x00, 1],
      [...name("stack"), 0x00, 2],
      [...name("setStack"), 0x00, 3],
      [...name("take"), 0x00, 4],
      [...name("reach"), 0x00, 5],
      [...name("setReach"), 0x00, 6],
      [...name("low"), 0x00, 7],
      [...name("setLow"), 0x00, 8],
    ]),
    ...section(10, [
      body(getter(0)),
      body(setter(0)),
      body(getter(1)),
      body(setter(1)),
      body(take),
      body(getter(2)),
      body(setter(2)),
      body(getter(3)),
      body(setter(3)),
    ]),
    ...nameSection(),
  ]);
}

/** The functions' names as profiles show them (`weft_counter_*`: host code, not a contract's). */
export const COUNTER_FUNCTION_PREFIX = "weft_counter_";

/** The custom "name" section naming the accessor's functions. */
function nameSection(): number[] {
  const names = ["gas", "setGas", "stack", "setStack", "take", "reach", "setReach", "low", "setLow"].map(
    (n, i) => [i, ...name(COUNTER_FUNCTION_PREFIX + n)],
  );
  const functionNames = [
    1,
    ...leb([...leb(names.length), ...names.flat()].length),
    ...leb(names.length),
    ...names.flat(),
  ];
  const body = [...name("name"), ...functionNames];
  return [0, ...leb(body.length), ...body];
}

let accessorModule: WebAssembly.Module | undefined;

class GlobalGasCounter implements GasCounter {
  constructor(private readonly fns: AccessorExports) {}
  get value(): number {
    return this.fns.gas();
  }
  set value(value: number) {
    this.fns.setGas(value);
  }
  take(amount: number): number {
    // In one call when the arithmetic fits i32 (gas left is in [0, 2^31), so does gas - amount).
    if (amount >= 0 && amount <= 0x7fffffff && Number.isInteger(amount)) return this.fns.take(amount);
    const left = this.fns.gas() - amount;
    this.fns.setGas(left < 0 ? -1 : left);
    return this.fns.gas();
  }
}

class StackCounter implements Counter {
  constructor(private readonly fns: AccessorExports) {}
  get value(): number {
    return this.fns.stack();
  }
  set value(value: number) {
    this.fns.setStack(value);
  }
}

class ReachCounter implements Counter {
  constructor(private readonly fns: AccessorExports) {}
  get value(): number {
    return this.fns.reach();
  }
  set value(value: number) {
    this.fns.setReach(value);
  }
}

class LowCounter implements Counter {
  constructor(private readonly fns: AccessorExports) {}
  get value(): number {
    return this.fns.low();
  }
  set value(value: number) {
    this.fns.setLow(value);
  }
}

/**
 * Fast counters over an instance's gas, stack and store reach globals (read and written
 * in place; the reach and the lowest store: `wasm/storeReach.ts`).
 */
export function globalCounters(
  gas: WebAssembly.Global,
  stack: WebAssembly.Global,
  reach: WebAssembly.Global,
  low: WebAssembly.Global,
): { gas: GasCounter; stack: Counter; reach: Counter; low: Counter } {
  // Compiled once per thread: a constant, like the bytes it is compiled from.
  accessorModule ??= new WebAssembly.Module(accessorBytes());
  const fns = new WebAssembly.Instance(accessorModule, { g: { gas, stack, reach, low } })
    .exports as unknown as AccessorExports;
  return {
    gas: new GlobalGasCounter(fns),
    stack: new StackCounter(fns),
    reach: new ReachCounter(fns),
    low: new LowCounter(fns),
  };
}
