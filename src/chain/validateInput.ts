/**
 * The input of an account's `validate` step (`VALIDATE_ARGS`: signing hash, authorisation,
 * the most the account pays, then the calls' targets, methods, arguments and values),
 * written straight into one buffer of its exact size. Admission and execution both build
 * it for every transaction; the generic `encodeAbi` took ~10% of admission besides the
 * signature (type dispatch, a regular expression per address and per string, a growing
 * buffer copied out at the end).
 *
 * The bytes are `encodeAbi(VALIDATE_ARGS, …)`'s. Anything off the common path (a target not
 * in lowercase hex, a method not ASCII, a value out of range) goes through `encodeAbi`,
 * which checks it and throws its own error.
 *
 * When the caller has the transaction's canonical encoding (admission, and execution of a
 * block's bytes), `validateInputOfEncoding` copies the calls' fields from those bytes as they
 * are: the targets' 20 bytes, the methods' UTF-8, the arguments and the values' 16
 * little-endian bytes are the input's own, so no address is parsed from hex again and no
 * value is written from a bigint.
 */
import { encodeAbi } from "../codec/abi.js";
import { CALLS_OFFSET, type Call } from "./tx/envelope.js";

const U128_MAX = (1n << 128n) - 1n;
const LOWER_HEX_ADDRESS = /^0x[0-9a-f]{40}$/;

/** The `validate` step's arguments; must stay `encodeValidateInput`'s layout. */
export const VALIDATE_ARGS = ["bytes32", "bytes", "u128", "address[]", "string[]", "bytes[]", "u128[]"];

/** True when every field takes the direct path (see the top of this file). */
function direct(hash: Uint8Array, maxFee: bigint, calls: readonly Call[]): boolean {
  if (hash.length !== 32 || maxFee < 0n || maxFee > U128_MAX) return false;
  for (const c of calls) {
    if (typeof c.target !== "string" || !LOWER_HEX_ADDRESS.test(c.target)) return false;
    if (typeof c.method !== "string" || !(c.args instanceof Uint8Array)) return false;
    if (typeof c.value !== "bigint" || c.value < 0n || c.value > U128_MAX) return false;
    for (let i = 0; i < c.method.length; i++) if (c.method.charCodeAt(i) >= 0x80) return false;
  }
  return true;
}

function writeU128(view: DataView, at: number, v: bigint): void {
  view.setBigUint64(at, BigInt.asUintN(64, v), true);
  view.setBigUint64(at + 8, v >> 64n, true);
}

/** `encodeAbi(VALIDATE_ARGS, [hash, auth, maxFee, targets, methods, args, values])`. */
export function encodeValidateInput(
  hash: Uint8Array,
  auth: Uint8Array,
  maxFee: bigint,
  calls: readonly Call[],
): Uint8Array {
  if (!(auth instanceof Uint8Array) || !direct(hash, maxFee, calls)) {
    return encodeAbi(VALIDATE_ARGS, [
      hash,
      auth,
      maxFee,
      calls.map((c) => c.target),
      calls.map((c) => c.method),
      calls.map((c) => c.args),
      calls.map((c) => c.value),
    ]);
  }
  let size = 32 + 4 + auth.length + 16 + 4 * 4 + calls.length * (20 + 4 + 4 + 16);
  for (const c of calls) size += c.method.length + c.args.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  out.set(hash, 0);
  let at = 32;
  view.setUint32(at, auth.length, true);
  out.set(auth, at + 4);
  at += 4 + auth.length;
  writeU128(view, at, maxFee);
  at += 16;
  const count = calls.length;
  view.setUint32(at, count, true);
  at += 4;
  for (const c of calls) at += bytes.write(c.target.slice(2), at, 20, "hex");
  view.setUint32(at, count, true);
  at += 4;
  for (const c of calls) {
    view.setUint32(at, c.method.length, true);
    at += 4;
    for (let i = 0; i < c.method.length; i++) out[at + i] = c.method.charCodeAt(i);
    at += c.method.length;
  }
  view.setUint32(at, count, true);
  at += 4;
  for (const c of calls) {
    view.setUint32(at, c.args.length, true);
    out.set(c.args, at + 4);
    at += 4 + c.args.length;
  }
  view.setUint32(at, count, true);
  at += 4;
  for (const c of calls) {
    writeU128(view, at, c.value);
    at += 16;
  }
  return out;
}

