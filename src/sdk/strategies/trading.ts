/**
 * The trading bots of `../bots`, backtested over the simulated market's price path: a grid
 * (buys on the way down, sells on the way up) and dollar-cost averaging. Each trades against
 * a pool of the main pool's starting depth that an arbitrageur moves to the outside price
 * before every tick (`BacktestMarket`); gas and the 0.3% fee are paid on every trade.
 */
import { BacktestMarket } from "../bots/backtestMarket.js";
import { DcaStrategy } from "../bots/dca.js";
import { GridStrategy } from "../bots/grid.js";
import { fromUnits, toUnits } from "../bots/pool.js";
import { type BotReport, runBot } from "../bots/runBot.js";
import type { Holdings, Strategy } from "../bots/types.js";
import type { Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

async function backtest(market: Market, settings: RunSettings, holdings: Holdings, strategy: Strategy) {
  const series = market.steps.map((s) => ({ time: s.time, price: s.price }));
  const backtestMarket = new BacktestMarket({
    series,
    holdings,
    poolBase: toUnits(market.options.poolBase),
    gasPerSwap: BigInt(GAS.swap),
    gasPrice: BigInt(Math.round(settings.gasPrice * 1e18)),
  });
  return runBot(backtestMarket, strategy);
}

function toRun(
  report: BotReport,
  market: Market,
  base: {
    name: string;
    title: string;
    description: string;
  },
): StrategyRun {
  // runBot's values leave gas out; the coin spent on gas is taken off each step's value.
  let gasSoFar = 0n;
  const gasAt = new Map<number, bigint>();
  for (const fill of report.fills) gasAt.set(fill.step, (gasAt.get(fill.step) ?? 0n) + fill.gasFeeCoin);
  const values = report.inventory.map((p) => {
    gasSoFar += gasAt.get(p.step) ?? 0n;
    return p.value - fromUnits(gasSoFar);
  });
  const initial = report.initial.holdings;
  return {
    ...base,
    values,
    hold: market.steps.map((s) => fromUnits(initial.quote) + fromUnits(initial.base) * s.price),
    costs: { gas: fromUnits(report.fees.gasCoin), swapFees: fromUnits(report.fees.swapQuote) },
    stats: {
      trades: report.trades,
      buys: report.buys,
      sells: report.sells,
      rejected: report.rejected,
      ...report.strategyStats,
    },
  };
}

export async function runGrid(market: Market, settings: RunSettings): Promise<StrategyRun> {
  const first = market.steps[0]?.price ?? 1;
  const base = settings.capital / 2 / first;
  const levels = 11;
  const strategy = new GridStrategy({
    lower: first * 0.7,
    upper: first * 1.3,
    levels,
    orderSize: toUnits((base / levels).toFixed(12)),
    spacing: "geometric",
  });
  const holdings = {
    base: toUnits(base.toFixed(12)),
    quote: toUnits((settings.capital / 2).toFixed(6)),
    coin: toUnits(1_000),
  };
  const report = await backtest(market, settings, holdings, strategy);
  return toRun(report, market, {
    name: "grid",
    title: "Grid",
    description:
      "Half WETH, half WUSD; 11 geometric levels from -30% to +30%: buy a slice at each level crossed down, sell one at each crossed up.",
  });
}

export async function runDca(market: Market, settings: RunSettings): Promise<StrategyRun> {
  const stepsPerDay = Math.max(1, Math.round(24 / market.options.stepHours));
  const buys = Math.max(1, Math.floor((market.steps.length - 1) / stepsPerDay) + 1);
  const perBuy = toUnits((settings.capital / buys).toFixed(6));
  const strategy = new DcaStrategy({ quoteAmount: perBuy, everyTicks: stepsPerDay, buys });
  const holdings = { base: 0n, quote: toUnits(settings.capital.toFixed(6)), coin: toUnits(1_000) };
  const report = await backtest(market, settings, holdings, strategy);
  return toRun(report, market, {
    name: "dca",
    title: "Dollar-cost averaging",
    description: `All WUSD; buys WETH for an equal slice of it once a day (${buys} buys), whatever the price.`,
  });
}
