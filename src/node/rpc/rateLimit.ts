/**
 * Token-bucket rate limiting: one bucket per WebSocket connection, one per remote address for
 * HTTP, one per client address for the work of publishing to subscriptions
 * (`subscriptions.ts`). A bucket holds at most `burst` tokens (2 × the rate), refills
 * continuously at `rate` tokens per second, and each request (each batch element) takes one token.
 */

/** A clock in milliseconds; injectable so tests can move time by hand. */
export type Clock = () => number;

const defaultClock: Clock = () => performance.now();

/** One token bucket. A rate of `Infinity` never limits. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    /** Tokens added per second. */
    readonly rate: number,
    /** Most tokens held at once. */
    readonly burst: number = Math.max(1, rate * 2),
    private readonly now: Clock = defaultClock,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.tokens = burst;
    this.updatedAt = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = t;
  }

  /**
   * Takes `n` tokens (default one): returns 0 when they were there, else the milliseconds
   * until they will be (nothing taken; never, for more than `burst`: then Infinity).
   */
  take(n = 1): number {
    if (this.rate === Number.POSITIVE_INFINITY) return 0;
    if (n > this.burst) return Number.POSITIVE_INFINITY;
    this.refill();
    if (this.tokens >= n) {
      this.tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil(((n - this.tokens) / this.rate) * 1000));
  }

  /** Whether the bucket is full (so forgetting it loses nothing). */
  isFull(): boolean {
    if (this.rate === Number.POSITIVE_INFINITY) return true;
    this.refill();
    return this.tokens >= this.burst;
  }
}

/** Buckets keyed by a string (the remote address); full buckets are forgotten now and then. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(
    /** Tokens added per second to each key's bucket. */
    readonly rate: number,
    private readonly now: Clock = defaultClock,
    /** How often (ms) idle buckets are swept, checked lazily on `take`. */
    private readonly sweepEveryMs = 60_000,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
    this.lastSweep = now();
  }

  /** Takes `n` tokens (default one) from `key`'s bucket; see `TokenBucket.take`. */
  take(key: string, n = 1): number {
    if (this.rate === Number.POSITIVE_INFINITY) return 0;
    const t = this.now();
    if (t - this.lastSweep >= this.sweepEveryMs) this.sweep(t);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rate, Math.max(1, this.rate * 2), this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(n);
  }

  /** How many keys currently have a bucket. */
  size(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key);
  }
}
