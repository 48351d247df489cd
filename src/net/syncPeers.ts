/**
 * Whom block sync asks next, and how long it waits for the answer (`catchUp.ts`); the same
 * for state sync's requests (`stateSync.ts`, one book across a join's attempts). Kept by the
 * node across catch-ups, so that what a peer did in one counts in the next.
 *
 * - Order: peers that answered last time first (in turn, to spread the load), then those
 *   whose last request failed or stalled, the longest-ago failure first. A staller is thus
 *   asked only when every other peer had nothing new: once per catch-up, at its end.
 * - Deadline: what honest peers deliver sets it. Each answer that brought blocks the caller
 *   applied is a sample; the deadline is `factor` × the slowest of the last `samples`
 *   answers, at least `floorMs`, at most `maxMs` (`syncTimeoutMs`); before any sample, `maxMs`.
 *   A peer whose requests stalled `k` times in a row gets that deadline × 2^k (up to `maxMs`):
 *   an honest peer slower than the others gets the time it needs after a stall or two.
 * - Stalls (no whole answer by the deadline): the first in a row costs nothing, the k-th
 *   `SYNC_STALL` × 2^(k−2) points (0, 10, 20, 40, 80: the fifth in a row crosses −100, less
 *   what the score recovered meanwhile, 1 a second); any answer ends the run. A single slow
 *   answer costs nothing, so an honest peer slower than the deadline, which answers within
 *   the doubled one, is never scored down for it.
 *
 * Until session 17 catch-up asked peers strictly in turn with the full 15 s deadline and a
 * stall cost nothing: one stalling peer among honest ones cost 15 s every few batches, and
 * every catch-up turn, for good.
 */
import type { PeerScores } from "./peerScore.js";
import { PENALTY } from "./peerScore.js";

export interface SyncPeerBookOptions {
  /** Shortest deadline (default 2,000 ms). */
  floorMs?: number;
  /** Deadline = factor × the slowest recent honest answer (default 4). */
  factor?: number;
  /** How many recent answers set the deadline (default 8). */
  samples?: number;
  /** What the peers are asked for, in the reason a stall's points are given (default "block sync"). */
  label?: string;
  /** Told of each stall (for the node's log). */
  onStall?: (peer: string, deadlineMs: number, stalls: number, points: number) => void;
}

interface PeerRecord {
  /** Stalls in a row (reset by any answer). */
  stalls: number;
  /** The order in which its last request failed or stalled (0: its last request was answered). */
  failedAt: number;
}

export class SyncPeerBook {
  private readonly records = new Map<string, PeerRecord>();
  private readonly recent: number[] = [];
  private readonly floorMs: number;
  private readonly factor: number;
  private readonly samples: number;
  private readonly onStall: SyncPeerBookOptions["onStall"];
  private readonly label: string;
  /** Counts failures, to order failed peers oldest first. */
  private failures = 0;

  constructor(
    readonly maxMs: number,
    options: SyncPeerBookOptions = {},
  ) {
    this.floorMs = Math.min(options.floorMs ?? 2_000, maxMs);
    this.factor = options.factor ?? 4;
    this.samples = options.samples ?? 8;
    this.onStall = options.onStall;
    this.label = options.label ?? "block sync";
  }

  /**
   * `peers` in the order to ask them: answered last time first (rotated by `turn`), then failed
   * ones, fewest stalls in a row first, then the longest-ago failure first.
   */
  order(peers: readonly string[], turn: number): string[] {
    const n = peers.length;
    const rotated = Array.from({ length: n }, (_, i) => peers[(i + turn) % n] as string);
    const failedAt = (peer: string) => this.records.get(peer)?.failedAt ?? 0;
    const good = rotated.filter((p) => failedAt(p) === 0);
    const failed = rotated
      .filter((p) => failedAt(p) !== 0)
      .sort((a, b) => this.stalls(a) - this.stalls(b) || failedAt(a) - failedAt(b));
    return [...good, ...failed];
  }

  /** How long to wait for `peer`'s whole answer. */
  deadline(peer: string): number {
    if (this.recent.length === 0) return this.maxMs;
    const base = Math.max(this.floorMs, this.factor * Math.max(...this.recent));
    const stalls = this.records.get(peer)?.stalls ?? 0;
    return Math.ceil(Math.min(this.maxMs, base * 2 ** Math.min(stalls, 16)));
  }

  /** `peer` answered (within the protocol); `ms` is a sample of honest delivery when its blocks were applied. */
  answered(peer: string, ms?: number): void {
    this.records.delete(peer);
    if (ms === undefined) return;
    this.recent.push(ms);
    if (this.recent.length > this.samples) this.recent.shift();
  }

  /** `peer`'s request failed for another reason than a stall (its faults are scored where they are found): asked last. */
  failed(peer: string): void {
    const record = this.records.get(peer) ?? { stalls: 0, failedAt: 0 };
    record.failedAt = ++this.failures;
    this.records.set(peer, record);
  }

  /** `peer` gave no whole answer by its deadline: asked last, and scored down by its run of stalls. Returns the points taken. */
  stalled(peer: string, scores: PeerScores, deadlineMs: number): number {
    const record = this.records.get(peer) ?? { stalls: 0, failedAt: 0 };
    record.stalls++;
    record.failedAt = ++this.failures;
    this.records.set(peer, record);
    const points = record.stalls === 1 ? 0 : PENALTY.SYNC_STALL * 2 ** Math.min(record.stalls - 2, 16);
    if (points > 0)
      scores.penalize(
        peer,
        points,
        `${this.label}: no answer within ${deadlineMs} ms (${record.stalls} stalls in a row)`,
      );
    this.onStall?.(peer, deadlineMs, record.stalls, points);
    return points;
  }

  /** Stalls in a row of `peer` (for logs and tests). */
  stalls(peer: string): number {
    return this.records.get(peer)?.stalls ?? 0;
  }
}
