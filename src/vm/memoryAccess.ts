/**
 * Reading and writing a contract's linear memory from the host, with bounds checks: a
 * range outside the memory aborts the frame with `Trap("memory out of bounds")`, the same
 * outcome as the contract touching it itself.
 */
import type { Address } from "../codec/address.js";
import { ADDRESS_BYTES, addressToBytes } from "../codec/address.js";
import { decodeU128At, encodeU128At } from "../engine/deltas.js";
import { hashBytes, InternTable, sameBytesAt } from "../state/internTable.js";
import { type Frame, FrameAbort } from "./frame.js";
import { vmError } from "./vmErrors.js";

/** `MemoryViews.hostStart` when the host wrote nothing: above any memory (a small integer for V8). */
export const NO_WRITE = 0x3fffffff;

/**
 * Views of one contract memory, made once per instance rather than per access (a view
 * per host call, and the `memory.buffer` getter behind it, showed in every profile).
 * `memory.grow` detaches the buffer they view (its length becomes 0): `bytes()` and
 * `text()` make them again then.
 */
export class MemoryViews {
  private u8: Uint8Array;
  private buf: Buffer;
  private i32: Int32Array;
  /**
   * End of the highest byte a host function wrote since the pool last reset the memory
   * (`instancePool.ts` resets only what was written: `wasm/storeReach.ts`).
   */
  hostEnd = 0;
  /** Start of the lowest byte a host function wrote since then (`NO_WRITE` for none). */
  hostStart = NO_WRITE;
  constructor(readonly memory: WebAssembly.Memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.buf = Buffer.from(this.u8.buffer);
    this.i32 = new Int32Array(this.u8.buffer);
  }
  /** The whole memory as bytes. */
  bytes(): Uint8Array {
    if (this.u8.byteLength === 0) this.refresh();
    return this.u8;
  }
  /**
   * The memory's size in bytes, as `memory.buffer.byteLength` but without that getter (a
   * call into the engine, three times per frame before).
   */
  size(): number {
    return this.bytes().length;
  }
  /**
   * The whole memory as 32-bit words (platform order), for hashing and comparing bytes a
   * word at a time (`state/internTable.ts`); the same buffer as `bytes()`.
   */
  words(): Int32Array {
    if (this.i32.byteLength === 0) this.refresh();
    return this.i32;
  }
  /** The whole memory as a Buffer (for hex text without a view per call). */
  text(): Buffer {
    if (this.buf.byteLength === 0) this.refresh();
    return this.buf;
  }
  private refresh(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.buf = Buffer.from(this.u8.buffer);
    this.i32 = new Int32Array(this.u8.buffer);
  }
}

function outOfBounds(): FrameAbort {
  return new FrameAbort("revert", vmError("Trap", ["string"], ["memory out of bounds"]));
}

/** `ptr` as an unsigned offset, after checking that `len` bytes from it are inside `size`. */
function start(size: number, ptr: number, len: number): number {
  // Pointers arrive as signed i32: reinterpret as unsigned.
  const at = ptr >>> 0;
  if (at + (len >>> 0) > size) throw outOfBounds();
  return at;
}

/** A copy of `len` bytes at `ptr`. */
export function readBytes(frame: Frame, ptr: number, len: number): Uint8Array {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, len);
  return bytes.slice(at, at + (len >>> 0));
}

/** The offset of `len` bytes at `ptr` in `frame.memory.bytes()`, after the bounds check. */
export function offsetOf(frame: Frame, ptr: number, len: number): number {
  return start(frame.memory.bytes().length, ptr, len);
}

/** A view of `len` bytes at `ptr`, for a host function that uses them before returning. */
export function viewBytes(frame: Frame, ptr: number, len: number): Uint8Array {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, len);
  return bytes.subarray(at, at + (len >>> 0));
}

/** Records that the host wrote `[at, end)` (every write below goes through it). */
function wrote(frame: Frame, at: number, end: number): void {
  const memory = frame.memory;
  if (end > memory.hostEnd) memory.hostEnd = end;
  if (at < memory.hostStart) memory.hostStart = at;
}

export function writeBytes(frame: Frame, ptr: number, src: Uint8Array): void {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, src.length);
  wrote(frame, at, at + src.length);
  bytes.set(src, at);
}

export function readAddress(frame: Frame, ptr: number): Address {
  return readHexInterned(frame, ptr, ADDRESS_BYTES) as Address;
}

/**
 * `0x`-prefixed hex strings of bytes in memory (addresses, event topics), interned: the
 * same few addresses and topics come back on every call (`state/internTable.ts`).
 */
