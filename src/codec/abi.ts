/**
 * The Weft ABI (docs/host-abi.md, "ABI encoding") on the TypeScript side: little-endian
 * fixed-width integers, `u32`-length-prefixed bytes, strings and arrays, tuples as their
 * elements one after another. Also revert data (a `string` name then the arguments) and
 * event topics. Must agree byte for byte with `contracts/sdk/abi.ts`.
 */

import { AbiError, type AbiType, BASE_TYPES, type IntType, parseType, parseTypes } from "./abiTypes.js";
import { type Address, parseAddress } from "./address.js";
import { toHex } from "./bytes.js";
import { keccak256 } from "./hash.js";

export { AbiError, type AbiType, parseType } from "./abiTypes.js";

// ---------------------------------------------------------------------------------------
// Encoding

const textEncoder = new TextEncoder();
const SCRATCH_KEEP = 1 << 16;

/** A growing output buffer; one is shared by all encode calls (they never nest). */
class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;

  reserve(n: number): number {
    const at = this.pos;
    const need = at + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.pos = need;
    return at;
  }

  u32(n: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, n, true);
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  finish(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    if (this.buf.length > SCRATCH_KEEP) {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
    }
    return out;
  }
}

const writer = new Writer();

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}`;
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  return typeof value;
}

function toBigInt(t: AbiType, value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new AbiError(`${t.name}: expected a bigint or a safe integer, got ${describe(value)}`);
}

function writeInt(w: Writer, t: IntType, value: unknown): void {
  // Fast path for small numbers in the narrow widths.
  if (typeof value === "number" && t.bits <= 32 && Number.isInteger(value)) {
    const lo = t.kind === "uint" ? 0 : -(2 ** (t.bits - 1));
    const hi = t.kind === "uint" ? 2 ** t.bits - 1 : 2 ** (t.bits - 1) - 1;
    if (value < lo || value > hi) throw new AbiError(`${t.name}: value ${value} out of range`);
    const at = w.reserve(t.size);
    if (t.size === 1) w.buf[at] = value;
    else if (t.size === 2) w.view.setUint16(at, value, true);
    else w.view.setUint32(at, value >>> 0, true);
    return;
  }
  const v = toBigInt(t, value);
  const bits = BigInt(t.bits);
  let u: bigint;
  if (t.kind === "uint") {
    if (v < 0n || v >> bits !== 0n) throw new AbiError(`${t.name}: value ${v} out of range`);
    u = v;
  } else {
    const half = 1n << (bits - 1n);
    if (v < -half || v >= half) throw new AbiError(`${t.name}: value ${v} out of range`);
    u = BigInt.asUintN(t.bits, v);
  }
  const at = w.reserve(t.size);
  if (t.size <= 4) {
    const n = Number(u);
    if (t.size === 1) w.buf[at] = n;
    else if (t.size === 2) w.view.setUint16(at, n, true);
    else w.view.setUint32(at, n, true);
    return;
  }
  for (let off = 0; off < t.size; off += 8) {
    w.view.setBigUint64(at + off, BigInt.asUintN(64, u), true);
    u >>= 64n;
  }
}

const HEX_ADDRESS = /^0x[0-9a-f]{40}$/;
const LONE_SURROGATE = /\p{Surrogate}/u;

function nibble(c: number): number {
  // '0'-'9' → 0-9, 'a'-'f' / 'A'-'F' → 10-15 (input already validated).
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** Writes `bytes` bytes from already-validated 0x hex without allocating. */
function writeHex(w: Writer, hex: string, bytes: number): void {
  const at = w.reserve(bytes);
  const buf = w.buf;
  for (let i = 0; i < bytes; i++) {
    buf[at + i] = (nibble(hex.charCodeAt(2 + 2 * i)) << 4) | nibble(hex.charCodeAt(3 + 2 * i));
  }
}

function writeValue(w: Writer, t: AbiType, value: unknown): void {
  switch (t.kind) {
    case "uint":
    case "int":
      writeInt(w, t, value);
      return;
    case "bool":
      if (typeof value !== "boolean") throw new AbiError(`bool: expected a boolean, got ${describe(value)}`);
      {
        // Reserve first: growing replaces `w.buf`, so it must be read after.
        const at = w.reserve(1);
        w.buf[at] = value ? 1 : 0;
      }
      return;
    case "address": {
      if (typeof value !== "string")
        throw new AbiError(`address: expected a 0x hex string, got ${describe(value)}`);
      let hex: Address;
      if (HEX_ADDRESS.test(value)) hex = value as Address;
      else {
        try {
          hex = parseAddress(value);
        } catch {
          throw new AbiError(`address: invalid address ${describe(value)}`);
        }
      }
      writeHex(w, hex, 20);
      return;
    }
    case "bytes32":
      if (value instanceof Uint8Array) {
        if (value.length !== 32) throw new AbiError(`bytes32: expected 32 bytes, got ${value.length}`);
        w.bytes(value);
      } else if (typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value)) {
        writeHex(w, value, 32);
      } else {
        throw new AbiError(`bytes32: expected a Uint8Array or 0x hex of 32 bytes, got ${describe(value)}`);
      }
      return;
    case "bytes":
      if (!(value instanceof Uint8Array))
        throw new AbiError(`bytes: expected a Uint8Array, got ${describe(value)}`);
      w.u32(value.length);
      w.bytes(value);
      return;
    case "string": {
      if (typeof value !== "string") throw new AbiError(`string: expected a string, got ${describe(value)}`);
      if (LONE_SURROGATE.test(value)) throw new AbiError("string: lone surrogate (not encodable as UTF-8)");
      const len = Buffer.byteLength(value, "utf8");
      w.u32(len);
      const at = w.reserve(len);
      textEncoder.encodeInto(value, w.buf.subarray(at, at + len));
      return;
    }
    case "array": {
      if (!Array.isArray(value)) throw new AbiError(`${t.name}: expected an array, got ${describe(value)}`);
      if (value.length > 0xffffffff) throw new AbiError(`${t.name}: too many elements (${value.length})`);
      w.u32(value.length);
      for (const item of value) writeValue(w, t.element, item);
      return;
    }
    case "tuple": {
      if (!Array.isArray(value)) throw new AbiError(`${t.name}: expected an array, got ${describe(value)}`);
      if (value.length !== t.elements.length) {
        throw new AbiError(`${t.name}: expected ${t.elements.length} elements, got ${value.length}`);
      }
      for (let i = 0; i < t.elements.length; i++) writeValue(w, t.elements[i] as AbiType, value[i]);
      return;
    }
  }
}

function writeAll(w: Writer, types: readonly AbiType[], values: readonly unknown[]): void {
  if (types.length !== values.length) {
    throw new AbiError(`expected ${types.length} values, got ${values.length}`);
  }
  for (let i = 0; i < types.length; i++) writeValue(w, types[i] as AbiType, values[i]);
}

/**
 * ABI-encodes `values` as the tuple of `types`.
 * @example toHex(encodeAbi(["u32"], [1])) // "01000000"
 */
export function encodeAbi(types: readonly string[], values: readonly unknown[]): Uint8Array {
  const parsed = parseTypes(types);
  writer.pos = 0;
  writeAll(writer, parsed, values);
  return writer.finish();
}

// ---------------------------------------------------------------------------------------
// Decoding

const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class Reader {
  readonly view: DataView;
  pos = 0;
  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Returns the current offset and advances by `n`, or throws "truncated input". */
  take(n: number, what: string): number {
    const left = this.data.length - this.pos;
    if (n > left) {
      throw new AbiError(
        `truncated input: needed ${n} bytes for ${what} at offset ${this.pos}, ${left} left`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

/** Smallest possible encoded size of a value of `t` (used to reject absurd counts early). */
function minSize(t: AbiType): number {
  if (t.size !== null) return t.size;
  if (t.kind === "tuple") {
    let n = 0;
    for (const e of t.elements) n += minSize(e);
    return n;
  }
  return 4;
}

function readInt(r: Reader, t: IntType): bigint {
  const at = r.take(t.size, t.name);
  const v = r.view;
  switch (t.size) {
    case 1:
      return BigInt(v.getUint8(at));
    case 2:
      return BigInt(v.getUint16(at, true));
    case 4:
      return BigInt(t.kind === "int" ? v.getInt32(at, true) : v.getUint32(at, true));
    case 8:
      return t.kind === "int" ? v.getBigInt64(at, true) : v.getBigUint64(at, true);
    default: {
      let u = 0n;
      for (let off = t.size - 8; off >= 0; off -= 8) u = (u << 64n) | v.getBigUint64(at + off, true);
      return t.kind === "int" ? BigInt.asIntN(t.bits, u) : u;
    }
  }
}

function readValue(r: Reader, t: AbiType): unknown {
  switch (t.kind) {
    case "uint":
    case "int":
      return readInt(r, t);
    case "bool": {
      const at = r.take(1, "bool");
      const b = r.data[at] as number;
      if (b > 1) throw new AbiError(`bool: byte ${b} is not 0 or 1`);
      return b === 1;
    }
    case "address": {
      const at = r.take(20, "address");
      return `0x${toHex(r.data.subarray(at, at + 20))}` as Address;
    }
    case "bytes32": {
      const at = r.take(32, "bytes32");
      return r.data.slice(at, at + 32);
    }
    case "bytes": {
      const len = r.view.getUint32(r.take(4, "bytes length"), true);
      const at = r.take(len, "bytes");
      return r.data.slice(at, at + len);
    }
    case "string": {
      const len = r.view.getUint32(r.take(4, "string length"), true);
      const at = r.take(len, "string");
      try {
        return textDecoder.decode(r.data.subarray(at, at + len));
      } catch {
        throw new AbiError(`string: invalid UTF-8 at offset ${at}`);
      }
    }
    case "array": {
      const count = r.view.getUint32(r.take(4, `${t.name} count`), true);
      const min = minSize(t.element);
      const left = r.data.length - r.pos;
      if (count * min > left) {
        throw new AbiError(
          `truncated input: needed at least ${count * min} bytes for ${t.name} of ${count} elements at offset ${r.pos}, ${left} left`,
        );
      }
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = readValue(r, t.element);
      return out;
    }
    case "tuple": {
      const out = new Array<unknown>(t.elements.length);
      for (let i = 0; i < t.elements.length; i++) out[i] = readValue(r, t.elements[i] as AbiType);
      return out;
    }
  }
}

function readAll(r: Reader, types: readonly AbiType[]): unknown[] {
  const out = new Array<unknown>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = readValue(r, types[i] as AbiType);
  const trailing = r.data.length - r.pos;
  if (trailing !== 0) throw new AbiError(`${trailing} trailing bytes`);
  return out;
}

/**
 * Decodes `data` as the tuple of `types`; rejects truncated input and trailing bytes.
 * Integers come back as bigint, tuples as arrays.
 */
export function decodeAbi(types: readonly string[], data: Uint8Array): unknown[] {
  return readAll(new Reader(data), parseTypes(types));
}

// ---------------------------------------------------------------------------------------
// Errors and events

const STRING_TYPE = BASE_TYPES.get("string") as AbiType;

/** Revert data: the error `name` as an ABI string, then the ABI encoding of its arguments. */
export function encodeError(name: string, types: readonly string[], values: readonly unknown[]): Uint8Array {
  const parsed = parseTypes(types);
  writer.pos = 0;
  writeValue(writer, STRING_TYPE, name);
  writeAll(writer, parsed, values);
  return writer.finish();
}

/** Splits revert data into the error name and the still-encoded arguments. */
export function decodeErrorName(data: Uint8Array): { name: string; rest: Uint8Array } {
  const r = new Reader(data);
  const name = readValue(r, STRING_TYPE) as string;
  return { name, rest: data.slice(r.pos) };
}

/** Decodes revert data whose arguments have `types`. */
export function decodeError(data: Uint8Array, types: readonly string[]): { name: string; args: unknown[] } {
  const r = new Reader(data);
  const name = readValue(r, STRING_TYPE) as string;
  return { name, args: readAll(r, parseTypes(types)) };
}

/**
 * The canonical event (or error) signature.
 * @example eventSignature("Transfer", ["address", "address", "u128"]) // "Transfer(address,address,u128)"
 */
export function eventSignature(name: string, types: readonly string[]): string {
  return `${name}(${parseTypes(types)
    .map((t) => t.name)
    .join(",")})`;
}

/** Topic 0 of an event: keccak256 of the UTF-8 signature. */
export function eventTopic0(name: string, types: readonly string[]): Uint8Array {
  return keccak256(textEncoder.encode(eventSignature(name, types)));
}

/**
 * The topic of an indexed event argument: fixed-size values encoded and zero-padded at
 * the end to 32 bytes; strings and bytes hashed (keccak256 of the raw bytes); arrays and
 * tuples hashed as their ABI encoding.
 */
export function indexedTopic(type: string, value: unknown): Uint8Array {
  const t = parseType(type);
  if (t.kind === "string") {
    writer.pos = 0;
    writeValue(writer, t, value);
    return keccak256(writer.finish().subarray(4));
  }
  if (t.kind === "bytes") {
    if (!(value instanceof Uint8Array))
      throw new AbiError(`bytes: expected a Uint8Array, got ${describe(value)}`);
    return keccak256(value);
  }
  writer.pos = 0;
  writeValue(writer, t, value);
  const encoded = writer.finish();
  if (t.kind === "array" || t.kind === "tuple" || encoded.length > 32) return keccak256(encoded);
  const out = new Uint8Array(32);
  out.set(encoded);
  return out;
}
