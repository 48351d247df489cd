/**
 * The covered-call bot replayed over a price series: the manager's decisions
 * (`coveredCall.ts`) drive a model of the option vault that follows the contract's integer
 * arithmetic (contracts/src/optionVault, contracts/src/options): the strike and expiry
 * rules, ⌈amount × premium / 1e18⌉ for what buyers pay, payout rates (P − K)/P for calls
 * and (K − P)/1e18 for puts with the holders' ⌊…⌋ and the writer's ⌈…⌉, and share prices
 * with 1,000 virtual shares and assets. One depositor puts `capital` in round 1; each round
 * buyers take `soldShare` of the options at the manager's premium as it starts. At each
 * point of the series the oracle posts that price (so a round expired at Friday 08:00
 * settles at the first price at or after it), and the estimator sees it. At the last point
 * an expired round is closed and no new one started; a round still open is marked as if it
 * settled at the last price.
 */

import { decide, type VaultRules } from "./coveredCall.js";
import type { PricePoint } from "./series.js";
import { VolatilityEstimator, type VolatilityOptions } from "./volatility.js";

const E18 = 10n ** 18n;
const VIRTUAL = 1_000n;
/** The most points a backtest replays (a year of minutes is 525,600). */
export const MAX_BACKTEST_POINTS = 1_000_000;

export interface VaultRoundResult {
  round: bigint;
  /** Unix seconds the round started, and the spot then (quote units × 1e18 per unit). */
  startTime: bigint;
  spot: bigint;
  strike: bigint;
  expiry: bigint;
  volatility: number;
  volatilitySource: "realized" | "fallback";
  fairRate: bigint;
  premiumRate: bigint;
  written: bigint;
  sold: bigint;
  /** What buyers paid, in the vault's asset. */
  premiumCollected: bigint;
  /**
   * Set once the round closed: the settlement price, the holders' payout, the vault's assets
   * at the close (what its shares own, before the queued deposits join: the contract's
   * `RoundClosed.assets`) and the closing share price.
   */
  settlementPrice?: bigint;
  payout?: bigint;
  assets?: bigint;
  pricePerShare?: bigint;
}

export interface CoveredCallBacktestReport {
  kind: "covered-call" | "cash-secured-put";
  points: number;
  firstPrice: number;
  lastPrice: number;
  capital: bigint;
  rounds: VaultRoundResult[];
  premiums: bigint;
  payouts: bigint;
  /** The depositor's assets at the end (the open round marked at the last price). */
  finalAssets: bigint;
  /** Assets per 1e18 shares at the end. */
  finalPricePerShare: bigint;
  /** finalAssets − capital, in the vault's asset, and valued in the quote token at the last price (calls). */
  vsHold: bigint;
  vsHoldQuote: number;
}

export class BacktestError extends Error {
  constructor(
    readonly code: "BAD_SERIES" | "BAD_OPTION",
    message: string,
  ) {
    super(message);
    this.name = "BacktestError";
  }
}

export interface CoveredCallBacktestOptions {
  series: readonly PricePoint[];
  rules: VaultRules;
  /** The depositor's capital, in the vault's asset's smallest units. */
  capital: bigint;
  /** The share of each round's options buyers take at the premium (0..1, default 1). */
  soldShare?: number;
  volatility?: VolatilityOptions;
}

/** A price (quote per base) as quote units per unit × 1e18, to the micro-unit. */
export function priceToWad(price: number): bigint {
  return BigInt(Math.round(price * 1e6)) * 10n ** 12n;
}

function checkSeries(series: readonly PricePoint[]): void {
  if (series.length < 2) throw new BacktestError("BAD_SERIES", "the series needs at least 2 prices");
  if (series.length > MAX_BACKTEST_POINTS)
    throw new BacktestError(
      "BAD_SERIES",
      `the series has ${series.length} prices: at most ${MAX_BACKTEST_POINTS}`,
    );
  for (const [i, p] of series.entries()) {
    if (!(Number.isFinite(p.price) && p.price > 0 && p.price < 1e15))
      throw new BacktestError("BAD_SERIES", `price ${i} is ${p.price}: expected a number in (0, 1e15)`);
    if (!(Number.isSafeInteger(p.time) && p.time >= 0))
      throw new BacktestError("BAD_SERIES", `time ${i} is ${p.time}: expected epoch milliseconds`);
    if (i > 0 && p.time <= (series[i - 1] as PricePoint).time)
      throw new BacktestError(
        "BAD_SERIES",
        `time ${i} (${p.time}) is not after time ${i - 1}: times must increase`,
      );
  }
}

