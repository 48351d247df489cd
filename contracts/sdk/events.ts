/**
 * Emitting events. Contracts call the typed emitters the build generates from their
 * `events.ts`; those use `emitEvent` and `topic<T>` here. Topic 0 is the keccak256 of the
 * event signature; an indexed argument is a topic (fixed-size values zero-padded at the
 * end to 32 bytes, strings, bytes and arrays replaced by their keccak256).
 */
import { AbiWriter } from "./abi";
import { keccak256 } from "./crypto";
import * as host from "./host";

export function topic<T>(value: T): Uint8Array {
  const w = new AbiWriter();
  w.write<T>(value);
  const raw = w.finish();
  // Variable-size values are replaced by their hash (strings and bytes without the length prefix).
  if (isString<T>()) return keccak256(raw.subarray(4)).bytes;
  if (isReference<T>()) {
    if (isArray<T>()) return keccak256(raw).bytes;
    if (idof<T>() == idof<Uint8Array>()) return keccak256(raw.subarray(4)).bytes;
  }
  const out = new Uint8Array(32);
  out.set(raw.subarray(0, 32));
  return out;
}

/** Emits an event with `topics` (32 bytes each, at most 4) and ABI-encoded `data`. */
export function emitEvent(topics: Array<Uint8Array>, data: Uint8Array): void {
  const flat = new Uint8Array(topics.length * 32);
  for (let i = 0; i < topics.length; i++) flat.set(topics[i], i * 32);
  host.emit(flat.dataStart, topics.length, data.dataStart, data.length);
}
