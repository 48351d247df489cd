/**
 * A volatility estimate for pricing options from the prices a bot has seen: the realized
 * volatility of the log returns over a trailing window, annualized by the time they span,
 *
 *   σ² = Σ ln(pᵢ / pᵢ₋₁)² / Σ (tᵢ − tᵢ₋₁)   (time in years),
 *
 * which needs no equal spacing (a live bot's ticks drift). Below `minSamples` returns, or
 * when the window spans no time, it answers the fallback instead: a quiet start must not
 * price options at zero volatility. The estimate is clamped to [`MIN_VOLATILITY`,
 * `MAX_VOLATILITY`], so a glitch in the prices cannot set a premium from nonsense.
 */

const YEAR_MS = 365 * 24 * 3_600_000;
export const MIN_VOLATILITY = 0.05;
export const MAX_VOLATILITY = 5;

export interface VolatilityEstimate {
  volatility: number;
  /** `realized` from the window, or `fallback` when it had too few returns. */
  source: "realized" | "fallback";
  samples: number;
}

export interface VolatilityOptions {
  /** The window: returns of points within this many ms of the newest (default 7 days). */
  windowMs?: number;
  /** Fewer returns than this answer the fallback (default 24). */
  minSamples?: number;
  /** The volatility answered without enough data (default 0.8). */
  fallback?: number;
}

/** Trailing prices, in time order, with the estimate over them. */
export class VolatilityEstimator {
  /** Points from index `start` on are in the window (dropped ones are compacted away in bulk). */
  private points: Array<{ time: number; price: number }> = [];
  private start = 0;
  readonly windowMs: number;
  readonly minSamples: number;
  readonly fallback: number;

  constructor(options: VolatilityOptions = {}) {
    this.windowMs = options.windowMs ?? 7 * 24 * 3_600_000;
    this.minSamples = options.minSamples ?? 24;
    this.fallback = options.fallback ?? 0.8;
    if (!(this.windowMs > 0) || !Number.isFinite(this.windowMs))
      throw new RangeError(`the volatility window must be a positive number of ms, got ${this.windowMs}`);
    if (!Number.isInteger(this.minSamples) || this.minSamples < 1)
      throw new RangeError(`minSamples must be a whole number ≥ 1, got ${this.minSamples}`);
    if (!(this.fallback >= MIN_VOLATILITY && this.fallback <= MAX_VOLATILITY))
      throw new RangeError(
        `the fallback volatility must be within ${MIN_VOLATILITY}..${MAX_VOLATILITY}, got ${this.fallback}`,
      );
  }

  /** Adds a price seen at `time` (ms); a point not after the last, or a price not > 0, is ignored. */
  observe(time: number, price: number): void {
    const last = this.points.at(-1);
    if (!(price > 0) || !Number.isFinite(price) || !Number.isFinite(time)) return;
    if (last !== undefined && time <= last.time) return;
    this.points.push({ time, price });
    const oldest = time - this.windowMs;
    while (this.start < this.points.length - 1 && (this.points[this.start] as { time: number }).time < oldest)
      this.start++;
    if (this.start > 1_024 && this.start * 2 > this.points.length) {
      this.points = this.points.slice(this.start);
      this.start = 0;
    }
  }

  estimate(): VolatilityEstimate {
    let sum = 0;
    let samples = 0;
    for (let i = this.start + 1; i < this.points.length; i++) {
      const r = Math.log(
        (this.points[i] as { price: number }).price / (this.points[i - 1] as { price: number }).price,
      );
      sum += r * r;
      samples++;
    }
    const first = this.points[this.start];
    const last = this.points.at(-1);
    const years = first === undefined || last === undefined ? 0 : (last.time - first.time) / YEAR_MS;
    if (samples < this.minSamples || !(years > 0))
      return { volatility: this.fallback, source: "fallback", samples };
    const sigma = Math.sqrt(sum / years);
    return {
      volatility: Math.min(MAX_VOLATILITY, Math.max(MIN_VOLATILITY, sigma)),
      source: "realized",
      samples,
    };
  }
}
