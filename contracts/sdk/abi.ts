/**
 * The Weft ABI (docs/host-abi.md) in AssemblyScript: a reader for arguments and a writer
 * for return values, events and errors. `read<T>()` and `write<T>()` dispatch on the
 * type at compile time, so contract code and generated entry points stay one line per
 * value. The TypeScript side is `src/codec/abi.ts`; both must agree byte for byte.
 */
import { Address, Bytes32 } from "./address";
import { revertWith } from "./errors";
import { U128, U256 } from "./u128";

function invalid(message: string): void {
  const w = new AbiWriter();
  w.string(message);
  revertWith("InvalidArguments", w.finish());
}

/** True when `bytes[start..end)` is well-formed UTF-8 (no overlongs, no surrogates). */
function validUtf8(bytes: Uint8Array, start: i32, end: i32): bool {
  let i = start;
  while (i < end) {
    const b = <u32>unchecked(bytes[i]);
    if (b < 0x80) {
      i++;
      continue;
    }
    let n = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if ((b & 0xe0) == 0xc0) {
      n = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      n = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      n = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return false;
    if (i + n >= end) return false;
    for (let k = 1; k <= n; k++) {
      const c = <u32>unchecked(bytes[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

export class AbiReader {
  offset: i32 = 0;
  /** Where the input ends: `data.length`, or less for a reader over the start of a buffer (`reset`). */
  end: i32;
  constructor(public data: Uint8Array) {
    this.end = data.length;
  }

  /** Reads `data[0..end)` from its start again (a reader reused over a scratch buffer). */
  reset(data: Uint8Array, end: i32): void {
    this.data = data;
    this.end = end;
    this.offset = 0;
  }

  private need(n: i32, what: string): void {
    if (n < 0 || this.end - this.offset < n) {
      invalid(
        "truncated input: needed " +
          n.toString() +
          " bytes for " +
          what +
          " at offset " +
          this.offset.toString(),
      );
    }
  }

  /** Reverts with `InvalidArguments` if bytes are left over. */
  finish(): void {
    if (this.offset != this.end) {
      invalid((this.end - this.offset).toString() + " trailing bytes");
    }
  }

  /** A little-endian integer of `size` bytes (1, 2, 4 or 8): one load (wasm memory is little-endian). */
  private uint(size: i32, what: string): u64 {
    this.need(size, what);
    const at = this.data.dataStart + <usize>this.offset;
    let v: u64;
    if (size == 8) v = load<u64>(at);
    else if (size == 4) v = <u64>load<u32>(at);
    else if (size == 2) v = <u64>load<u16>(at);
    else v = <u64>load<u8>(at);
    this.offset += size;
    return v;
  }

  u8(): u8 {
    return <u8>this.uint(1, "u8");
  }
  u16(): u16 {
    return <u16>this.uint(2, "u16");
  }
  u32(): u32 {
    return <u32>this.uint(4, "u32");
  }
  u64(): u64 {
    return this.uint(8, "u64");
  }

  bool(): bool {
    const b = this.u8();
    if (b > 1) invalid("bool: byte " + b.toString() + " is not 0 or 1");
    return b == 1;
  }

  private slice(n: i32, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  address(): Address {
    return new Address(this.slice(20, "address"));
  }

  bytes32(): Bytes32 {
    return new Bytes32(this.slice(32, "bytes32"));
  }

  u128(): U128 {
    const lo = this.uint(8, "u128");
    const hi = this.uint(8, "u128");
    return new U128(lo, hi);
  }

  u256(): U256 {
    const a = this.uint(8, "u256");
    const b = this.uint(8, "u256");
    const c = this.uint(8, "u256");
    const d = this.uint(8, "u256");
    return new U256(a, b, c, d);
  }

  bytes(): Uint8Array {
    const n = <i32>this.u32();
    return this.slice(n, "bytes");
  }

  string(): string {
    const n = <i32>this.u32();
    this.need(n, "string");
    if (!validUtf8(this.data, this.offset, this.offset + n)) invalid("string: invalid UTF-8");
    const s = String.UTF8.decodeUnsafe(this.data.dataStart + <usize>this.offset, <usize>n);
    this.offset += n;
    return s;
  }

  read<T>(): T {
    if (isBoolean<T>()) return <T>this.bool();
    if (isInteger<T>()) {
      if (sizeof<T>() == 1) return <T>this.u8();
      if (sizeof<T>() == 2) return <T>this.u16();
      if (sizeof<T>() == 4) return <T>this.u32();
      return <T>this.u64();
    }
    if (isString<T>()) return changetype<T>(this.string());
    if (isArray<T>()) {
      const n = <i32>this.u32();
      // Every element takes at least one byte: a count beyond the input is truncation.
      this.need(n, "array");
      const out = instantiate<T>(0);
      for (let i = 0; i < n; i++) out.push(this.read<valueof<T>>());
      return out;
    }
    if (idof<T>() == idof<Address>()) return changetype<T>(this.address());
    if (idof<T>() == idof<U128>()) return changetype<T>(this.u128());
    if (idof<T>() == idof<U256>()) return changetype<T>(this.u256());
    if (idof<T>() == idof<Bytes32>()) return changetype<T>(this.bytes32());
    if (idof<T>() == idof<Uint8Array>()) return changetype<T>(this.bytes());
    ERROR("AbiReader.read: unsupported type");
    return unreachable();
  }
}

/**
 * The encoded size of a value of type `T` when every value of it has the same size
 * (integers, bool, Address, Bytes32, U128, U256), else -1. Known at compile time: writers
 * sized with it get a buffer that `finish` hands back whole.
 */
export function fixedSize<T>(): i32 {
  if (isBoolean<T>()) return 1;
  if (isInteger<T>()) return sizeof<T>();
  if (isString<T>()) return -1;
  if (isArray<T>()) return -1;
  if (idof<T>() == idof<Address>()) return 20;
  if (idof<T>() == idof<U128>()) return 16;
  if (idof<T>() == idof<U256>()) return 32;
  if (idof<T>() == idof<Bytes32>()) return 32;
  return -1;
}

export class AbiWriter {
  private buf: Uint8Array;
  length: i32 = 0;

  /** `capacity`: the bytes to reserve up front; the buffer grows past it as needed. */
  constructor(capacity: i32 = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: i32): void {
    if (this.length + n <= this.buf.length) return;
    let size = max(this.buf.length * 2, 16);
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** `v` as `size` little-endian bytes (1, 2, 4 or 8): one store. */
  private uint(v: u64, size: i32): void {
    this.reserve(size);
    const at = this.buf.dataStart + <usize>this.length;
    if (size == 8) store<u64>(at, v);
    else if (size == 4) store<u32>(at, <u32>v);
    else if (size == 2) store<u16>(at, <u16>v);
    else store<u8>(at, <u8>v);
    this.length += size;
  }

  /** Starts over, keeping the buffer (a writer reused for scratch work: `storage.ts`). */
  reset(): void {
    this.length = 0;
  }

  /** Where the bytes written start in memory (valid until the next write). */
  get dataStart(): usize {
    return this.buf.dataStart;
  }

  u8(v: u8): void {
    this.uint(v, 1);
  }
  u16(v: u16): void {
    this.uint(v, 2);
  }
  u32(v: u32): void {
    this.uint(v, 4);
  }
  u64(v: u64): void {
    this.uint(v, 8);
  }
  bool(v: bool): void {
    this.uint(v ? 1 : 0, 1);
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  address(a: Address): void {
    this.raw(a.bytes);
  }
  bytes32(b: Bytes32): void {
    this.raw(b.bytes);
  }
  u128(v: U128): void {
    this.uint(v.lo, 8);
    this.uint(v.hi, 8);
  }
  u256(v: U256): void {
    this.uint(v.l0, 8);
    this.uint(v.l1, 8);
    this.uint(v.l2, 8);
    this.uint(v.l3, 8);
  }
  bytes(b: Uint8Array): void {
    this.u32(<u32>b.length);
    this.raw(b);
  }
  string(s: string): void {
    this.bytes(Uint8Array.wrap(String.UTF8.encode(s)));
  }

  write<T>(v: T): void {
    if (isBoolean<T>()) {
      this.bool(<bool>v);
      return;
    }
    if (isInteger<T>()) {
      this.uint(<u64>v, sizeof<T>());
      return;
    }
    if (isString<T>()) {
      this.string(changetype<string>(v));
      return;
    }
    if (isArray<T>()) {
      this.u32(<u32>v.length);
      for (let i = 0; i < v.length; i++) this.write<valueof<T>>(v[i]);
      return;
    }
    if (idof<T>() == idof<Address>()) {
      this.address(changetype<Address>(v));
      return;
    }
    if (idof<T>() == idof<U128>()) {
      this.u128(changetype<U128>(v));
      return;
    }
    if (idof<T>() == idof<U256>()) {
      this.u256(changetype<U256>(v));
      return;
    }
    if (idof<T>() == idof<Bytes32>()) {
      this.bytes32(changetype<Bytes32>(v));
      return;
    }
    if (idof<T>() == idof<Uint8Array>()) {
      this.bytes(changetype<Uint8Array>(v));
      return;
    }
    ERROR("AbiWriter.write: unsupported type");
  }

  /**
   * The bytes written, without a copy: the buffer itself when it is full, else a view of
   * its start. Write nothing more to this writer once it is finished.
   */
  finish(): Uint8Array {
    if (this.length == this.buf.length) return this.buf;
    return this.buf.subarray(0, this.length);
  }
}

/** The ABI encoding of one value. */
export function encode<T>(v: T): Uint8Array {
  const size = fixedSize<T>();
  const w = new AbiWriter(size < 0 ? 64 : size);
  w.write<T>(v);
  return w.finish();
}
