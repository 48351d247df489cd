/**
 * The simulated market every strategy in the cash-flow report runs over: one seed gives
 * the same market, bit for bit, on every machine.
 *
 * Each step (an hour by default):
 * 1. the outside price moves by a geometric random walk (`syntheticSeries`);
 * 2. noise traders swap through the main pool (the dev genesis WETH/WUSD pool, with the
 *    router's exact 0.3% fee math), a random direction and size per trade, so the pool
 *    earns fees on a daily volume that is a set share of its value;
 * 3. an arbitrageur moves the main pool to the outside price, which is where liquidity
 *    providers lose to price moves (impermanent loss);
 * 4. the lending market's utilisation drifts around a mean (a mean-reverting walk), and the
 *    farm's reward token has its own, falling, price walk.
 *
 * A second, shallower pool of the same pair gets its own noise trades and nobody else's
 * arbitrage: the arbitrage strategy is what keeps it in line (`arbitrage.ts`).
 */
import { getAmountOut } from "../amm.js";
import { applySwap, priceMoveOrder, toUnits } from "../bots/pool.js";
import { normalFrom, type PricePoint, seededRandom, syntheticSeries } from "../bots/series.js";
import type { Reserves } from "../bots/types.js";

export const HOUR_MS = 3_600_000;
const YEAR_HOURS = 365 * 24;

export interface MarketOptions {
  seed: number;
  /** Length of the simulation in days (default 90). */
  days?: number;
  /** Hours per step (default 1). */
  stepHours?: number;
  /** Outside price at the start, WUSD per WETH (default 2,000: the dev genesis pool). */
  startPrice?: number;
  /** Annual volatility of the outside price (default 0.8). */
  volatility?: number;
  /** Annual drift of the outside price's log (default 0). */
  drift?: number;
  /** WETH in the main pool at the start (default 1,000: the dev genesis pool). */
  poolBase?: number;
  /** WETH in the second pool at the start (default 200). */
  secondPoolBase?: number;
  /** Noise volume per day as a share of a pool's value (default 0.1). */
  dailyVolumeShare?: number;
  /** Noise trades per step in each pool (default 4). */
  tradesPerStep?: number;
  /** Mean utilisation of the lending market (default 0.6). */
  utilisation?: number;
  /** The farm reward token's price at the start, WUSD (default 0.01), and its annual drift (default -1). */
  rewardPrice?: number;
  rewardDrift?: number;
  /** Start time, ms (default Friday 2 January 2026, 08:00 UTC). */
  startTime?: number;
}

export interface MarketStep {
  time: number;
  /** The outside price, WUSD per WETH. */
  price: number;
  /** The main pool after this step's noise trades and arbitrage. */
  pool: Reserves;
  /** Fees the main pool earned this step, WUSD (its 0.3% on each input, valued at spot). */
  poolFees: number;
  /** Signed WETH amounts the noise traders sell into the second pool this step (negative: buy). */
  secondPoolFlow: bigint[];
  /** The lending market's utilisation over this step. */
  utilisation: number;
  /** The farm reward token's price, WUSD. */
  rewardPrice: number;
}

export interface Market {
  options: Required<MarketOptions>;
  stepMs: number;
  /** Steps per year, for annualising. */
  stepsPerYear: number;
  /** The second pool at the start. */
  secondPool: Reserves;
  steps: MarketStep[];
}

export const MARKET_DEFAULTS: Omit<Required<MarketOptions>, "seed"> = {
  days: 90,
  stepHours: 1,
  startPrice: 2_000,
  volatility: 0.8,
  drift: 0,
  poolBase: 1_000,
  secondPoolBase: 200,
  dailyVolumeShare: 0.1,
  tradesPerStep: 4,
  utilisation: 0.6,
  rewardPrice: 0.01,
  rewardDrift: -1,
  startTime: Date.UTC(2026, 0, 2, 8),
};

export class MarketOptionError extends RangeError {
  readonly code = "BAD_MARKET_OPTION";
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`market option ${option}: expected ${expected}, got ${JSON.stringify(value)}`);
    this.name = "MarketOptionError";
  }
}

function checked(options: MarketOptions): Required<MarketOptions> {
  const o = { ...MARKET_DEFAULTS, ...options } as Required<MarketOptions>;
  const positive = (name: keyof MarketOptions, max = Number.MAX_SAFE_INTEGER) => {
    const v = o[name];
    if (typeof v !== "number" || !(v > 0) || v > max)
      throw new MarketOptionError(name, v, `a number in (0, ${max}]`);
  };
  if (!Number.isInteger(o.seed)) throw new MarketOptionError("seed", o.seed, "an integer");
  positive("days", 3_650);
  positive("stepHours", 24 * 7);
  positive("startPrice", 1e12);
  positive("volatility", 5);
  positive("poolBase", 1e12);
  positive("secondPoolBase", 1e12);
  positive("dailyVolumeShare", 100);
  positive("rewardPrice", 1e12);
  if (!Number.isInteger(o.tradesPerStep) || o.tradesPerStep < 1 || o.tradesPerStep > 64)
    throw new MarketOptionError("tradesPerStep", o.tradesPerStep, "an integer from 1 to 64");
  if (!(o.utilisation > 0 && o.utilisation < 1))
    throw new MarketOptionError("utilisation", o.utilisation, "a number strictly between 0 and 1");
  for (const name of ["drift", "rewardDrift"] as const)
    if (!Number.isFinite(o[name]) || Math.abs(o[name]) > 10)
      throw new MarketOptionError(name, o[name], "a number from -10 to 10");
  if (!Number.isFinite(o.startTime)) throw new MarketOptionError("startTime", o.startTime, "a time in ms");
  if ((o.days * 24) / o.stepHours > 100_000)
    throw new MarketOptionError("days", o.days, "at most 100,000 steps (days × 24 / stepHours)");
  return o;
}

