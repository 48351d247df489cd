/**
 * A call frame: one fresh instance of a contract module running one method, with its
 * own gas counter, stack counter, input and return data. Frames nest when a contract
 * calls another; the VM keeps them on a stack.
 */
import type { Address } from "../codec/address.js";
import type { MemoryViews } from "./memoryAccess.js";

/** A mutable i32 counter: the instrumented module's exported global, or a plain object when unmetered. */
export interface Counter {
  value: number;
}

export interface Frame {
  readonly self: Address;
  readonly caller: Address;
  readonly value: bigint;
  readonly input: Uint8Array;
  readonly depth: number;
  /** The instance's memory, as host functions read and write it (`memoryAccess.ts`). */
  memory: MemoryViews;
  gas: Counter;
  stack: Counter;
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

export function createFrame(init: {
  self: Address;
  caller: Address;
  value: bigint;
  input: Uint8Array;
  depth: number;
}): Frame {
  // One literal with every field, in one order: every frame has the same shape.
  return {
    self: init.self,
    caller: init.caller,
    value: init.value,
    input: init.input,
    depth: init.depth,
    memory: undefined as unknown as MemoryViews,
    gas: { value: 0 },
    stack: { value: 0 },
    returnData: EMPTY,
    lastCallData: EMPTY,
  };
}
