/**
 * The lies bench/hostilePeer.ts tells a victim node, as answer frames: to block sync
 * (`garbage-sync`: a wrong block, a forged certificate, another height, a truncated frame, more
 * blocks than asked, a frame announcing 4 GiB, a slow trickle of one large frame) and to state
 * sync (`bad-state-sync`: a wrong hash, tampered entries, a truncated frame, a frame announcing
 * 4 GiB, an endless trickle, summaries naming huge counts, 2^32 - 1 entries announced).
 */
import { encodeFrame } from "../../src/net/frames.js";
import { decodeStateAnswer, encodeEntries, encodeSubtree } from "../../src/net/stateSyncMessages.js";
import { encodeBlock, encodeEnd, type SyncBlock } from "../../src/net/syncMessages.js";

/** The lies `garbage-sync` tells, one per request in turn. */
export const LIES = [
  "wrong-block",
  "forged-certificate",
  "other-height",
  "truncated",
  "too-many",
  "huge-length",
  "trickle",
] as const;

/** The frames of `lie`, an answer to a block-sync request from `from` (`real`: the block there, when known). */
export async function* lieFrames(
  lie: (typeof LIES)[number],
  from: number,
  real: SyncBlock | undefined,
): AsyncGenerator<Uint8Array> {
  const block = real ?? { height: from, block: new Uint8Array(200), certificate: new Uint8Array(100) };
  switch (lie) {
    case "wrong-block":
      yield encodeFrame(encodeBlock({ ...block, block: block.block.map((b, i) => (i > 60 ? b ^ 0x55 : b)) }));
      break;
    case "forged-certificate": {
      const certificate = block.certificate.slice();
      certificate[certificate.length - 1] = (certificate[certificate.length - 1] ?? 0) ^ 1;
      yield encodeFrame(encodeBlock({ ...block, certificate }));
      break;
    }
    case "other-height":
      yield encodeFrame(encodeBlock({ ...block, height: from + 7 }));
      break;
    case "truncated": {
      const frame = encodeFrame(encodeBlock(block));
      yield frame.subarray(0, frame.length >> 1);
      return;
    }
    case "too-many":
      for (let i = 0; i < 100; i++) yield encodeFrame(encodeBlock({ ...block, height: from + i }));
      break;
    case "huge-length":
      yield Uint8Array.of(0xff, 0xff, 0xff, 0xf0, 2);
      return;
    case "trickle": {
      // One frame of 16 MiB announced, then sent in 1 KiB pieces as fast as the stream takes them.
      const size = 16 * 1024 * 1024;
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, size);
      yield head;
      const piece = new Uint8Array(1024);
      for (let sent = 0; sent < size; sent += piece.length) yield piece;
      return;
    }
  }
  yield encodeFrame(encodeEnd());
}

/** The lies `bad-state-sync` tells, one per subtree or entries request in turn. */
export const STATE_LIES = [
  "wrong-hash",
  "tampered",
  "truncated",
  "huge-length",
  "endless",
  "huge-counts",
  "huge-entry-count",
] as const;

/** The frames of `lie`, told instead of `real`, the source's answer to the same state-sync request. */
export async function* stateLieFrames(
  lie: (typeof STATE_LIES)[number],
  real: Uint8Array,
): AsyncGenerator<Uint8Array> {
  const answer = decodeStateAnswer(real);
  switch (lie) {
    case "wrong-hash":
    case "tampered":
      if (answer.type === "subtree") {
        const summaries = answer.summaries.map((s) => ({ ...s, hash: s.hash.slice() }));
        const target = summaries.find((s) => s.leaves > 0) ?? summaries[0];
        if (target !== undefined) {
          if (lie === "wrong-hash") target.hash[0] = (target.hash[0] ?? 0) ^ 1;
          else target.leaves = target.leaves === 1 ? 2 : 1;
        }
        yield encodeFrame(encodeSubtree(answer.depth, summaries));
      } else if (answer.type === "entries") {
        const entries = [...answer.entries];
        if (lie === "tampered") entries.pop();
        else if (entries[0] !== undefined) {
          const [key, old] = entries[0];
          const value = old.slice();
          value[0] = (value[0] ?? 0) ^ 1;
          entries[0] = [key, value];
        }
        yield encodeFrame(encodeEntries(entries));
      } else yield encodeFrame(real);
      return;
    case "truncated": {
      const frame = encodeFrame(real);
      yield frame.subarray(0, frame.length >> 1);
      return;
    }
    case "huge-length":
      yield Uint8Array.of(0xff, 0xff, 0xff, 0xf0, 13);
      return;
    case "endless":
      // A 30 MiB frame (inside the 32 MiB bound), 1 KiB every 100 ms: it would take 8.5 hours.
      yield Uint8Array.of(0x01, 0xe0, 0, 0, 4);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        yield new Uint8Array(1024);
      }
    case "huge-counts":
      if (answer.type === "subtree") {
        const summaries = answer.summaries.map((s) =>
          s.leaves > 1 ? { ...s, leaves: 0xffffffff, bytes: Number.MAX_SAFE_INTEGER } : s,
        );
        yield encodeFrame(encodeSubtree(answer.depth, summaries));
        return;
      }
      yield encodeFrame(real);
      return;
    case "huge-entry-count": {
      // An entries frame whose count says 2^32 - 1, with one entry's bytes after it.
      const frame = Uint8Array.of(4, 0xff, 0xff, 0xff, 0xff, 0, 1, 7, 0, 0, 0, 1, 9);
      yield encodeFrame(frame);
      return;
    }
  }
}
