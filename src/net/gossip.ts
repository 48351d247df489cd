/**
 * Gossip topics over gossipsub. A topic is registered with its size limit and a validation
 * function; gossipsub runs the validator on every message BEFORE it forwards it, so a
 * message is forwarded only when it is accepted:
 *
 *   size over `maxBytes`        → reject, the forwarder loses `OVERSIZED_GOSSIP`
 *   peer over its message rate  → ignore, the forwarder loses `RATE_LIMITED`
 *   validate → "accept"         → delivered to `onMessage`, forwarded to the mesh
 *   validate → "ignore"         → dropped, not forwarded (stale, duplicate, not for us now)
 *   validate → "reject"         → dropped, not forwarded; the forwarder loses `INVALID_GOSSIP`
 *                                 (or the points the verdict names)
 *   validate throws a `NetError` with a peer-fault code → as "reject"; any other throw → "ignore"
 *
 * Messages are unsigned (`StrictNoSign`: the payload carries its own signatures) and their id
 * is sha256(topic ‖ data), so the same payload is delivered once however many peers send it
 * (gossipsub's seen cache). The forwarder ("propagation source") is the peer blamed.
 */
import type { GossipsubEvents } from "@chainsafe/libp2p-gossipsub";
import type { Message, PeerId, PubSub, TopicValidatorResult } from "@libp2p/interface";
import { NetError, PEER_FAULTS } from "./errors.js";
import { PENALTY, type PeerScores } from "./peerScore.js";
import { type RateLimit, RateLimiter } from "./rateLimit.js";

/** gossipsub as this module uses it. */
export type GossipService = PubSub<GossipsubEvents> & { getMeshPeers(topic: string): string[] };

export type Verdict = "accept" | "ignore" | "reject" | { reject: string; points: number };

export interface TopicSpec {
  /** Largest payload accepted on this topic. */
  maxBytes: number;
  /** Judges a payload from `from` (the forwarding peer's id) before it is forwarded. */
  validate(data: Uint8Array, from: string): Verdict | Promise<Verdict>;
  /** Called with each accepted payload. */
  onMessage?(data: Uint8Array, from: string): void;
}

export interface GossipStats {
  accepted: number;
  ignored: number;
  rejected: number;
  published: number;
  publishedBytes: number;
}

export class Gossip {
  private readonly topics = new Map<string, TopicSpec>();
  private readonly limiter: RateLimiter;
  readonly stats: GossipStats = { accepted: 0, ignored: 0, rejected: 0, published: 0, publishedBytes: 0 };
  /** Messages delivered from each connected peer (its forwarding), for stall reports. */
  readonly delivered = new Map<string, number>();

  constructor(
    private readonly pubsub: GossipService,
    private readonly scores: PeerScores,
    messageRate: RateLimit,
  ) {
    this.limiter = new RateLimiter(messageRate);
    pubsub.addEventListener("gossipsub:message", (event) => {
      const { msg, propagationSource } = event.detail;
      const spec = this.topics.get(msg.topic);
      const from = propagationSource.toString();
      this.delivered.set(from, (this.delivered.get(from) ?? 0) + 1);
      try {
        spec?.onMessage?.(msg.data, from);
      } catch {
        // A handler's failure is its own; gossip goes on.
      }
    });
  }

  /** Subscribes to `topic`, judging every message with `spec` before it is forwarded. */
  register(topic: string, spec: TopicSpec): void {
    if (this.topics.has(topic)) throw new NetError("CONFIG", `gossip topic ${topic} is already registered`);
    this.topics.set(topic, spec);
    this.pubsub.topicValidators.set(topic, (peer, message) => this.judge(spec, peer, message));
    this.pubsub.subscribe(topic);
  }

  unregister(topic: string): void {
    if (!this.topics.delete(topic)) return;
    this.pubsub.topicValidators.delete(topic);
    this.pubsub.unsubscribe(topic);
  }

  /** Publishes `data` to `topic`'s peers; resolves to how many peers it was sent to (0 for a payload seen before). */
  async publish(topic: string, data: Uint8Array): Promise<number> {
    const spec = this.topics.get(topic);
    if (spec !== undefined && data.length > spec.maxBytes)
      throw new NetError(
        "TOO_LARGE",
        `gossip message of ${data.length} bytes on ${topic} (max ${spec.maxBytes})`,
      );
    let result: { recipients: unknown[] };
    try {
      result = await this.pubsub.publish(topic, data);
    } catch (error) {
      // Seen already (published here or received): the network has it; nothing is sent again.
      if (error instanceof Error && error.message === "PublishError.Duplicate") return 0;
      throw error;
    }
    this.stats.published++;
    this.stats.publishedBytes += data.length;
    return result.recipients.length;
  }

  /** Peers subscribed to `topic` that we know of. */
  peers(topic: string): string[] {
    return this.pubsub.getSubscribers(topic).map((peer) => peer.toString());
  }

  /** Peers in this node's mesh for `topic` (those it forwards to). */
  meshPeers(topic: string): string[] {
    return this.pubsub.getMeshPeers(topic);
  }

  /** A peer disconnected: its rate bucket goes. */
  forget(peer: string): void {
    this.limiter.forget(peer);
    this.delivered.delete(peer);
  }

  private async judge(spec: TopicSpec, peerId: PeerId, message: Message): Promise<TopicValidatorResult> {
    const peer = peerId.toString();
    const verdict = await this.verdict(spec, peer, message.data);
    if (verdict === "accept") this.stats.accepted++;
    else if (verdict === "ignore") this.stats.ignored++;
    else {
      this.stats.rejected++;
      const fault =
        verdict === "reject"
          ? { reject: "rejected by the topic's validator", points: PENALTY.INVALID_GOSSIP }
          : verdict;
      this.scores.penalize(peer, fault.points, `${message.topic}: ${fault.reject}`);
      return "reject" as TopicValidatorResult;
    }
    return verdict as TopicValidatorResult;
  }

  private async verdict(spec: TopicSpec, peer: string, data: Uint8Array): Promise<Verdict> {
    if (data.length > spec.maxBytes)
      return {
        reject: `message of ${data.length} bytes (max ${spec.maxBytes})`,
        points: PENALTY.OVERSIZED_GOSSIP,
      };
    if (!this.limiter.take(peer)) {
      this.scores.penalize(peer, PENALTY.RATE_LIMITED, "gossip over the message rate");
      return "ignore";
    }
    try {
      return await spec.validate(data, peer);
    } catch (error) {
      if (error instanceof NetError && PEER_FAULTS.has(error.code))
        return { reject: `${error.code}: ${error.message}`, points: PENALTY.INVALID_GOSSIP };
      return "ignore";
    }
  }
}
