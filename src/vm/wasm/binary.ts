/**
 * Reading and writing the WebAssembly binary format's primitives: bytes, LEB128
 * integers, names and vectors. The reader throws `DeployError("MALFORMED_MODULE")` with
 * the offset on any truncated or over-long encoding, so a hostile module can never make
 * the parser read past its input or loop.
 */
import { DeployError } from "../errors.js";

export class BinaryReader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    readonly end = bytes.length,
  ) {
    this.offset = offset;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  fail(what: string): never {
    throw new DeployError("MALFORMED_MODULE", `malformed module at byte ${this.offset}: ${what}`);
  }

  u8(): number {
    if (this.offset >= this.end) this.fail("unexpected end");
    return this.bytes[this.offset++] as number;
  }

  /** Unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (i === 4 && byte > 0x0f) this.fail("u32 out of range");
        return result >>> 0;
      }
      shift += 7;
    }
    return this.fail("u32 too long");
  }

  /** Skips a signed LEB128 of at most `bits` bits (the instrumenter never needs its value). */
  skipSigned(bits: 32 | 64): void {
    const max = Math.ceil(bits / 7);
    for (let i = 0; i < max; i++) if ((this.u8() & 0x80) === 0) return;
    this.fail(`s${bits} too long`);
  }

  /** Signed LEB128 of at most 33 bits, as a number (block types). */
  s33(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    let i = 0;
    do {
      if (i++ >= 5) this.fail("s33 too long");
      byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (byte & 0x40) result -= 2 ** shift;
    return result;
  }

  take(length: number): Uint8Array {
    if (length > this.end - this.offset) this.fail(`needed ${length} bytes, ${this.end - this.offset} left`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  name(): string {
    const raw = this.take(this.u32());
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      return this.fail("name is not valid UTF-8");
    }
  }
}

/** A growable byte buffer with LEB128 writers. */
export class BinaryWriter {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(value: number): this {
    this.reserve(1);
    this.buf[this.length++] = value;
    return this;
  }

  bytes(values: Uint8Array): this {
    this.reserve(values.length);
    this.buf.set(values, this.length);
    this.length += values.length;
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.byte(byte);
    } while (v !== 0);
    return this;
  }

  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      const signBit = byte & 0x40;
      if ((v === 0 && !signBit) || (v === -1 && signBit)) {
        this.byte(byte);
        return this;
      }
      this.byte(byte | 0x80);
    }
  }

  name(value: string): this {
    const raw = new TextEncoder().encode(value);
    return this.u32(raw.length).bytes(raw);
  }

  /** Appends `body` as a length-prefixed section with id `id`. */
  section(id: number, body: Uint8Array): this {
    return this.byte(id).u32(body.length).bytes(body);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
