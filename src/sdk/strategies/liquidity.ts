/**
 * Liquidity provision: half the capital in WETH and half in WUSD, deposited in the main
 * pool at the start. The position is a fixed share of the pool: the pool's trades are in
 * proportion to its depth, so a position of k times the pool's reserves at the start is worth
 * k times its reserves at each step. It earns the 0.3% fee of every trade (kept in the
 * reserves, as Uniswap V2 does) and loses to price moves what holding would not
 * (impermanent loss). Also the first half of farming (`farming.ts`).
 */
import { fromUnits } from "../bots/pool.js";
import type { Reserves } from "../bots/types.js";
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

export interface LpPosition {
  /** The position's share of the pool's reserves. */
  share: number;
  /** The tokens deposited. */
  base: number;
  quote: number;
  /** Value of the position at each step, WUSD. */
  values: number[];
  /** Value of the deposited tokens at each step, WUSD. */
  hold: number[];
  /** Fees earned (the position's share of the pool's), WUSD. */
  fees: number;
}

export function poolValue(r: Reserves, price: number): number {
  return fromUnits(r.base) * price + fromUnits(r.quote);
}

export function lpPosition(market: Market, capital: number): LpPosition {
  const first = market.steps[0];
  if (first === undefined) throw new RangeError("the market has no steps");
  const base = capital / 2 / first.price;
  const quote = capital / 2;
  const share = base / fromUnits(first.pool.base);
  let fees = 0;
  const values = market.steps.map((s) => {
    fees += s.poolFees * share;
    return share * poolValue(s.pool, s.price);
  });
  return { share, base, quote, values, hold: market.steps.map((s) => base * s.price + quote), fees };
}

export function runLiquidity(market: Market, settings: RunSettings): StrategyRun {
  const p = lpPosition(market, settings.capital);
  const gas = GAS.swap * 2 * settings.gasPrice;
  const values = p.values.slice();
  values[values.length - 1] = (values.at(-1) ?? 0) - gas;
  const end = market.steps.at(-1);
  const ratio = end === undefined ? 1 : end.price / (market.steps[0]?.price ?? end.price);
  return {
    name: "lp",
    title: "Liquidity provision",
    description:
      "Half WETH, half WUSD in the WETH/WUSD pool: the 0.3% fee of every trade, less impermanent loss.",
    values,
    hold: p.hold,
    costs: { gas, swapFees: 0 },
    stats: {
      poolShare: p.share,
      feesEarned: p.fees,
      impermanentLoss: (2 * Math.sqrt(ratio)) / (1 + ratio) - 1,
    },
  };
}
