/**
 * Byte helpers shared by every layer: hex conversion, concatenation, comparison and
 * fixed-width little-endian integers. No state, no I/O.
 */

/** Thrown when bytes or hex text are malformed. Carries a stable `code`. */
export class CodecError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "CodecError";
    this.code = code;
  }
}

/**
 * Lowercase hex without a prefix.
 * @example toHex(new Uint8Array([1, 255])) // "01ff"
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * Parses hex with or without a `0x` prefix; rejects odd length and non-hex characters.
 * @example fromHex("0x01ff") // Uint8Array [1, 255]
 */
export function fromHex(hex: string): Uint8Array {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  // Buffer's hex decoder stops at the first pair that is not hex: a short result means bad input.
  const decoded = body.length % 2 === 0 ? Buffer.from(body, "hex") : undefined;
  if (decoded === undefined || decoded.length * 2 !== body.length) {
    throw new CodecError("INVALID_HEX", `not a hex string: ${JSON.stringify(hex.slice(0, 80))}`);
  }
  return new Uint8Array(decoded); // a copy: small Buffers share a pool, callers own what they get
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** True when both arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encodes a non-negative bigint as `width` bytes little-endian; throws if it does not fit. */
export function uintToLE(value: bigint, width: number): Uint8Array {
  if (value < 0n || value >> BigInt(width * 8) !== 0n) {
    throw new CodecError("INT_RANGE", `${value} does not fit in ${width * 8} unsigned bits`);
  }
  const out = new Uint8Array(width);
  let v = value;
  for (let i = 0; i < width; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Decodes little-endian unsigned bytes into a bigint. */
export function leToUint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

const encoder = new TextEncoder();

/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
