/**
 * A gossip topic as a channel of byte messages: the shape consensus plugs into
 * (`ConsensusTransport`: broadcast bytes, hear bytes), and evidence too. The channel's
 * `validate` runs before a message is forwarded (gossip.ts): consensus passes one that
 * checks a vote's signature and height, so the network never relays a forged vote.
 *
 * @example
 * const transport = consensusTransport(p2p, chainTopics(chainId), { validate: (bytes) => checkVote(bytes) });
 * transport.onMessage((bytes, from) => machine.receive(bytes));
 * await transport.broadcast(encodeVote(vote));
 */
import type { Verdict } from "./gossip.js";
import type { P2pNode } from "./p2pNode.js";
import { type ChainTopics, MAX_CONSENSUS_MESSAGE_BYTES, MAX_EVIDENCE_BYTES } from "./topics.js";

export interface GossipChannel {
  /** Sends `bytes` to the topic's peers (not to this node's own handlers); never rejects (`failures` counts). */
  broadcast(bytes: Uint8Array): Promise<void>;
  /** Broadcasts that failed (too large, the node stopped). */
  readonly failures: number;
  /** Calls `handler` with each accepted message and the forwarding peer's id; returns the unsubscribe. */
  onMessage(handler: (bytes: Uint8Array, from: string) => void): () => void;
  close(): void;
}

export interface ChannelOptions {
  maxBytes: number;
  /** Judges a message before it is forwarded; default: accept (only the size is checked). */
  validate?(bytes: Uint8Array, from: string): Verdict | Promise<Verdict>;
}

export function gossipChannel(node: P2pNode, topic: string, options: ChannelOptions): GossipChannel {
  const handlers = new Set<(bytes: Uint8Array, from: string) => void>();
  node.gossip.register(topic, {
    maxBytes: options.maxBytes,
    validate: options.validate ?? (() => "accept"),
    onMessage(bytes, from) {
      for (const handler of handlers) handler(bytes, from);
    },
  });
  let failures = 0;
  return {
    async broadcast(bytes) {
      // Consensus calls this and moves on (its transport's broadcast returns nothing): a
      // rejection here would be unhandled, so a failure is counted instead.
      await node.gossip.publish(topic, bytes).catch(() => {
        failures++;
      });
    },
    get failures() {
      return failures;
    },
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      handlers.clear();
      node.gossip.unregister(topic);
    },
  };
}

/** Consensus messages (proposals, votes) on the chain's consensus topic. */
export function consensusTransport(
  node: P2pNode,
  topics: ChainTopics,
  options: Partial<ChannelOptions> = {},
): GossipChannel {
  return gossipChannel(node, topics.consensus, { maxBytes: MAX_CONSENSUS_MESSAGE_BYTES, ...options });
}

/** Evidence of misbehaviour on the chain's evidence topic. */
export function evidenceChannel(
  node: P2pNode,
  topics: ChainTopics,
  options: Partial<ChannelOptions> = {},
): GossipChannel {
  return gossipChannel(node, topics.evidence, { maxBytes: MAX_EVIDENCE_BYTES, ...options });
}
