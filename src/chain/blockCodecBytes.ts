/**
 * The byte writer and reader under the parallel engine's block encoding (`blockCodec.ts`):
 * little-endian numbers, length-prefixed bytes and UTF-8 strings, bigints (a float64 when
 * exact, else hex), and strings that repeat the last one written in a slot as a 4-byte
 * back-reference. A writer is reused from block to block and keeps its grown buffer.
 */

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** In place of a string's length: "the same string as last time in this slot". */
const REPEAT = 0xffffffff;

export class Writer {
  /** A Buffer: its native `write` beats `TextEncoder.encodeInto` on a subarray (no view per string). */
  private buf = Buffer.alloc(1 << 16);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;

  /** Starts over (a writer is reused from block to block: it keeps its grown buffer). */
  reset(): void {
    this.pos = 0;
    this.recent.length = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  /** Overwrites the u32 written at `at`. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  f64(v: number): void {
    if (typeof v !== "number") throw new TypeError(`expected a number, got ${typeof v}`);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    if (!(b instanceof Uint8Array)) throw new TypeError(`expected a Uint8Array, got ${typeof b}`);
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  str(s: string): void {
    if (typeof s !== "string") throw new TypeError(`expected a string, got ${typeof s}`);
    this.ensure(4 + s.length * 3);
    const written = this.buf.write(s, this.pos + 4, "utf8");
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }
  private readonly recent: string[] = [];
  /** `str`, or a 4-byte back-reference when `s` equals the last string written in `slot`. */
  repeatable(s: string, slot: number): void {
    if (this.recent[slot] === s) {
      this.u32(REPEAT);
      return;
    }
    this.recent[slot] = s;
    this.str(s);
  }
  big(v: bigint): void {
    if (typeof v !== "bigint") throw new TypeError(`expected a bigint, got ${typeof v}`);
    // Most amounts are small: a float64 holds them exactly and decodes without parsing.
    if (v >= -SAFE && v <= SAFE) {
      this.u8(0);
      this.f64(Number(v));
    } else {
      this.u8(1);
      this.str(v.toString(16));
    }
  }
  /** What was written, as a view of the writer's buffer: valid until the writer is next used. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
  /** A copy of what was written (the writer's buffer is reused). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos); // a plain Uint8Array: a Buffer's slice would be a view
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

export class Reader {
  pos: number;
  private readonly view: DataView;
  /** The same bytes as a Buffer: its native UTF-8 slicing beats TextDecoder on short strings. */
  private readonly text: Buffer;
  constructor(
    private readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number {
    return this.buf[this.pos++] as number;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.u32();
    const out = this.text.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  private readonly recent: string[] = [];
  /** Reads what `Writer.repeatable` wrote: a string, or the last one read in `slot` (the same object). */
  repeatable(slot: number): string {
    if (this.view.getUint32(this.pos, true) === REPEAT) {
      this.pos += 4;
      return this.recent[slot] as string;
    }
    const s = this.str();
    this.recent[slot] = s;
    return s;
  }
  big(): bigint {
    if (this.u8() === 0) return BigInt(this.f64());
    const hex = this.str();
    return hex.startsWith("-") ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
  }
}