/** Round a/b up. */
const up = (a: bigint, b: bigint) => (a + b - 1n) / b;

export function backtestCoveredCall(options: CoveredCallBacktestOptions): CoveredCallBacktestReport {
  const { series, rules, capital } = options;
  checkSeries(series);
  const soldShare = options.soldShare ?? 1;
  if (!(soldShare >= 0 && soldShare <= 1))
    throw new BacktestError("BAD_OPTION", `the share sold must be within 0..1, got ${soldShare}`);
  if (capital <= 0n) throw new BacktestError("BAD_OPTION", `the capital must be more than 0, got ${capital}`);
  const soldPpm = BigInt(Math.round(soldShare * 1e6));
  const estimator = new VolatilityEstimator(options.volatility);
  let free = 0n;
  let shares = 0n;
  let pending = capital;
  let round = 1n;
  let open: (VaultRoundResult & { collateral: bigint }) | undefined;
  const rounds: Array<VaultRoundResult & { collateral: bigint }> = [];

  /** The payout rate num/den at settlement price `p`. */
  const rate = (strike: bigint, p: bigint): [bigint, bigint] =>
    rules.isPut ? [p < strike ? strike - p : 0n, E18] : [p > strike ? p - strike : 0n, p];

  /** Settles the open round at `p`: the vault exercises its unsold options and redeems its collateral. */
  const settle = (o: VaultRoundResult & { collateral: bigint }, p: bigint) => {
    const [num, den] = rate(o.strike, p);
    free += ((o.written - o.sold) * num) / den + o.collateral - up(o.written * num, den);
    o.settlementPrice = p;
    o.payout = (o.sold * num) / den;
  };

  const close = () => {
    const pps = (E18 * (free + VIRTUAL)) / (shares + VIRTUAL);
    if (open !== undefined) {
      open.assets = free;
      open.pricePerShare = pps;
    }
    shares += (pending * (shares + VIRTUAL)) / (free + VIRTUAL);
    free += pending;
    pending = 0n;
    round++;
    open = undefined;
  };

  for (const [i, point] of series.entries()) {
    estimator.observe(point.time, point.price);
    const now = BigInt(Math.floor(point.time / 1000));
    const spot = priceToWad(point.price);
    const decision = decide(
      { now, spot, round, active: open !== undefined, expiry: open?.expiry ?? 0n, priceUpdatedAt: now },
      rules,
      estimator.estimate(),
    );
    if (decision.action === "wait") continue;
    if (open !== undefined) settle(open, spot);
    close();
    if (i === series.length - 1) break;
    const written = rules.isPut ? (free * E18) / decision.strike : free;
    const collateral = rules.isPut ? up(written * decision.strike, E18) : written;
    const price = rules.isPut ? (decision.strike * decision.premiumRate) / E18 : decision.premiumRate;
    const sold = (written * soldPpm) / 1_000_000n;
    const premiumCollected = up(sold * price, E18);
    free += premiumCollected - collateral;
    open = {
      round,
      startTime: now,
      spot,
      strike: decision.strike,
      expiry: decision.expiry,
      volatility: decision.volatility.volatility,
      volatilitySource: decision.volatility.source,
      fairRate: decision.fairRate,
      premiumRate: decision.premiumRate,
      written,
      sold,
      premiumCollected,
      collateral,
    };
    rounds.push(open);
  }
  const last = series.at(-1) as PricePoint;
  // An open round is marked as if it settled at the last price.
  let finalFree = free;
  if (open !== undefined) {
    const [num, den] = rate(open.strike, priceToWad(last.price));
    finalFree += ((open.written - open.sold) * num) / den + open.collateral - up(open.written * num, den);
  }
  const finalAssets = (shares * (finalFree + VIRTUAL)) / (shares + VIRTUAL);
  const vsHold = finalAssets - capital;
  const unit = rules.isPut ? 1 : last.price;
  return {
    kind: rules.isPut ? "cash-secured-put" : "covered-call",
    points: series.length,
    firstPrice: (series[0] as PricePoint).price,
    lastPrice: last.price,
    capital,
    rounds: rounds.map(({ collateral: _locked, ...r }) => r),
    premiums: rounds.reduce((s, r) => s + r.premiumCollected, 0n),
    payouts: rounds.reduce((s, r) => s + (r.payout ?? 0n), 0n),
    finalAssets,
    finalPricePerShare: (E18 * (finalFree + VIRTUAL)) / (shares + VIRTUAL),
    vsHold,
    vsHoldQuote: (Number(vsHold) / 1e18) * unit,
  };
}
