/**
 * Per-client time budgets for read-only execution. Each client (a remote address) has a
 * balance of milliseconds that refills at `msPerSecond` up to twice that; a job may start
 * while the balance is positive and is charged the time it actually took afterwards, so a
 * client that sent one long job waits until the refill has paid it back. Clients whose
 * balance is full are forgotten now and then.
 */

/** A clock in milliseconds; injectable so tests can move time by hand. */
export type Clock = () => number;

interface Balance {
  ms: number;
  at: number;
}

export class TimeBudgets {
  private readonly balances = new Map<string, Balance>();
  private lastSweep: number;
  /** Most milliseconds a client can hold (a burst of two seconds' refill). */
  readonly burstMs: number;

  constructor(
    /** Milliseconds of execution each client earns per second. */
    readonly msPerSecond: number,
    private readonly now: Clock = () => performance.now(),
    private readonly sweepEveryMs = 60_000,
  ) {
    if (!(msPerSecond > 0)) throw new RangeError(`msPerSecond must be positive, got ${msPerSecond}`);
    this.burstMs = 2 * msPerSecond;
    this.lastSweep = now();
  }

  /** 0 when `client` may start a job now, else the milliseconds until it may. */
  waitMs(client: string): number {
    const balance = this.refilled(client);
    if (balance === undefined || balance.ms > 0) return 0;
    return Math.max(1, Math.ceil(((1 - balance.ms) / this.msPerSecond) * 1000));
  }

  /** The milliseconds `client` has left now (a client never charged, or long idle, has the whole burst). */
  balanceMs(client: string): number {
    return this.refilled(client)?.ms ?? this.burstMs;
  }

  /** Charges `client` for `ms` of execution. */
  charge(client: string, ms: number): void {
    const t = this.now();
    if (t - this.lastSweep >= this.sweepEveryMs) this.sweep(t);
    const balance = this.refilled(client) ?? { ms: this.burstMs, at: t };
    balance.ms -= ms;
    this.balances.set(client, balance);
  }

  /** How many clients have a balance below full. */
  size(): number {
    return this.balances.size;
  }

  private refilled(client: string): Balance | undefined {
    const balance = this.balances.get(client);
    if (balance === undefined) return undefined;
    const t = this.now();
    balance.ms = Math.min(this.burstMs, balance.ms + ((t - balance.at) / 1000) * this.msPerSecond);
    balance.at = t;
    return balance;
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const client of [...this.balances.keys()]) {
      const balance = this.refilled(client);
      if (balance !== undefined && balance.ms >= this.burstMs) this.balances.delete(client);
    }
  }
}