const hexStrings = new InternTable(1 << 16);

/**
 * In front of `hexStrings`, for the reads of up to `RECENT_BYTES` bytes (every event topic
 * and address): a direct-mapped cache in flat arrays, a place per hash's low bits holding
 * the hash, the length, the bytes and the string last found there. A hit reads a few
 * typed-array cells where `hexStrings` walks a `Map` entry, an entry object and its byte
 * arrays (an `emit` of 1-3 topics took about 1 µs, most of it there, in staking's count,
 * `bench/hostCallCounts.ts`). Only which string object is returned could change, never
 * its value: a place is overwritten by the next miss that maps to it.
 */
const RECENT_PLACES = 1 << 12;
const RECENT_BYTES = 32;
const recentHashes = new Int32Array(RECENT_PLACES).fill(-1);
const recentLengths = new Int32Array(RECENT_PLACES);
const recentWords = new Int32Array((RECENT_PLACES * RECENT_BYTES) >>> 2);
const recentBytes = new Uint8Array(recentWords.buffer);
const recentStrings: string[] = new Array<string>(RECENT_PLACES).fill("");

/** `0x` and the hex of `len` bytes at `ptr`: an interned string, the same object for the same bytes. */
export function readHexInterned(frame: Frame, ptr: number, len: number): string {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, len);
  const length = len >>> 0;
  const words = frame.memory.words();
  const hash = hashBytes(bytes, at, length, words);
  if (length > RECENT_BYTES) return internedHex(frame, bytes, at, length, hash, words);
  // Hashes are 30-bit, never the empty place's -1.
  const place = hash & (RECENT_PLACES - 1);
  const from = place * RECENT_BYTES;
  if (
    recentHashes[place] === hash &&
    recentLengths[place] === length &&
    sameBytesAt(recentBytes, recentWords, from, bytes, words, at, length)
  )
    return recentStrings[place] as string;
  const value = internedHex(frame, bytes, at, length, hash, words);
  recentHashes[place] = hash;
  recentLengths[place] = length;
  recentBytes.set(bytes.subarray(at, at + length), from);
  recentStrings[place] = value;
  return value;
}

/** `readHexInterned` through `hexStrings`. */
function internedHex(
  frame: Frame,
  bytes: Uint8Array,
  at: number,
  length: number,
  hash: number,
  words: Int32Array,
): string {
  const known = hexStrings.find(bytes, at, length, hash, words);
  if (known !== undefined) return known;
  return hexStrings.add(bytes, at, length, hash, `0x${frame.memory.text().toString("hex", at, at + length)}`);
}

/** Value of each lowercase hex digit by character code; -1 for anything else. */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_DIGIT["0123456789abcdef".charCodeAt(i)] = i;

export function writeAddress(frame: Frame, ptr: number, address: Address): void {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, ADDRESS_BYTES);
  wrote(frame, at, at + ADDRESS_BYTES);
  // Frame addresses are normalised already: decode the hex straight into memory (no
  // Buffer or view per call: this ran at ~250-900 ns). Anything else (never expected)
  // takes the checked path, which names the problem.
  if (address.length === 2 + 2 * ADDRESS_BYTES) {
    let bad = 0;
    for (let i = 0; i < ADDRESS_BYTES; i++) {
      const hi = HEX_DIGIT[address.charCodeAt(2 + 2 * i)] ?? -1;
      const lo = HEX_DIGIT[address.charCodeAt(3 + 2 * i)] ?? -1;
      bad |= hi | lo;
      bytes[at + i] = (hi << 4) | lo;
    }
    if (bad >= 0) return;
  }
  bytes.set(addressToBytes(address), at);
}

/** The u128 (little-endian) at `ptr`. */
export function readU128(frame: Frame, ptr: number): bigint {
  const bytes = frame.memory.bytes();
  return decodeU128At(bytes, start(bytes.length, ptr, 16));
}

export function writeU128(frame: Frame, ptr: number, amount: bigint): void {
  const bytes = frame.memory.bytes();
  const at = start(bytes.length, ptr, 16);
  wrote(frame, at, at + 16);
  encodeU128At(bytes, at, amount);
}

/** The hex form of `len` bytes at `ptr` (for storage keys and topics) without a copy or a view. */
export function readHex(frame: Frame, ptr: number, len: number): string {
  const text = frame.memory.text();
  const at = start(text.length, ptr, len);
  return text.toString("hex", at, at + (len >>> 0));
}
