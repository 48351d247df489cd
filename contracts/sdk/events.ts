/**
 * Emitting events. Contracts call the typed emitters the build generates from their
 * `events.ts`; those use `emitEvent` and `topic<T>` here. Topic 0 is the keccak256 of the
 * event signature; an indexed argument is a topic (fixed-size values zero-padded at the
 * end to 32 bytes, strings, bytes and arrays replaced by their keccak256).
 */
import { AbiWriter } from "./abi";
import { Address, Bytes32 } from "./address";
import { keccak256 } from "./crypto";
import * as host from "./host";
import { U128, U256 } from "./u128";

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

// The event being built by a generated emitter (`events.gen.ts`): `beginEvent`, then
// `eventTopic` for each indexed argument and the writer for the others, then `endEvent`.
// The host copies both out at `endEvent`, so one buffer of each serves every event. Both
// are on the heap, made at the end of the start function (`scratch.ts`).
/** The topics (4 * 32 bytes; 0 until allocated). */
let eventTopics: usize = 0;
let eventData: AbiWriter | null = null;

/** The data writer of the event being built (allocated, with the topics, at the first use). */
export function eventWriter(): AbiWriter {
  const known = eventData;
  if (known !== null) return known;
  const w = new AbiWriter(64);
  eventData = w;
  eventTopics = heap.alloc(4 * 32);
  return w;
}

/** Starts an event whose topic 0 is `topic0` (32 bytes); returns the writer of its data. */
export function beginEvent(topic0: StaticArray<u8>): AbiWriter {
  const w = eventWriter();
  memory.copy(eventTopics, changetype<usize>(topic0), 32);
  w.reset();
  return w;
}

/** Sets topic `index` (1 to 3) of the event being built to `value`, as `topic<T>` encodes it. */
export function eventTopic<T>(index: i32, value: T): void {
  eventWriter(); // the topics exist (a generated emitter began the event already)
  const at = eventTopics + <usize>(index * 32);
  if (isInteger<T>() || isBoolean<T>()) {
    memory.fill(at, 0, 32);
    if (sizeof<T>() == 8) store<u64>(at, <u64>value);
    else if (sizeof<T>() == 4) store<u32>(at, <u32>value);
    else if (sizeof<T>() == 2) store<u16>(at, <u16>value);
    else store<u8>(at, <u8>value);
    return;
  }
  if (idof<T>() == idof<Address>()) {
    memory.copy(at, changetype<Address>(value).bytes.dataStart, 20);
    memory.fill(at + 20, 0, 12);
    return;
  }
  if (idof<T>() == idof<Bytes32>()) {
    memory.copy(at, changetype<Bytes32>(value).bytes.dataStart, 32);
    return;
  }
  if (idof<T>() == idof<U128>()) {
    const v = changetype<U128>(value);
    store<u64>(at, v.lo);
    store<u64>(at + 8, v.hi);
    memory.fill(at + 16, 0, 16);
    return;
  }
  if (idof<T>() == idof<U256>()) {
    const v = changetype<U256>(value);
    store<u64>(at, v.l0);
    store<u64>(at + 8, v.l1);
    store<u64>(at + 16, v.l2);
    store<u64>(at + 24, v.l3);
    return;
  }
  memory.copy(at, topic<T>(value).dataStart, 32);
}

/** Emits the event built since `beginEvent`, with its first `topicCount` topics. */
export function endEvent(topicCount: i32): void {
  const w = eventWriter();
  host.emit(eventTopics, topicCount, w.dataStart, w.length);
}
