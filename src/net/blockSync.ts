/**
 * Block sync: request-response over a libp2p stream (`/weft/sync/blocks/1`, messages in
 * `syncMessages.ts`, framed by `frames.ts`). A node asks one peer for up to `count`
 * blocks from height `from`; the peer answers the blocks it has, in order, each with its
 * commit certificate, then `end`.
 *
 * Bounds, so that neither side can make the other spend without limit:
 * - server: `syncRequestRate` requests per peer (over it: `error RATE_LIMITED` and points
 *   off), one request per stream, at most `maxSyncBlocks` blocks and `maxSyncResponseBytes`
 *   per answer, the whole answer within `syncTimeoutMs`; a malformed request costs `BAD_SYNC`;
 * - client: each frame at most one block and certificate of `maxSyncItemBytes` (checked from
 *   its length prefix, before buffering), at most `count` blocks at the asked heights, at most
 *   `maxSyncResponseBytes`, all within `syncTimeoutMs`. An answer that breaks these is a
 *   `NetError` (MALFORMED, TOO_LARGE, UNEXPECTED) and costs the peer `BAD_SYNC`; a timeout is
 *   `TIMEOUT`, an answer cut short `TRUNCATED` (no cost: a dropped connection looks the
 *   same), an error frame `PEER_ERROR` (or `RATE_LIMITED`).
 *
 * What a block means (its certificate, its state root) is checked by the caller, which
 * blames the peer through `scores` when it does not hold.
 */
import { NetError } from "./errors.js";
import { type Chunk, readFrames } from "./frames.js";
import type { P2pNode } from "./p2pNode.js";
import { requestPeer, serveRequests } from "./requestResponse.js";
import {
  type BlocksRequest,
  decodeAnswer,
  decodeRequest,
  encodeBlock,
  encodeEnd,
  encodeError,
  encodeRequest,
  type SyncBlock,
} from "./syncMessages.js";

export const BLOCK_SYNC_PROTOCOL = "/weft/sync/blocks/1";

/** Where a server reads blocks from (its chain database, with certificates). */
export interface BlockSource {
  block(height: number): SyncBlock | undefined | Promise<SyncBlock | undefined>;
}

/** Serves `source` to peers on `node`. */
export async function serveBlocks(node: P2pNode, source: BlockSource): Promise<void> {
  const { limits } = node;
  await serveRequests(node, {
    protocol: BLOCK_SYNC_PROTOCOL,
    rate: limits.syncRequestRate,
    timeoutMs: limits.syncTimeoutMs,
    maxRequestBytes: 64,
    decode: decodeRequest,
    badRequest: (reason) => encodeError("BAD_REQUEST", reason),
    rateLimited: () => encodeError("RATE_LIMITED", "too many sync requests; slow down"),
    async *answer(request) {
      const count = Math.min(request.count, limits.maxSyncBlocks);
      let bytes = 0;
      for (let height = request.from; height < request.from + count; height++) {
        const block = await source.block(height);
        if (block === undefined) break;
        if (
          block.block.length > limits.maxSyncItemBytes ||
          block.certificate.length > limits.maxSyncItemBytes
        )
          break;
        const frame = encodeBlock(block);
        bytes += frame.length;
        if (bytes > limits.maxSyncResponseBytes) break;
        yield frame;
      }
      yield encodeEnd();
    },
  });
}

/**
 * Asks `peer` for blocks `from`, `from + 1`, ... (at most `count`); resolves to those it
 * has, checked against the protocol's bounds, all within `timeoutMs` (at most and by default
 * `syncTimeoutMs`). Throws `NetError` (see the module's comment).
 */
export async function fetchBlocks(
  node: P2pNode,
  peer: string,
  request: BlocksRequest,
  timeoutMs = node.limits.syncTimeoutMs,
): Promise<SyncBlock[]> {
  const { limits } = node;
  if (
    !Number.isSafeInteger(request.from) ||
    request.from < 0 ||
    request.count < 1 ||
    request.count > limits.maxSyncBlocks
  )
    throw new NetError("CONFIG", `ask for 1 to ${limits.maxSyncBlocks} blocks from a height ≥ 0`, {
      ...request,
    });
  return requestPeer(
    node,
    peer,
    BLOCK_SYNC_PROTOCOL,
    encodeRequest(request),
    Math.max(1, Math.min(timeoutMs, limits.syncTimeoutMs)),
    (source) => readAnswer(source, request, limits),
  );
}

async function readAnswer(
  source: AsyncIterable<Chunk>,
  request: BlocksRequest,
  limits: P2pNode["limits"],
): Promise<SyncBlock[]> {
  const blocks: SyncBlock[] = [];
  let bytes = 0;
  const maxFrame = 17 + 2 * limits.maxSyncItemBytes;
  for await (const frame of readFrames(source, maxFrame)) {
    const answer = decodeAnswer(frame);
    if (answer.type === "end") return blocks;
    if (answer.type === "error") {
      const code = answer.code === "RATE_LIMITED" ? "RATE_LIMITED" : "PEER_ERROR";
      throw new NetError(code, `the peer refused: ${answer.code}: ${answer.message}`, { code: answer.code });
    }
    const { block } = answer;
    const expected = request.from + blocks.length;
    if (blocks.length >= request.count)
      throw new NetError("UNEXPECTED", `more blocks than the ${request.count} asked for`);
    if (block.height !== expected)
      throw new NetError("UNEXPECTED", `block at height ${block.height} where ${expected} was due`);
    if (block.block.length > limits.maxSyncItemBytes || block.certificate.length > limits.maxSyncItemBytes)
      throw new NetError(
        "TOO_LARGE",
        `block ${block.height} or its certificate over ${limits.maxSyncItemBytes} bytes`,
      );
    bytes += frame.length;
    if (bytes > limits.maxSyncResponseBytes)
      throw new NetError("TOO_LARGE", `an answer over ${limits.maxSyncResponseBytes} bytes`);
    blocks.push(block);
  }
  throw new NetError("TRUNCATED", "the answer ended without its end frame");
}
