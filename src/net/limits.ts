/**
 * The network's limits in one place, with defaults. Every limit bounds what a hostile peer
 * can make this node spend: connections, bytes per message, messages and requests per
 * second, blocks and bytes per sync answer, time per request.
 */
import type { RateLimit } from "./rateLimit.js";

export interface NetLimits {
  /** Open connections in all (libp2p's connection manager prunes above it). */
  maxConnections: number;
  /** Largest gossipsub RPC frame read from a peer (bounds every topic's messages from above). */
  maxGossipFrameBytes: number;
  /** Gossip messages a peer may send per second (over it: ignored, and the peer loses points). */
  gossipRate: RateLimit;
  /** Block-sync requests a peer may make per second (over it: refused with `RATE_LIMITED`). */
  syncRequestRate: RateLimit;
  /** Blocks in one sync answer. */
  maxSyncBlocks: number;
  /** Bytes of one block or certificate in a sync answer. */
  maxSyncItemBytes: number;
  /** Bytes of one whole sync answer. */
  maxSyncResponseBytes: number;
  /** A sync request must be answered in full within this time. */
  syncTimeoutMs: number;
}

export const DEFAULT_NET_LIMITS: NetLimits = {
  maxConnections: 64,
  maxGossipFrameBytes: 8 * 1024 * 1024,
  gossipRate: { perSecond: 200, burst: 400 },
  syncRequestRate: { perSecond: 20, burst: 40 },
  maxSyncBlocks: 64,
  maxSyncItemBytes: 8 * 1024 * 1024,
  maxSyncResponseBytes: 32 * 1024 * 1024,
  syncTimeoutMs: 15_000,
};
