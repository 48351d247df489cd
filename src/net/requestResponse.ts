/**
 * Request-response over libp2p streams, shared by block sync and state sync: one request
 * frame per stream, then answer frames (`frames.ts`).
 *
 * Server (`serveRequests`): per peer, requests beyond `rate` are answered with the
 * protocol's "rate limited" frame and cost `RATE_LIMITED`; a request that does not decode
 * costs `BAD_SYNC` and is answered with the protocol's "bad request" frame; a stream that
 * ends or fails before its request (the client gave up, the connection dropped) costs
 * nothing and gets no answer; the whole
 * answer must be written within `timeoutMs` or the stream is aborted; at most
 * `maxInbound` streams per connection at once.
 *
 * Client (`requestPeer`): dials, writes the request, lets `read` check the answer; all of it
 * within `timeoutMs` (`TIMEOUT`). A `NetError` with a peer-fault code from `read` costs the
 * peer `BAD_SYNC`; any other failure is `STREAM`.
 */
import { peerIdFromString } from "@libp2p/peer-id";
import { NetError, PEER_FAULTS } from "./errors.js";
import { type Chunk, encodeFrame, readFrames } from "./frames.js";
import type { P2pNode } from "./p2pNode.js";
import { PENALTY } from "./peerScore.js";
import { type RateLimit, RateLimiter } from "./rateLimit.js";

export interface ServeOptions<R> {
  protocol: string;
  rate: RateLimit;
  timeoutMs: number;
  /** Largest request frame. */
  maxRequestBytes: number;
  /** Decodes a request; a throw is a bad request. */
  decode(frame: Uint8Array): R;
  /** The answer's frames (payloads, framed here). */
  answer(request: R, peer: string): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The frames that refuse a bad request, and a request over the rate. */
  badRequest(reason: string): Uint8Array;
  rateLimited(): Uint8Array;
}

export async function serveRequests<R>(node: P2pNode, options: ServeOptions<R>): Promise<void> {
  const limiter = new RateLimiter(options.rate);
  await node.handle(
    options.protocol,
    ({ stream, connection }) => {
      const peer = connection.remotePeer.toString();
      const timer = setTimeout(
        () => stream.abort(new NetError("TIMEOUT", `${options.protocol} answer took too long`)),
        options.timeoutMs,
      );
      async function* framed(): AsyncGenerator<Uint8Array> {
        const frames = readFrames(stream.source, options.maxRequestBytes);
        let first: IteratorResult<Uint8Array>;
        try {
          first = await frames.next();
        } catch (error) {
          // A cut or failed stream is the network's doing (or the client's, at its own cost);
          // only a frame over the bound is the client's fault.
          if (!(error instanceof NetError && PEER_FAULTS.has(error.code))) return;
          node.scores.penalize(peer, PENALTY.BAD_SYNC, `bad ${options.protocol} request: ${String(error)}`);
          yield encodeFrame(options.badRequest(String(error)));
          return;
        }
        if (first.done === true) return; // the client went away before asking: nothing to answer
        let request: R;
        try {
          request = options.decode(first.value);
        } catch (error) {
          node.scores.penalize(peer, PENALTY.BAD_SYNC, `bad ${options.protocol} request: ${String(error)}`);
          yield encodeFrame(options.badRequest(String(error)));
          return;
        }
        await frames.return(undefined);
        if (!limiter.take(peer)) {
          node.scores.penalize(peer, PENALTY.RATE_LIMITED, `${options.protocol} requests over the rate`);
          yield encodeFrame(options.rateLimited());
          return;
        }
        for await (const payload of options.answer(request, peer)) yield encodeFrame(payload);
      }
      void stream
        .sink(framed())
        .catch((error: unknown) => stream.abort(error instanceof Error ? error : new Error(String(error))))
        .finally(() => clearTimeout(timer));
    },
    2,
  );
}

/** Sends `request` to `peer` on `protocol` and returns what `read` makes of the answer's frames. */
export async function requestPeer<T>(
  node: P2pNode,
  peer: string,
  protocol: string,
  request: Uint8Array,
  timeoutMs: number,
  read: (source: AsyncIterable<Chunk>) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const stream = await node.libp2p.dialProtocol(peerIdFromString(peer), protocol, { signal });
    const onAbort = () => stream.abort(new NetError("TIMEOUT", `${protocol} answer timed out`));
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await stream.sink([encodeFrame(request)]);
      return await read(stream.source);
    } finally {
      signal.removeEventListener("abort", onAbort);
      stream.abort(new Error("done"));
    }
  } catch (error) {
    if (signal.aborted)
      throw new NetError("TIMEOUT", `peer ${peer} did not answer ${protocol} within ${timeoutMs} ms`, {
        peer,
      });
    if (error instanceof NetError && PEER_FAULTS.has(error.code))
      node.scores.penalize(peer, PENALTY.BAD_SYNC, `bad ${protocol} answer: ${error.code} ${error.message}`);
    if (error instanceof NetError) throw error;
    throw new NetError("STREAM", `${protocol} with ${peer} failed: ${String(error)}`, { peer });
  }
}
