/**
 * A test fixture for `evm_call` (test/unit/evm/evmFromWasm.test.ts): raw EVM calls whose
 * status and data are returned, a call that bubbles its failure, a note written and
 * announced (the end of a WASM → EVM → WASM round trip), and the native coin.
 */
import { Address, callValue, evmCall, revertRaw, StorageValue, U128 } from "../../sdk/index";
import { Noted } from "./events.gen";

const noteSlot = new StorageValue<U128>("note");

/** Calls `target` with `data`, sending `value` and at most `gas` (0: all allowed); returns the status byte, then the data. */
export function callEvm(target: Address, data: Uint8Array, value: U128, gas: u64): Uint8Array {
  const r = evmCall(target, data, value, gas);
  const out = new Uint8Array(1 + r.data.length);
  out[0] = <u8>r.status;
  out.set(r.data, 1);
  return out;
}

/** Writes `value` as the note first, then calls `target`; reverts with the EVM's revert data if the call fails. */
export function noteThenCall(value: U128, target: Address, data: Uint8Array): Uint8Array {
  noteSlot.set(value);
  const r = evmCall(target, data);
  if (!r.ok) revertRaw(r.data);
  return r.data;
}

/** Stores `value` as the note and emits `Noted`; returns the coin sent with the call. */
export function note(value: U128): U128 {
  noteSlot.set(value);
  Noted(value);
  return callValue();
}

export function noted(): U128 {
  return noteSlot.get(U128.Zero);
}
