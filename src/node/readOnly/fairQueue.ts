/**
 * The read-only pool's waiting line, fair across clients (a client is a network: an IPv4
 * /24 or an IPv6 /64, `rpc/clientKey.ts`). Each client has its own queue. The next job is
 * the first of the client with the most time left in its budget (`rank`: the pool's time
 * budgets), so a client that has run little (a newcomer, an honest client) goes before one
 * that has just been charged for a long job; among equals the one served least recently
 * goes first (so turns go round, one job per turn, among clients that keep jobs waiting).
 * So a client with many queued jobs (from many addresses of its network) delays another
 * client's job by the jobs already running, not by its queue; and a client that calls now
 * and then goes before many networks that each keep a job waiting (their budgets refill
 * to full between their turns, so the budget alone cannot tell them apart: with a turn per
 * arrival, a host holding 256 IPv6 /64s made every other client wait 256 jobs).
 * A client may also run at most `maxRunningPerClient` jobs at once, so that with several
 * slots one network never holds them all while others wait.
 *
 * Memory is bounded: at most `maxQueuePerClient` jobs wait per client and `maxQueue` in all;
 * `add` refuses beyond that and says which bound was hit. The bound in all is shared fairly:
 * when it is reached, a client with fewer jobs waiting than the longest queue still gets
 * in, and the longest queue's newest job gives up its place (`displaced`, answered as a
 * refusal). Otherwise a few networks, each within its own bound, could fill the line and
 * have every other client refused.
 */

export interface FairQueueLimits {
  /** Most jobs waiting, all clients together. */
  maxQueue: number;
  /** Most jobs waiting for one client. */
  maxQueuePerClient: number;
  /** Most jobs of one client running at once. */
  maxRunningPerClient: number;
}

/** Why `add` refused a job: the bound it hit. */
export interface QueueRefusal {
  limit: "callQueue" | "callQueuePerClient";
  max: number;
}

export class FairQueue<T> {
  /** Waiting jobs per client; Map order is the turn order. */
  private readonly queues = new Map<string, T[]>();
  private readonly running = new Map<string, number>();
  private queued = 0;
  /**
   * When each client was last served (a count of `take`s), least recent first in Map order;
   * bounded to `2 × maxQueue` clients by forgetting the least recent, which then count as
   * never served: the order between clients is kept.
   */
  private readonly served = new Map<string, number>();
  private takes = 0;

  constructor(
    readonly limits: FairQueueLimits,
    /** Called with each job that gave up its place to a client with fewer waiting (it is no longer queued). */
    private readonly displaced: (client: string, item: T) => void = () => {},
  ) {}

  /** Queues `item` for `client`, or says which bound refuses it. */
  add(client: string, item: T): QueueRefusal | undefined {
    const waiting = this.queues.get(client);
    const mine = waiting?.length ?? 0;
    if (mine >= this.limits.maxQueuePerClient)
      return { limit: "callQueuePerClient", max: this.limits.maxQueuePerClient };
    if (this.queued >= this.limits.maxQueue && !this.displaceFor(mine + 1))
      return { limit: "callQueue", max: this.limits.maxQueue };
    if (waiting === undefined) this.queues.set(client, [item]);
    else waiting.push(item);
    this.queued++;
    return undefined;
  }

  /**
   * The next job to run: of the clients that may run one more, the one `rank` puts highest
   * (the first in turn among equals). It counts as running until `done`.
   */
  take(rank: (client: string) => number = () => 0): { client: string; item: T } | undefined {
    let best: string | undefined;
    let bestRank = -Infinity;
    let bestServed = Infinity;
    for (const client of this.queues.keys()) {
      if ((this.running.get(client) ?? 0) >= this.limits.maxRunningPerClient) continue;
      const r = rank(client);
      const served = this.served.get(client) ?? -1;
      if (r > bestRank || (r === bestRank && served < bestServed))
        [best, bestRank, bestServed] = [client, r, served];
    }
    if (best !== undefined) {
      const client = best;
      const list = this.queues.get(client) as T[];
      const item = list.shift() as T;
      this.queued--;
      if (list.length === 0) this.queues.delete(client);
      this.running.set(client, (this.running.get(client) ?? 0) + 1);
      this.markServed(client);
      return { client, item };
    }
    return undefined;
  }

  private markServed(client: string): void {
    this.served.delete(client);
    this.served.set(client, ++this.takes);
    const most = 2 * this.limits.maxQueue;
    for (const oldest of this.served.keys()) {
      if (this.served.size <= most) break;
      this.served.delete(oldest);
    }
  }

  /**
   * Frees one place for a client that would then have `wanted` jobs waiting: the newest job
   * of the longest queue goes, if that queue is longer than `wanted`.
   */
  private displaceFor(wanted: number): boolean {
    let longest: string | undefined;
    let length = wanted;
    for (const [client, list] of this.queues)
      if (list.length > length) [longest, length] = [client, list.length];
    if (longest === undefined) return false;
    const list = this.queues.get(longest) as T[];
    const item = list.pop() as T;
    if (list.length === 0) this.queues.delete(longest);
    this.queued--;
    this.displaced(longest, item);
    return true;
  }

  /** A job of `client` taken with `take` has finished (or was answered without running). */
  done(client: string): void {
    const n = (this.running.get(client) ?? 0) - 1;
    if (n > 0) this.running.set(client, n);
    else this.running.delete(client);
  }

  /** Removes and returns every waiting job. */
  drain(): T[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.queued = 0;
    return all;
  }

  /** Jobs waiting. */
  get size(): number {
    return this.queued;
  }

  /** Clients with jobs waiting or running (what the queue holds memory for). */
  clients(): number {
    return new Set([...this.queues.keys(), ...this.running.keys()]).size;
  }
}