/**
 * `encodeValidateInput(hash, auth, maxFee, env.calls)` for the envelope `env` whose canonical
 * encoding is `raw` (`decodeTx(raw)`), its `auth` being `raw`'s last `auth.length` bytes: the
 * calls' fields are copied from `raw`. Undefined when `maxFee` is not a u128 or `raw` does
 * not have the layout (the caller then encodes from the fields).
 */
export function validateInputOfEncoding(
  hash: Uint8Array,
  raw: Uint8Array,
  auth: Uint8Array,
  maxFee: bigint,
): Uint8Array | undefined {
  if (hash.length !== 32 || maxFee < 0n || maxFee > U128_MAX) return undefined;
  const count = raw[CALLS_OFFSET];
  if (count === undefined || count < 1) return undefined;
  const rawView = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // Each call is target (20), method length (1), method, args length (u32), args, value (16).
  const end = raw.length - 4 - auth.length;
  let size = 32 + 4 + auth.length + 16 + 4 * 4 + count * (20 + 4 + 4 + 16);
  let at = CALLS_OFFSET + 1;
  for (let i = 0; i < count; i++) {
    if (at + 21 > end) return undefined;
    const methodLength = raw[at + 20] as number;
    at += 21 + methodLength;
    if (at + 4 > end) return undefined;
    const argsLength = rawView.getUint32(at, true);
    at += 4 + argsLength + 16;
    if (at > end) return undefined;
    size += methodLength + argsLength;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(hash, 0);
  let w = 32;
  view.setUint32(w, auth.length, true);
  out.set(auth, w + 4);
  w += 4 + auth.length;
  writeU128(view, w, maxFee);
  w += 16;
  // Four passes over the calls (targets, methods, args, values), as the layout groups them.
  view.setUint32(w, count, true);
  w += 4;
  let r = CALLS_OFFSET + 1;
  for (let i = 0; i < count; i++) {
    out.set(raw.subarray(r, r + 20), w);
    w += 20;
    r = skipCall(rawView, r);
  }
  view.setUint32(w, count, true);
  w += 4;
  r = CALLS_OFFSET + 1;
  for (let i = 0; i < count; i++) {
    const methodLength = raw[r + 20] as number;
    view.setUint32(w, methodLength, true);
    out.set(raw.subarray(r + 21, r + 21 + methodLength), w + 4);
    w += 4 + methodLength;
    r = skipCall(rawView, r);
  }
  view.setUint32(w, count, true);
  w += 4;
  r = CALLS_OFFSET + 1;
  for (let i = 0; i < count; i++) {
    const argsAt = r + 21 + (raw[r + 20] as number);
    const argsLength = rawView.getUint32(argsAt, true);
    out.set(raw.subarray(argsAt, argsAt + 4 + argsLength), w); // the u32 length, then the bytes
    w += 4 + argsLength;
    r = skipCall(rawView, r);
  }
  view.setUint32(w, count, true);
  w += 4;
  r = CALLS_OFFSET + 1;
  for (let i = 0; i < count; i++) {
    const next = skipCall(rawView, r);
    out.set(raw.subarray(next - 16, next), w);
    w += 16;
    r = next;
  }
  return out;
}

/** The offset of the call after the one at `at` in an encoding (its layout checked by the caller). */
function skipCall(raw: DataView, at: number): number {
  const argsAt = at + 21 + raw.getUint8(at + 20);
  return argsAt + 4 + raw.getUint32(argsAt, true) + 16;
}
