/**
 * The block-sync protocol's messages, each in one frame (`frames.ts`). Integers are
 * big-endian; heights are u64 on the wire and safe integers in the API.
 *
 *   request   u8 1 (GET_BLOCKS) ‖ u64 from ‖ u32 count
 *   block     u8 2 ‖ u64 height ‖ u32 n ‖ n bytes of block ‖ u32 m ‖ m bytes of certificate
 *   end       u8 3                       (the answer is complete; fewer blocks than asked:
 *                                         the server has no more)
 *   error     u8 4 ‖ u8 code ‖ utf-8 message (≤ 256 bytes)
 *
 * An answer is zero or more `block` frames at heights from, from+1, ... then `end`, or an
 * `error` frame. Decoding failures are `NetError` MALFORMED.
 */
import { NetError } from "./errors.js";

export const GET_BLOCKS = 1;
export const BLOCK = 2;
export const END = 3;
export const ERROR = 4;

/** Errors a server answers with. */
export const SYNC_ERROR_CODES = ["BAD_REQUEST", "RATE_LIMITED", "UNAVAILABLE"] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export interface BlocksRequest {
  from: number;
  count: number;
}

export interface SyncBlock {
  height: number;
  /** The block's bytes, as the chain encodes them. */
  block: Uint8Array;
  /** The commit certificate's bytes (empty before consensus signs blocks). */
  certificate: Uint8Array;
}

export type SyncAnswer =
  | { type: "block"; block: SyncBlock }
  | { type: "end" }
  | { type: "error"; code: SyncErrorCode; message: string };

const MAX_ERROR_TEXT = 256;

export function encodeRequest(request: BlocksRequest): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  view.setUint8(0, GET_BLOCKS);
  view.setBigUint64(1, BigInt(request.from));
  view.setUint32(9, request.count);
  return out;
}

export function decodeRequest(data: Uint8Array): BlocksRequest {
  if (data.length !== 13 || data[0] !== GET_BLOCKS)
    throw new NetError(
      "MALFORMED",
      `a sync request is 13 bytes of type ${GET_BLOCKS} (got ${data.length} bytes)`,
    );
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { from: safeHeight(view.getBigUint64(1)), count: view.getUint32(9) };
}

export function encodeBlock(block: SyncBlock): Uint8Array {
  const out = new Uint8Array(1 + 8 + 4 + block.block.length + 4 + block.certificate.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, BLOCK);
  view.setBigUint64(1, BigInt(block.height));
  view.setUint32(9, block.block.length);
  out.set(block.block, 13);
  view.setUint32(13 + block.block.length, block.certificate.length);
  out.set(block.certificate, 17 + block.block.length);
  return out;
}

export function encodeEnd(): Uint8Array {
  return Uint8Array.of(END);
}

export function encodeError(code: SyncErrorCode, message: string): Uint8Array {
  const text = new TextEncoder().encode(message).subarray(0, MAX_ERROR_TEXT);
  return Uint8Array.of(ERROR, SYNC_ERROR_CODES.indexOf(code), ...text);
}

/** One frame of an answer; throws `NetError` MALFORMED. */
export function decodeAnswer(data: Uint8Array): SyncAnswer {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (data[0]) {
    case BLOCK: {
      if (data.length < 17) throw new NetError("MALFORMED", `a block frame of ${data.length} bytes`);
      const height = safeHeight(view.getBigUint64(1));
      const n = view.getUint32(9);
      if (17 + n > data.length)
        throw new NetError("MALFORMED", `block ${height}'s length ${n} runs past its frame`);
      const m = view.getUint32(13 + n);
      if (17 + n + m !== data.length)
        throw new NetError("MALFORMED", `block ${height}'s certificate length ${m} does not fill its frame`);
      return {
        type: "block",
        block: { height, block: data.slice(13, 13 + n), certificate: data.slice(17 + n, 17 + n + m) },
      };
    }
    case END:
      if (data.length !== 1) throw new NetError("MALFORMED", "an end frame holds one byte");
      return { type: "end" };
    case ERROR: {
      const code = SYNC_ERROR_CODES[data[1] ?? 255];
      if (code === undefined || data.length > 2 + MAX_ERROR_TEXT)
        throw new NetError("MALFORMED", "an error frame with an unknown code or an overlong message");
      return { type: "error", code, message: new TextDecoder().decode(data.subarray(2)) };
    }
    default:
      throw new NetError("MALFORMED", `an answer frame of unknown type ${data[0]}`);
  }
}

function safeHeight(height: bigint): number {
  if (height > BigInt(Number.MAX_SAFE_INTEGER))
    throw new NetError("MALFORMED", `height ${height} is out of range`);
  return Number(height);
}
