/**
 * A covered call, as the covered-call vault runs it (docs/options.md): the capital in WETH,
 * and each week a call on all of it is written and sold, expiring on the next Friday at
 * 08:00 UTC. The strike is the round's opening price plus `otm` (default 10%), rounded up
 * to a multiple of 10 WUSD; the premium is the Black–Scholes price at `impliedVolatility`
 * (default: the market's own volatility, a fair price). At expiry the option settles in
 * cash: the holder gets (price − strike) per WETH when the price is above the strike, paid
 * from the premiums and, when they fall short, from WETH sold at the pool's price and fee.
 * Between expiries the open option is marked at its Black–Scholes value.
 */
import { blackScholes } from "../blackScholes.js";
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

const WEEK_MS = 7 * 24 * 3_600_000;
const YEAR_MS = 365 * 24 * 3_600_000;
/** Friday 1 January 2021, 08:00 UTC: one of the weekly expiries. */
const A_FRIDAY_MS = 1_609_488_000_000;

/** The first Friday 08:00 UTC strictly after `ms` (at exactly an expiry, the one a week later). */
export function nextFridayExpiry(ms: number): number {
  const weeks = Math.floor((ms - A_FRIDAY_MS) / WEEK_MS) + 1;
  return A_FRIDAY_MS + weeks * WEEK_MS;
}

export interface CoveredCallParams {
  /** How far out of the money the strike is set (default 0.1). */
  otm?: number;
  /** The volatility premiums are priced at (default: the market's). */
  impliedVolatility?: number;
}

export function runCoveredCall(
  market: Market,
  settings: RunSettings,
  params: CoveredCallParams = {},
): StrategyRun {
  const otm = params.otm ?? 0.1;
  const vol = params.impliedVolatility ?? market.options.volatility;
  const first = market.steps[0];
  if (first === undefined) throw new RangeError("the market has no steps");
  let base = settings.capital / first.price;
  let quote = 0;
  let gas = 0;
  let swapFees = 0;
  let premiums = 0;
  let payouts = 0;
  let rounds = 0;
  let exercised = 0;
  let open: { strike: number; expiry: number; amount: number } | undefined;
  const values: number[] = [];
  let liability = 0;
  const hold = market.steps.map((s) => (settings.capital / first.price) * s.price);
  for (const step of market.steps) {
    if (open !== undefined && step.time >= open.expiry) {
      const owed = Math.max(0, step.price - open.strike) * open.amount;
      if (owed > 0) exercised++;
      payouts += owed;
      quote -= owed;
      if (quote < 0) {
        const sold = -quote / (step.price * 0.997);
        swapFees += -quote * 0.003;
        base -= sold;
        quote = 0;
        gas += GAS.swap * settings.gasPrice;
      }
      gas += GAS.option * settings.gasPrice;
      open = undefined;
    }
    const isLast = step === market.steps.at(-1);
    if (open === undefined && !isLast) {
      const expiry = nextFridayExpiry(step.time);
      const strike = Math.ceil((step.price * (1 + otm)) / 10) * 10;
      const premium =
        blackScholes({
          kind: "call",
          spot: step.price,
          strike,
          rate: 0,
          volatility: vol,
          years: (expiry - step.time) / YEAR_MS,
        }).price * base;
      quote += premium;
      premiums += premium;
      gas += GAS.option * settings.gasPrice;
      rounds++;
      open = { strike, expiry, amount: base };
    }
    liability =
      open === undefined
        ? 0
        : blackScholes({
            kind: "call",
            spot: step.price,
            strike: open.strike,
            rate: 0,
            volatility: vol,
            years: Math.max(0, open.expiry - step.time) / YEAR_MS,
          }).price * open.amount;
    values.push(base * step.price + quote - liability - gas);
  }
  return {
    name: "covered-call",
    title: "Covered call",
    description: `WETH held, a call on all of it sold every week (strike ${Math.round(otm * 100)}% out of the money, Friday 08:00 UTC expiry).`,
    values,
    hold,
    costs: { gas, swapFees },
    stats: { rounds, exercised, premiums, payouts, openLiability: liability, impliedVolatility: vol },
  };
}