/** Noise trades for one step: signed WETH amounts (positive: sold into the pool). */
function noiseTrades(
  random: () => number,
  normal: () => number,
  reserves: Reserves,
  o: Required<MarketOptions>,
) {
  const stepVolumeBase = (o.dailyVolumeShare * 2 * Number(reserves.base) * o.stepHours) / 24;
  // |Z| has mean sqrt(2/π): scale so the mean trade is volume / trades.
  const mean = stepVolumeBase / o.tradesPerStep / Math.sqrt(2 / Math.PI);
  const out: bigint[] = [];
  for (let i = 0; i < o.tradesPerStep; i++) {
    const size = BigInt(Math.floor(Math.abs(normal()) * mean));
    out.push(random() < 0.5 ? size : -size);
  }
  return out;
}

/** Applies one noise trade to `r` (in place); returns the pool's fee in WUSD at the pre-trade spot. */
export function applyNoise(r: Reserves, amount: bigint): number {
  if (amount === 0n) return 0;
  const spotBefore = Number(r.quote) / Number(r.base);
  if (amount > 0n) {
    applySwap({ side: "sell", baseAmount: amount }, r);
    return (Number(amount) * 0.003 * spotBefore) / 1e18;
  }
  // A buy of at most a tenth of the pool: spend the quote that buys |amount| at spot.
  const want = -amount < r.base / 10n ? -amount : r.base / 10n;
  const quoteIn = BigInt(Math.floor(Number(want) * spotBefore));
  const out = getAmountOut(quoteIn, r.quote, r.base);
  r.quote += quoteIn;
  r.base -= out;
  return (Number(quoteIn) * 0.003) / 1e18;
}

/** The simulated market of `options`: deterministic in the seed. */
export function simulateMarket(options: MarketOptions): Market {
  const o = checked(options);
  const stepMs = o.stepHours * HOUR_MS;
  const count = Math.floor((o.days * 24) / o.stepHours) + 1;
  const stepsPerYear = YEAR_HOURS / o.stepHours;
  const sigma = o.volatility / Math.sqrt(stepsPerYear);
  const series: PricePoint[] = syntheticSeries({
    start: o.startPrice,
    steps: count,
    volatility: sigma,
    drift: o.drift / stepsPerYear,
    seed: o.seed,
    startTime: o.startTime,
    stepMs,
  });
  const random = seededRandom(o.seed ^ 0x5bd1e995);
  const normal = normalFrom(random);
  const pool: Reserves = {
    base: toUnits(o.poolBase),
    quote: toUnits((o.poolBase * o.startPrice).toFixed(6)),
  };
  const secondPool: Reserves = {
    base: toUnits(o.secondPoolBase),
    quote: toUnits((o.secondPoolBase * o.startPrice).toFixed(6)),
  };
  // Utilisation: a mean-reverting walk in logit space; reward price: its own random walk.
  const logit = (u: number) => Math.log(u / (1 - u));
  let x = logit(o.utilisation);
  const reversion = Math.min(1, o.stepHours / (7 * 24));
  let rewardLog = Math.log(o.rewardPrice);
  const rewardSigma = 1.2 / Math.sqrt(stepsPerYear);
  const steps: MarketStep[] = [];
  for (const [i, point] of series.entries()) {
    let fees = 0;
    const flow = i === 0 ? [] : noiseTrades(random, normal, secondPool, o);
    if (i > 0) {
      for (const amount of noiseTrades(random, normal, pool, o)) fees += applyNoise(pool, amount);
      const move = priceMoveOrder(pool, point.price);
      if (move !== undefined) {
        const before = { ...pool };
        const quote = applySwap(move, pool);
        fees +=
          move.side === "buy"
            ? (Number(quote) * 0.003) / 1e18
            : (Number(move.baseAmount) * 0.003 * Number(before.quote)) / Number(before.base) / 1e18;
      }
      x += reversion * (logit(o.utilisation) - x) + 0.08 * Math.sqrt(reversion) * normal();
      rewardLog += (o.rewardDrift - 0.72) / stepsPerYear + rewardSigma * normal();
    }
    steps.push({
      time: point.time,
      price: point.price,
      pool: { ...pool },
      poolFees: fees,
      secondPoolFlow: flow,
      utilisation: 1 / (1 + Math.exp(-x)),
      rewardPrice: Math.exp(rewardLog),
    });
  }
  return { options: o, stepMs, stepsPerYear, secondPool, steps };
}
