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

/** Bytes a reader copied (its frames' payloads, and the pieces of their length prefixes). */
export interface FrameStats {
  copied: number;
}

/**
 * Yields each frame's payload from `source`; throws `NetError` TOO_LARGE for a frame over
 * `maxFrameBytes` and TRUNCATED when the stream ends inside a frame.
 *
 * Chunks are kept as they come and copied once, into the frame they complete: a frame that
 * arrives in many small chunks costs its size, not its size times its chunks. (Until session
 * 16 each chunk was appended to a copy of all before it: a peer trickling a 4 MiB frame in
 * 1 KiB chunks made the reader copy 8 GiB, 141 s of one thread.)
 */
export async function* readFrames(
  source: AsyncIterable<Chunk>,
  maxFrameBytes: number,
  stats: FrameStats = { copied: 0 },
): AsyncGenerator<Uint8Array> {
  const pending = new ChunkQueue(stats);
  /** The current frame's length, once its prefix is read. */
  let length = -1;
  for await (const chunk of source) {
    pending.push(chunk instanceof Uint8Array ? chunk : chunk.subarray());
    for (;;) {
      if (length < 0) {
        if (pending.bytes < PREFIX) break;
        const prefix = pending.take(PREFIX);
        length = new DataView(prefix.buffer, prefix.byteOffset, PREFIX).getUint32(0);
        if (length > maxFrameBytes)
          throw new NetError("TOO_LARGE", `a frame of ${length} bytes (max ${maxFrameBytes})`, {
            length,
            maxFrameBytes,
          });
      }
      if (pending.bytes < length) break;
      const payload = pending.take(length); // a copy, and a plain Uint8Array (chunks may be Buffers)
      length = -1;
      yield payload;
    }
  }
  const left = pending.bytes + (length < 0 ? 0 : PREFIX);
  if (left > 0) throw new NetError("TRUNCATED", `the stream ended inside a frame (${left} bytes left)`);
}

/** Chunks in arrival order, read from the front. */
class ChunkQueue {
  private readonly chunks: Uint8Array[] = [];
  private first = 0;
  bytes = 0;

  constructor(private readonly stats: FrameStats) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The first `n` bytes (n ≤ bytes), copied into a new array and removed. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.first] as Uint8Array;
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) this.first++;
      else this.chunks[this.first] = chunk.subarray(used);
    }
    this.bytes -= n;
    this.stats.copied += n;
    if (this.first > 1024) {
      this.chunks.splice(0, this.first);
      this.first = 0;
    }
    return out;
  }
}
