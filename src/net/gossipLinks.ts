/**
 * Whether gossip can actually reach each connected peer, and a repair when it cannot.
 *
 * gossipsub (js-libp2p-gossipsub 14) sends to a peer through ONE outbound stream, kept in
 * `streamsOutbound` until libp2p reports the peer disconnected, and it learns of peers and
 * their topics through one registrar topology. Two ways leave a peer connected yet out of
 * gossip's reach for good:
 *
 * - two connections to one peer (both sides dialled at once: a partition healing, a peer
 *   resuming after SIGSTOP) and the one carrying the outbound stream closes. libp2p reports
 *   no disconnection (the other connection is open), gossipsub keeps the dead stream, and
 *   every message to that peer is pushed into a pipe nobody reads. It never opens another
 *   one: "if an outbound stream already exists, don't create a new stream".
 * - the disconnection of an old connection reported after a new one was identified
 *   (libp2p's registrar reads the peer store before telling the topology): gossipsub
 *   forgets a peer that is connected, and only a new inbound gossip stream from it would
 *   bring it back.
 *
 * Either way consensus messages stop flowing between validators that look connected; with
 * every link in that state, the validators sat at one height, round 0, step prevote, for
 * minutes, each rebroadcasting its prevote into dead streams (test/e2e, at machine load 30+).
 *
 * `inspectGossipLinks` tells, per connected peer that speaks gossipsub, whether gossip has
 * it and a live outbound stream on one of its open connections. `GossipLinkWatch` checks
 * every `intervalMs` and hangs up on a peer whose link, connected for `minAgeMs` at least
 * (gossip sets its streams up after identify), has been broken `strikes` checks in a row: the disconnection resets gossipsub's state for it on both sides, and the reconnector
 * (or the peer) dials again, so gossip starts over on a fresh connection with fresh streams.
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";

/** gossipsub's protocol ids: a peer that speaks none of them is not gossip's to judge. */
const GOSSIP_PROTOCOLS = ["/meshsub/1.2.0", "/meshsub/1.1.0", "/meshsub/1.0.0"];

/** What of gossipsub's state this module reads (public fields of js-libp2p-gossipsub's class). */
export interface GossipInternals {
  readonly peers: Map<string, PeerId>;
  readonly streamsOutbound: Map<string, { rawStream: Stream }>;
  readonly streamsInbound: Map<string, { rawStream: Stream }>;
  readonly mesh: Map<string, Set<string>>;
}

export type StreamState = "open" | "missing" | "dead";

export interface GossipLink {
  readonly peer: string;
  /** Open connections to the peer. */
  readonly connections: number;
  /** Ms since the oldest of them opened. */
  readonly ageMs: number;
  /** gossipsub counts the peer among its peers. */
  readonly known: boolean;
  /** Our stream to the peer: open on one of its open connections, missing, or dead (closed, or on a closed connection). */
  readonly outbound: StreamState;
  /** The peer's stream to us, judged the same way. */
  readonly inbound: StreamState;
  /** Topics whose mesh holds the peer. */
  readonly mesh: string[];
  /** What is wrong, or undefined when gossip reaches the peer. */
  readonly broken: string | undefined;
}

/** The gossip link of every connected peer that speaks gossipsub. */
export async function inspectGossipLinks(libp2p: Libp2p, gossip: GossipInternals): Promise<GossipLink[]> {
  const byPeer = new Map<string, Connection[]>();
  for (const c of libp2p.getConnections()) {
    if (c.status !== "open") continue;
    const id = c.remotePeer.toString();
    byPeer.set(id, [...(byPeer.get(id) ?? []), c]);
  }
  const links: GossipLink[] = [];
  for (const [peer, connections] of byPeer) {
    if (!(await speaksGossip(libp2p, (connections[0] as Connection).remotePeer))) continue;
    const outbound = streamState(gossip.streamsOutbound.get(peer)?.rawStream, connections, true);
    const inbound = streamState(gossip.streamsInbound.get(peer)?.rawStream, connections, false);
    const known = gossip.peers.has(peer);
    const mesh = [...gossip.mesh].filter(([, peers]) => peers.has(peer)).map(([topic]) => topic);
    const broken = !known
      ? "gossip does not know the connected peer"
      : outbound !== "open"
        ? `our gossip stream to the peer is ${outbound}`
        : undefined;
    const opened = Math.min(...connections.map((c) => c.timeline.open));
    links.push({
      peer,
      connections: connections.length,
      ageMs: Date.now() - opened,
      known,
      outbound,
      inbound,
      mesh,
      broken,
    });
  }
  return links;
}

