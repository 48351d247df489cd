/**
 * What a transaction that turns out invalid at execution costs its sender.
 *
 * Such a transaction passed admission against the committed state, then lost its validity
 * inside the block (an earlier transaction of the same block drained the account, used the
 * nonce, or changed what the account's validation reads). It has no effect and pays no
 * fee: there is nothing valid to charge, since being unable to pay is often exactly why it
 * is invalid. Yet it took a place in the block and its execution. Free, it would be spam:
 * one cheap transaction invalidates any number of admitted ones from the same account on
 * other nonce keys.
 *
 * So the node charges the sender in reputation, in the spirit of the ERC-7562 mempool rules
 * (throttle, then ban, entities whose operations fail on chain after passing validation):
 * - each transaction dropped as invalid at execution adds 1 to its sender's score, which
 *   halves at every whole `halfLifeMs` (10 min) since the sender's first; included transactions earn nothing back, so an
 *   honest account that trips once is forgotten within the hour, and paying fees in between
 *   does not buy an attacker more free ones;
 * - from `throttleAt` (4) the sender is throttled: it may have at most `throttledPending`
 *   (1) transactions pending; admission refuses more with `SENDER_THROTTLED`;
 * - from `banAt` (16) it is banned: admission refuses all its transactions with
 *   `SENDER_BANNED` and its pending ones are dropped, until the score decays below.
 * A throttled attacker thus gets at most one free invalid transaction per block, and a
 * banned one none; honest senders, whose transactions rarely turn invalid, never notice.
 * The state is the node's own (not consensus), kept in memory, lost on restart.
 */

export interface ReputationConfig {
  throttleAt: number;
  banAt: number;
  throttledPending: number;
  halfLifeMs: number;
  /** Most senders remembered; the one changed longest ago is forgotten first. */
  maxSenders: number;
}

export const DEFAULT_REPUTATION: ReputationConfig = {
  throttleAt: 4,
  banAt: 16,
  throttledPending: 1,
  halfLifeMs: 10 * 60_000,
  maxSenders: 100_000,
};

export type Standing = "ok" | "throttled" | "banned";

interface Entry {
  score: number;
  at: number;
}

/** Per-sender scores of transactions invalid at execution (see the module comment). */
export class SenderReputation {
  readonly config: Readonly<ReputationConfig>;
  private readonly scores = new Map<string, Entry>();

  constructor(config: Partial<ReputationConfig> = {}) {
    const c = { ...DEFAULT_REPUTATION, ...config };
    for (const [name, value] of Object.entries(c))
      if (!(typeof value === "number" && value > 0 && Number.isFinite(value)))
        throw new RangeError(`reputation.${name} must be a positive number, got ${String(value)}`);
    if (c.banAt < c.throttleAt)
      throw new RangeError(`reputation.banAt (${c.banAt}) must not be below throttleAt (${c.throttleAt})`);
    this.config = Object.freeze(c);
  }

  /** The sender's score now: halved once per whole half-life since it last changed. */
  score(sender: string, nowMs = Date.now()): number {
    const entry = this.scores.get(sender.toLowerCase());
    return entry === undefined ? 0 : entry.score * 0.5 ** this.halvings(entry, nowMs);
  }

  private halvings(entry: Entry, nowMs: number): number {
    return Math.floor(Math.max(0, nowMs - entry.at) / this.config.halfLifeMs);
  }

  standing(sender: string, nowMs = Date.now()): Standing {
    const score = this.score(sender, nowMs);
    if (score >= this.config.banAt) return "banned";
    if (score >= this.config.throttleAt) return "throttled";
    return "ok";
  }

  /** A transaction of `sender` was dropped as invalid at execution. */
  invalid(sender: string, nowMs = Date.now()): Standing {
    this.add(sender, 1, nowMs);
    return this.standing(sender, nowMs);
  }

  /**
   * Why `sender`, with `pending` transactions in the pool, may not add one now; undefined
   * if it may.
   */
  refusal(
    sender: string,
    pending: number,
    nowMs = Date.now(),
  ): { code: "SENDER_BANNED" | "SENDER_THROTTLED"; message: string } | undefined {
    const score = this.score(sender, nowMs);
    const { banAt, throttleAt, throttledPending } = this.config;
    if (score >= banAt)
      return {
        code: "SENDER_BANNED",
        message: `sender ${sender} is banned: ${score.toFixed(1)} of its transactions turned invalid at execution recently (ban at ${banAt}); it decays by half every ${this.config.halfLifeMs / 1000} s`,
      };
    if (score >= throttleAt && pending >= throttledPending)
      return {
        code: "SENDER_THROTTLED",
        message: `sender ${sender} is throttled to ${throttledPending} pending transaction(s): ${score.toFixed(1)} of its transactions turned invalid at execution recently (throttle at ${throttleAt}); wait for the pending one`,
      };
    return undefined;
  }

  private add(sender: string, delta: number, nowMs: number): void {
    const key = sender.toLowerCase();
    const entry = this.scores.get(key);
    const halvings = entry === undefined ? 0 : this.halvings(entry, nowMs);
    const score = (entry === undefined ? 0 : entry.score * 0.5 ** halvings) + delta;
    // The clock of the halvings keeps its phase: a change does not restart the half-life.
    const at = entry === undefined ? nowMs : entry.at + halvings * this.config.halfLifeMs;
    // Deleted then set: the map's order is least recently changed first, so a full map
    // forgets the sender it heard from longest ago (no scan, however many senders).
    this.scores.delete(key);
    if (score < 0.01) return;
    this.scores.set(key, { score, at });
    if (this.scores.size > this.config.maxSenders) {
      const oldest = this.scores.keys().next().value;
      if (oldest !== undefined) this.scores.delete(oldest);
    }
  }
}
