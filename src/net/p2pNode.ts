/**
 * The node's libp2p host: TCP with noise encryption and yamux multiplexing, identify and
 * ping, gossipsub for the topics (`gossip.ts`), and request-response protocols (block sync,
 * state sync) on streams. Its identity is a persistent key file (`nodeKey.ts`); it keeps the
 * configured peers connected (`reconnect.ts`); a connection gater refuses banned peers
 * (`peerScore.ts`), and a peer is hung up on the moment it is banned. With `peersOnly`, the
 * gater also refuses every peer and address outside `peers` (`peerAllowlist.ts`).
 *
 * @example
 * const node = await createP2pNode({ listen: ["/ip4/127.0.0.1/tcp/0"], peers: [], keyFile: "node.key" });
 * await node.start();
 * node.gossip.register("/weft/1/tx/1", { maxBytes: 1 << 20, validate: () => "accept" });
 */
import "./withResolvers.js";
import { gossipsub } from "@chainsafe/libp2p-gossipsub";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId, StreamHandler } from "@libp2p/interface";
import { ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import type { Multiaddr } from "@multiformats/multiaddr";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { sha256 } from "../codec/hash.js";
import { NetError } from "./errors.js";
import { Gossip, type GossipService } from "./gossip.js";
import {
  type GossipInternals,
  type GossipLink,
  GossipLinkWatch,
  type GossipLinkWatchOptions,
  inspectGossipLinks,
} from "./gossipLinks.js";
import { DEFAULT_NET_LIMITS, type NetLimits } from "./limits.js";
import { loadOrCreateNodeKey, type NodeKey } from "./nodeKey.js";
import { PeerAllowlist } from "./peerAllowlist.js";
import { DEFAULT_PEER_SCORE, type PeerScoreConfig, PeerScores } from "./peerScore.js";
import { type Backoff, Reconnector } from "./reconnect.js";

export interface P2pNodeOptions {
  /** Multiaddrs to listen on; default `/ip4/127.0.0.1/tcp/0`. */
  listen?: string[];
  /** Peers to keep connected (multiaddrs ending in `/p2p/<peer id>`). */
  peers?: string[];
  /** Talk to `peers` only, at their configured addresses: no other peer, no address learned from identify. */
  peersOnly?: boolean;
  /** The persistent identity (created with mode 0600 if missing); without it (and `privateKey`) a new key per run. */
  keyFile?: string;
  privateKey?: NodeKey;
  limits?: Partial<NetLimits>;
  scoring?: Partial<PeerScoreConfig>;
  reconnect?: Partial<Backoff>;
  /** gossipsub's heartbeat; default 1 s (tests use less). */
  heartbeatMs?: number;
  /**
   * The watch that hangs up on a connected peer gossip cannot reach (`gossipLinks.ts`), with
   * `onRepair` told of each; `false` turns it off (tests that show the fault).
   */
  gossipWatch?: GossipLinkWatchOptions | false;
}

export interface P2pNode {
  readonly peerId: string;
  readonly gossip: Gossip;
  readonly scores: PeerScores;
  readonly limits: NetLimits;
  readonly libp2p: Libp2p;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The addresses peers can dial, with `/p2p/<peer id>`. */
  multiaddrs(): string[];
  connectedPeers(): string[];
  /** Whether gossip reaches each connected peer (for a stall report; `gossipLinks.ts`). */
  gossipLinks(): Promise<GossipLink[]>;
  /** Peers hung up on because gossip could not reach them. */
  readonly gossipRepairs: number;
  dial(address: string | Multiaddr): Promise<void>;
  /** Serves `protocol` on inbound streams (at most `maxInbound` at once per connection). */
  handle(protocol: string, handler: StreamHandler, maxInbound?: number): Promise<void>;
}

type Libp2pKey = NonNullable<NonNullable<Parameters<typeof createLibp2p>[0]>["privateKey"]>;

/**
 * Configured peers are few and wanted: a lost one is redialled within 5 s at worst (at 30 s,
 * validators whose dials failed a few times under load stayed apart for half a minute).
 */
const DEFAULT_BACKOFF: Backoff = { minMs: 500, maxMs: 5_000 };

/**
 * libp2p pings every connection every 10 s and, by default, aborts one whose ping takes over
 * ~5 s. Under load (a block executing for seconds on a busy machine) live peers missed that,
 * their connections were aborted and redialled over and over, gossip in flight was lost each
 * time, and 3 of 4 validators (one paused) made no block for minutes. A peer now has 30 s to
 * answer a ping; a dead one is still dropped, and its closed socket is noticed at once.
 */
const PING_TIMEOUT = { minTimeout: 30_000, maxTimeout: 60_000 };

/** The IP addresses of `peers` (multiaddrs; DNS names and other forms are skipped). */
export function configuredIps(peers: readonly string[]): Set<string> {
  const ips = new Set<string>();
  for (const peer of peers) {
    const ip = /^\/ip[46]\/([^/]+)/.exec(peer)?.[1];
    if (ip !== undefined) ips.add(ip);
  }
  return ips;
}

export async function createP2pNode(options: P2pNodeOptions = {}): Promise<P2pNode> {
  const limits: NetLimits = { ...DEFAULT_NET_LIMITS, ...options.limits };
  if (limits.maxConnections < 1) throw new NetError("CONFIG", "limits.maxConnections must be at least 1");
  const privateKey =
    options.privateKey ??
    (options.keyFile !== undefined
      ? await loadOrCreateNodeKey(options.keyFile)
      : await generateKeyPair("Ed25519"));
  const scores = new PeerScores({ ...DEFAULT_PEER_SCORE, ...options.scoring });
  const allowlist = options.peersOnly === true ? new PeerAllowlist(options.peers ?? []) : undefined;
  const refused = (peer: PeerId) =>
    scores.isBanned(peer.toString()) || (allowlist !== undefined && !allowlist.allowsPeer(peer.toString()));
  const libp2p = await createLibp2p({
    // @libp2p/crypto and libp2p resolve their own copies of @libp2p/interface's key types: the same shape.
    privateKey: privateKey as unknown as Libp2pKey,
    start: false,
    addresses: { listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: limits.maxConnections },
    connectionMonitor: { pingTimeout: PING_TIMEOUT },
    connectionGater: {
      denyDialPeer: refused,
      denyInboundEncryptedConnection: refused,
      denyOutboundEncryptedConnection: refused,
      // Loopback and private addresses are how validators on one machine or LAN reach each
      // other, so none is refused as such; peers-only refuses every unconfigured address.
      denyDialMultiaddr: (address) => allowlist !== undefined && !allowlist.allowsAddress(address),
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: "StrictNoSign",
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        heartbeatInterval: options.heartbeatMs ?? 1000,
        maxInboundDataLength: limits.maxGossipFrameBytes,
        msgIdFn: (message) => gossipMessageId(message.topic, message.data),
        // gossipsub scores every peer down by (peers on its IP - 10)^2 x 5 (its IP colocation
        // penalty, against sybils on one address): 100 connections from the validators' own IP
        // (a loopback testnet, validators behind one NAT) put the configured validators far below
        // the graylist line (-80), so their gossip was ignored and they left the mesh: validator 1
        // of a loopback testnet under hostilePeer's flood heard no gossip for 15-85 s. The IPs of
        // the configured peers are the operator's choice and are exempt.
        scoreParams: { IPColocationFactorWhitelist: configuredIps(options.peers ?? []) },
      }),
    },
  });
  const gossip = new Gossip(libp2p.services.pubsub as GossipService, scores, limits.gossipRate);
  const reconnector = new Reconnector(
    options.peers ?? [],
    {
      dial: (address) => libp2p.dial(address),
      isConnected: (peer) => libp2p.getPeers().some((p) => p.toString() === peer),
      isBanned: (peer) => scores.isBanned(peer),
    },
    { ...DEFAULT_BACKOFF, ...options.reconnect },
  );
  const internals = libp2p.services.pubsub as unknown as GossipInternals;
  const watch =
    options.gossipWatch === false ? undefined : new GossipLinkWatch(libp2p, internals, options.gossipWatch);
  libp2p.addEventListener("peer:connect", (event) => reconnector.connected(event.detail.toString()));
  libp2p.addEventListener("peer:disconnect", (event) => {
    const peer = event.detail.toString();
    gossip.forget(peer);
    reconnector.disconnected(peer);
  });
  scores.onBan((fault) => {
    const peer = libp2p.getPeers().find((p) => p.toString() === fault.peer);
    if (peer !== undefined) void libp2p.hangUp(peer).catch(() => undefined);
  });

  return {
    peerId: libp2p.peerId.toString(),
    gossip,
    scores,
    limits,
    libp2p,
    async start() {
      await libp2p.start();
      reconnector.start();
      watch?.start();
    },
    async stop() {
      watch?.stop();
      reconnector.stop();
      await libp2p.stop();
    },
    multiaddrs: () => libp2p.getMultiaddrs().map((a) => a.toString()),
    connectedPeers: () => libp2p.getPeers().map((p) => p.toString()),
    gossipLinks: () => inspectGossipLinks(libp2p, internals),
    get gossipRepairs() {
      return watch?.repairs ?? 0;
    },
    async dial(address) {
      if (libp2p.status !== "started") throw new NetError("NOT_STARTED", "the p2p node is not started");
      await libp2p.dial(typeof address === "string" ? multiaddr(address) : address);
    },
    async handle(protocol, handler, maxInbound = 4) {
      await libp2p.handle(protocol, handler, {
        maxInboundStreams: maxInbound,
        maxOutboundStreams: maxInbound,
      });
    },
  };
}

/** A gossip message's id: sha256(topic ‖ 0x00 ‖ data), so the same payload on a topic is seen once. */
function gossipMessageId(topic: string, data: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(topic);
  const joined = new Uint8Array(head.length + 1 + data.length);
  joined.set(head, 0);
  joined.set(data, head.length + 1);
  return sha256(joined);
}
