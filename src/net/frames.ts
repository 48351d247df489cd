/**
 * Length-prefixed frames on a libp2p stream: `u32 length` (big-endian), then `length`
 * bytes. The reader checks each length against the caller's bound BEFORE it buffers the
 * frame, so a peer announcing 4 GiB costs us four bytes, and it never holds more than one
 * frame and one chunk.
 */
import { NetError } from "./errors.js";

const PREFIX = 4;

/** A chunk as a libp2p stream yields it (a `Uint8ArrayList` or a `Uint8Array`). */
export type Chunk = Uint8Array | { subarray(): Uint8Array };

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(PREFIX + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, PREFIX);
  return out;
}

/**
 * Yields each frame's payload from `source`; throws `NetError` TOO_LARGE for a frame over
 * `maxFrameBytes` and TRUNCATED when the stream ends inside a frame.
 */
export async function* readFrames(
  source: AsyncIterable<Chunk>,
  maxFrameBytes: number,
): AsyncGenerator<Uint8Array> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of source) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    buffer = buffer.length === 0 ? bytes : concat(buffer, bytes);
    while (buffer.length >= PREFIX) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, PREFIX).getUint32(0);
      if (length > maxFrameBytes)
        throw new NetError("TOO_LARGE", `a frame of ${length} bytes (max ${maxFrameBytes})`, {
          length,
          maxFrameBytes,
        });
      if (buffer.length < PREFIX + length) break;
      yield new Uint8Array(buffer.subarray(PREFIX, PREFIX + length)); // a copy, and a plain Uint8Array (chunks may be Buffers)
      buffer = buffer.subarray(PREFIX + length);
    }
  }
  if (buffer.length > 0)
    throw new NetError("TRUNCATED", `the stream ended inside a frame (${buffer.length} bytes left)`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
