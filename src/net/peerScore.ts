/**
 * Our own account of each peer's behaviour, besides gossipsub's internal score: every
 * fault (gossip rejected by a topic validator, a malformed or oversized sync answer, a
 * peer over its rate) costs points; a peer whose score falls to `banThreshold` is banned
 * for `banMs`: disconnected at once, and the connection gater (`p2pNode.ts`) refuses to
 * dial it or to accept it until the ban ends. Scores recover towards 0 at
 * `recoveryPerSecond`, so an honest peer that sent one stale message is not banned later.
 */

/** Points a fault costs. */
export const PENALTY = {
  /** A gossip message a topic validator rejected (malformed, bad signature, wrong chain). */
  INVALID_GOSSIP: 25,
  /** A gossip message over the topic's size limit. */
  OVERSIZED_GOSSIP: 50,
  /** A transaction in a gossip batch that admission refused as invalid against our state. */
  INVALID_TX: 2,
  /** A gossip message or request over the peer's rate. */
  RATE_LIMITED: 5,
  /** Gossip that was valid once but is no more (evidence held already, expired, or against a validator punished already): an honest peer may race into it, so it costs little. */
  STALE_GOSSIP: 5,
  /** A block-sync request with no whole answer by its deadline, the second in a row (the first is free); doubled for each further one (`syncPeers.ts`). */
  SYNC_STALL: 10,
  /**
   * Gossip its forwarder provably forged: a decision whose certificate does not hold, or whose
   * bytes are not the certified block's (an honest node forwards a decision only after checking
   * both, and only the bytes it committed). A ban at once.
   */
  FORGED_GOSSIP: 100,
  /** A sync answer or request that breaks the protocol (garbage, oversized, wrong heights). */
  BAD_SYNC: 50,
} as const;

export interface PeerScoreConfig {
  /** A peer at or below this score is banned. */
  banThreshold: number;
  banMs: number;
  recoveryPerSecond: number;
}

export const DEFAULT_PEER_SCORE: PeerScoreConfig = {
  banThreshold: -100,
  banMs: 10 * 60_000,
  recoveryPerSecond: 1,
};

export interface PeerFault {
  peer: string;
  points: number;
  reason: string;
  score: number;
}

interface Entry {
  score: number;
  at: number;
}

export class PeerScores {
  private readonly entries = new Map<string, Entry>();
  private readonly bans = new Map<string, number>();
  private readonly banListeners = new Set<(fault: PeerFault) => void>();
  readonly faults: PeerFault[] = [];

  constructor(
    readonly config: PeerScoreConfig = DEFAULT_PEER_SCORE,
    private readonly now: () => number = Date.now,
  ) {}

  score(peer: string): number {
    const entry = this.entries.get(peer);
    if (entry === undefined) return 0;
    const recovered = ((this.now() - entry.at) / 1000) * this.config.recoveryPerSecond;
    return Math.min(0, entry.score + recovered);
  }

  /** Takes `points` from `peer` for `reason`; bans it (and tells the listeners) at the threshold. */
  penalize(peer: string, points: number, reason: string): void {
    const score = this.score(peer) - points;
    this.entries.set(peer, { score, at: this.now() });
    const fault = { peer, points, reason, score };
    this.faults.push(fault);
    if (this.faults.length > 1000) this.faults.shift();
    if (score <= this.config.banThreshold && !this.isBanned(peer)) {
      this.bans.set(peer, this.now() + this.config.banMs);
      for (const listener of this.banListeners) listener(fault);
    }
  }

  isBanned(peer: string): boolean {
    const until = this.bans.get(peer);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    // The ban is over: the peer starts again from a clean score.
    this.bans.delete(peer);
    this.entries.delete(peer);
    return false;
  }

  /** Peers banned now. */
  banned(): string[] {
    return [...this.bans.keys()].filter((peer) => this.isBanned(peer));
  }

  onBan(listener: (fault: PeerFault) => void): () => void {
    this.banListeners.add(listener);
    return () => this.banListeners.delete(listener);
  }
}