/**
 * A gossip stream carries data one way, so either end closing it ends it: closed or reset,
 * our write end closed, or (for our outbound stream) the peer's end closed, which gossipsub
 * does when it drops the stream (its read end then discards what we write). A stream on none
 * of the open connections is gone with its connection.
 */
function streamState(stream: Stream | undefined, connections: Connection[], outbound: boolean): StreamState {
  if (stream === undefined) return "missing";
  if (stream.status !== "open" || stream.writeStatus === "closing" || stream.writeStatus === "closed")
    return "dead";
  if (outbound && (stream.readStatus === "closing" || stream.readStatus === "closed")) return "dead";
  return connections.some((c) => c.streams.includes(stream)) ? "open" : "dead";
}

async function speaksGossip(libp2p: Libp2p, peer: PeerId): Promise<boolean> {
  try {
    const { protocols } = await libp2p.peerStore.get(peer);
    return protocols.some((p) => GOSSIP_PROTOCOLS.includes(p));
  } catch {
    return false; // not identified yet: nothing to judge
  }
}

export interface GossipLinkWatchOptions {
  /** How often links are checked (default 2,000 ms). */
  intervalMs?: number;
  /** Checks in a row a link must fail before the peer is hung up on (default 3). */
  strikes?: number;
  /**
   * A link is judged only once its oldest connection is this old (default 10,000 ms): gossip
   * sets up its streams after identify, which takes seconds on a loaded machine.
   */
  minAgeMs?: number;
  /** Told of each repair. */
  onRepair?: (link: GossipLink) => void;
}

/** Hangs up on connected peers gossip cannot reach, so that both sides start gossip over. */
export class GossipLinkWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly strikes = new Map<string, number>();
  private checking = false;
  /** Peers hung up on so far. */
  repairs = 0;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly gossip: GossipInternals,
    private readonly options: GossipLinkWatchOptions = {},
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check (the timer's; tests call it directly). */
  async check(): Promise<void> {
    if (this.checking || this.libp2p.status !== "started") return;
    this.checking = true;
    try {
      await this.checkLinks();
    } catch {
      // A check that fails (the host stopping under it) is tried again at the next tick.
    } finally {
      this.checking = false;
    }
  }

  private async checkLinks(): Promise<void> {
    const links = await inspectGossipLinks(this.libp2p, this.gossip);
    const seen = new Set<string>();
    for (const link of links) {
      seen.add(link.peer);
      if (link.broken === undefined || link.ageMs < (this.options.minAgeMs ?? 10_000)) {
        this.strikes.delete(link.peer);
        continue;
      }
      const strikes = (this.strikes.get(link.peer) ?? 0) + 1;
      this.strikes.set(link.peer, strikes);
      if (strikes < (this.options.strikes ?? 3)) continue;
      this.strikes.delete(link.peer);
      this.repairs++;
      this.options.onRepair?.(link);
      const peer = this.libp2p
        .getConnections()
        .find((c) => c.remotePeer.toString() === link.peer)?.remotePeer;
      if (peer !== undefined) await this.libp2p.hangUp(peer).catch(() => undefined);
    }
    for (const peer of this.strikes.keys()) if (!seen.has(peer)) this.strikes.delete(peer);
  }
}
