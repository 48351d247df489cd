/**
 * Bounded binary reading and writing for consensus messages and records: big-endian
 * integers, fixed-size byte fields, length-prefixed byte fields with a maximum. Every read
 * checks the bytes that remain first, so a hostile input costs at most its own length and
 * ends in a typed `ConsensusDecodeError`, never an exception from a typed array.
 */
import { ConsensusDecodeError } from "./errors.js";

export class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  u8(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v);
    return this.push(b);
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.push(b);
  }
  /** A round or -1, as a 32-bit two's complement integer. */
  i32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v);
    return this.push(b);
  }
  /** A height (a safe integer) as 8 bytes. */
  u64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    return this.push(b);
  }
  bigU64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v);
    return this.push(b);
  }
  fixed(bytes: Uint8Array): this {
    return this.push(bytes);
  }
  /** Bytes with a 32-bit length in front. */
  bytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    return this.push(bytes);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
}

export class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(
    private readonly input: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.input[this.at++] as number;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  i32(field: string): number {
    this.need(4, field);
    const v = this.view.getInt32(this.at);
    this.at += 4;
    return v;
  }
  /** A height: 8 bytes that must hold a safe integer. */
  u64(field: string): number {
    const v = this.bigU64(field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ConsensusDecodeError("OUT_OF_RANGE", `${this.what}: ${field} ${v} is above 2^53-1`);
    }
    return Number(v);
  }
  bigU64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.at);
    this.at += 8;
    return v;
  }
  fixed(length: number, field: string): Uint8Array {
    this.need(length, field);
    // A copy as a plain Uint8Array, whatever the input (Buffer.slice would share memory).
    const out = new Uint8Array(this.input.subarray(this.at, this.at + length));
    this.at += length;
    return out;
  }
  /** Length-prefixed bytes of at most `max` bytes (checked before anything is copied). */
  bytes(max: number, field: string): Uint8Array {
    const length = this.u32(field);
    if (length > max) {
      throw new ConsensusDecodeError("TOO_LARGE", `${this.what}: ${field} is ${length} bytes, above ${max}`);
    }
    return this.fixed(length, field);
  }
  end(): void {
    if (this.at !== this.input.length) {
      throw new ConsensusDecodeError(
        "TRAILING_BYTES",
        `${this.what}: ${this.input.length - this.at} bytes after the end`,
      );
    }
  }
  private need(n: number, field: string): void {
    if (this.at + n > this.input.length) {
      throw new ConsensusDecodeError(
        "TRUNCATED",
        `${this.what}: ends inside ${field} (needs ${n} bytes at offset ${this.at}, has ${this.input.length - this.at})`,
      );
    }
  }
}
