/**
 * Cross-pool arbitrage with no capital: when the second pool's price strays from the main
 * pool's, borrow WETH from the pool where it is cheap by a flash swap, sell it in the other,
 * and repay the loan from the proceeds in the same transaction; what is left is profit.
 * The trade size is the one that maximises profit after both pools' 0.3% fees (found by a
 * search over the exact integer pool math, whose profit is concave in the size); it is
 * sent only if the profit beats its gas. Only the second pool keeps the trade's effect: the
 * main pool is deep and the next step's arbitrage there resets it to the outside price.
 */
import { getAmountIn, getAmountOut } from "../amm.js";
import { fromUnits } from "../bots/pool.js";
import type { Reserves } from "../bots/types.js";
import { applyNoise, type Market } from "./market.js";
import { GAS, type RunSettings, type StrategyRun } from "./types.js";

/** Profit (quote units) of borrowing `x` base from `cheap` and selling it into `dear`, or -1 if impossible. */
export function flashProfit(x: bigint, cheap: Reserves, dear: Reserves): bigint {
  if (x <= 0n || x >= cheap.base) return -1n;
  const repay = getAmountIn(x, cheap.quote, cheap.base);
  const proceeds = getAmountOut(x, dear.base, dear.quote);
  return proceeds - repay;
}

/** The size in (0, cheap.base) that maximises `flashProfit`, with its profit; size 0 if none pays. */
export function bestFlashTrade(cheap: Reserves, dear: Reserves): { size: bigint; profit: bigint } {
  let lo = 1n;
  let hi = cheap.base - 1n;
  while (hi - lo > 2n) {
    const m1 = lo + (hi - lo) / 3n;
    const m2 = hi - (hi - lo) / 3n;
    if (flashProfit(m1, cheap, dear) < flashProfit(m2, cheap, dear)) lo = m1 + 1n;
    else hi = m2 - 1n;
  }
  let best = { size: 0n, profit: 0n };
  for (let x = lo; x <= hi; x++) {
    const p = flashProfit(x, cheap, dear);
    if (p > best.profit) best = { size: x, profit: p };
  }
  return best;
}

export function runArbitrage(market: Market, settings: RunSettings): StrategyRun {
  const second: Reserves = { ...market.secondPool };
  const gasCost = GAS.arbitrage * settings.gasPrice;
  let profit = 0;
  let gas = 0;
  let trades = 0;
  let gapSum = 0;
  const values: number[] = [];
  for (const [i, step] of market.steps.entries()) {
    if (i > 0) {
      for (const amount of step.secondPoolFlow) applyNoise(second, amount);
      const main: Reserves = { ...step.pool };
      const mainPrice = Number(main.quote) / Number(main.base);
      const secondPrice = Number(second.quote) / Number(second.base);
      gapSum += Math.abs(secondPrice / mainPrice - 1);
      const [cheap, dear] = secondPrice < mainPrice ? [second, main] : [main, second];
      const trade = bestFlashTrade(cheap, dear);
      const gain = fromUnits(trade.profit);
      if (trade.size > 0n && gain > gasCost) {
        const repay = getAmountIn(trade.size, cheap.quote, cheap.base);
        const proceeds = getAmountOut(trade.size, dear.base, dear.quote);
        cheap.base -= trade.size;
        cheap.quote += repay;
        dear.base += trade.size;
        dear.quote -= proceeds;
        profit += gain - gasCost;
        gas += gasCost;
        trades++;
      }
    }
    values.push(profit);
  }
  return {
    name: "arbitrage",
    title: "Arbitrage (flash swap)",
    description:
      "No capital: flash-borrow WETH where it is cheaper, sell it where it is dearer, repay in the same transaction.",
    values,
    hold: market.steps.map(() => 0),
    costs: { gas, swapFees: 0 },
    stats: { trades, meanGap: gapSum / Math.max(1, market.steps.length - 1) },
  };
}
