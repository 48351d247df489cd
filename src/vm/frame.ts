/**
 * A call frame: one fresh instance of a contract module running one method, with its
 * own gas counter, stack counter, input and return data. Frames nest when a contract
 * calls another; the VM keeps them on a stack.
 */
import type { Address } from "../codec/address.js";
import type { StateKey } from "../state/keys.js";
import type { MemoryViews } from "./memoryAccess.js";

/** A mutable i32 counter: the instrumented module's exported global, or a plain object when unmetered. */
export interface Counter {
  value: number;
}

/** The gas counter: a `Counter` that can also take gas in one step. */
export interface GasCounter extends Counter {
  /**
   * Takes `amount` (a non-negative integer) and returns the gas left; when that would go
   * below zero the counter is set to -1 instead, and -1 is returned.
   */
  take(amount: number): number;
}

export interface Frame {
  readonly self: Address;
  readonly caller: Address;
  readonly value: bigint;
  readonly input: Uint8Array;
  readonly depth: number;
  /**
   * The state key of `self`'s code hash (`codeHashKey`): one string per contract whatever
   * the case its address was written in, which the reentrancy check compares.
   */
  readonly codeHashKey: StateKey;
  /** The instance's memory, as host functions read and write it (`memoryAccess.ts`). */
  readonly memory: MemoryViews;
  /** Gas left: the instance's own counter, read and written in place (`counters.ts`). */
  readonly gas: GasCounter;
  readonly stack: Counter;
  returnData: Uint8Array;
  /** Data of the last nested call this frame made (return or revert data). */
  lastCallData: Uint8Array;
}

/** Why a frame stopped early. Thrown by host functions, caught by `callContract`. */
export type AbortKind = "revert" | "outOfGas";

/** Thrown through wasm by a host function to stop the frame. Never escapes the VM. */
export class FrameAbort {
  constructor(
    readonly kind: AbortKind,
    readonly data: Uint8Array,
  ) {}
}

const EMPTY = new Uint8Array(0);

/** A counter kept in a plain field: the frame's counters when the module is not metered. */
export class PlainCounter implements GasCounter {
  constructor(public value: number) {}
  take(amount: number): number {
    const left = this.value - amount;
    this.value = left < 0 ? -1 : left;
    return this.value;
  }
}

export function createFrame(
  self: Address,
  caller: Address,
  value: bigint,
  input: Uint8Array,
  depth: number,
  codeHashKey: StateKey,
  memory: MemoryViews,
  gas: GasCounter,
  stack: Counter,
): Frame {
  // One literal with every field, in one order: every frame has the same shape.
  return {
    self,
    caller,
    value,
    input,
    depth,
    codeHashKey,
    memory,
    gas,
    stack,
    returnData: EMPTY,
    lastCallData: EMPTY,
  };
}
