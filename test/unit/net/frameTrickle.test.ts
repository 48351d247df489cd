/**
 * The frame reader against a peer that trickles: a large frame in many small chunks is
 * copied once (issue 15, attacker, session 16: each chunk was appended to a copy of all before
 * it, so a 1 MiB frame in 1 KiB chunks copied ~512 MiB, a 4 MiB one ~8 GiB: 141 s of the
 * main thread of a node syncing from that peer). Frames split anywhere still decode, and the
 * errors are those of before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import { encodeFrame, type FrameStats, readFrames } from "../../../src/net/frames.js";

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

async function readAll(source: AsyncIterable<Uint8Array>, max: number, stats?: FrameStats) {
  const frames: Uint8Array[] = [];
  for await (const frame of readFrames(source, max, stats)) frames.push(frame);
  return frames;
}

describe("frames from a trickling peer", () => {
  it("a 1 MiB frame in 1 KiB chunks is copied once", async () => {
    const payload = new Uint8Array(1 << 20).map((_, i) => i * 7);
    const stats: FrameStats = { copied: 0 };
    const frames = await readAll(pieces(encodeFrame(payload), 1024), 2 << 20, stats);
    assert.equal(frames.length, 1);
    assert.deepEqual(frames[0], payload);
    // Its bytes and its 4-byte prefix: before, ~512 MiB.
    assert.equal(stats.copied, payload.length + 4);
  });

  it("frames split at every offset decode the same", async () => {
    const payloads = [
      new Uint8Array(0),
      Uint8Array.of(1, 2, 3),
      new Uint8Array(300).fill(9),
      Uint8Array.of(4),
    ];
    const wire = new Uint8Array(payloads.reduce((n, p) => n + 4 + p.length, 0));
    let at = 0;
    for (const p of payloads) {
      wire.set(encodeFrame(p), at);
      at += 4 + p.length;
    }
    for (const size of [1, 2, 3, 5, 7, 64, 1000]) {
      assert.deepEqual(await readAll(pieces(wire, size), 1024), payloads, `chunks of ${size}`);
    }
  });

  it("a frame over the bound is refused from its prefix; a stream ending inside a frame is truncated", async () => {
    const stats: FrameStats = { copied: 0 };
    await assert.rejects(
      readAll(pieces(Uint8Array.of(0xff, 0xff, 0xff, 0xf0, 1, 2), 1), 1 << 20, stats),
      (e: unknown) => e instanceof NetError && e.code === "TOO_LARGE",
    );
    assert.equal(stats.copied, 4, "nothing of the frame buffered past its prefix");
    const frame = encodeFrame(new Uint8Array(100));
    for (const cut of [2, 4, 50]) {
      await assert.rejects(
        readAll(pieces(frame.subarray(0, cut), 3), 1024),
        (e: unknown) => e instanceof NetError && e.code === "TRUNCATED",
        `cut at ${cut}`,
      );
    }
  });
});
