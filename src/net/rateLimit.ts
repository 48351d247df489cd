/**
 * Token buckets keyed by peer: each key may spend `perSecond` tokens a second on average
 * and `burst` at once. Entries are dropped when the peer disconnects (`forget`) and the map
 * never holds more than `maxKeys` (full buckets are dropped first, so a flood of new
 * peer ids cannot grow it).
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Spends `cost` tokens of `key`; false (and nothing spent) when it has fewer. */
  take(key: string, cost = 1): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      const refill = ((now - bucket.at) / 1000) * this.limit.perSecond;
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + refill);
      bucket.at = now;
    }
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Whether `key` could spend `cost` tokens now (nothing is spent). */
  has(key: string, cost = 1): boolean {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return this.limit.burst >= cost;
    const refill = ((this.now() - bucket.at) / 1000) * this.limit.perSecond;
    return Math.min(this.limit.burst, bucket.tokens + refill) >= cost;
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond;
      if (tokens >= this.limit.burst) this.buckets.delete(key);
    }
    // Still full: drop the oldest entry (a Map iterates in insertion order).
    if (this.buckets.size >= this.maxKeys) {
      const first = this.buckets.keys().next();
      if (first.done !== true) this.buckets.delete(first.value);
    }
  }
}
