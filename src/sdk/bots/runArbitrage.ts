/**
 * `npm run bots -- arbitrage live|backtest`: cross-pool arbitrage by flash swap, with no
 * capital (arbitrageBot.ts, contracts/src/flashArbitrage).
 *
 * - `live`: `LiveArbitrage` against a node's two WETH/WUSD pools, as the development account
 *   that owns the genesis's `flashArbitrage` (account 0), one look per tick; `--nudge`
 *   moves the second pool along a random walk from another account before each look, so a
 *   quiet development chain has gaps to close.
 * - `backtest`: the same search (`bestFlashTrade`) over the cash-flow report's simulated
 *   market (strategies/market.ts): the second pool gets its own noise trades and only this
 *   bot's arbitrage, the main pool follows the outside price.
 */
import { writeFileSync } from "node:fs";
import { runArbitrage } from "../strategies/arbitrage.js";
import { simulateMarket } from "../strategies/market.js";
import { type ArbitrageTick, LiveArbitrage } from "./arbitrageBot.js";
import { numberArg } from "./cliArgs.js";
import { LiveMarket } from "./liveMarket.js";
import { fromUnits } from "./pool.js";
import { type PricePoint, syntheticSeries } from "./series.js";

export type ArbitrageArgs = Record<string, string | boolean | undefined>;

const str = (a: ArbitrageArgs, k: string) => (typeof a[k] === "string" ? (a[k] as string) : undefined);

function writeJson(path: string | undefined, value: unknown): void {
  if (path === undefined) return;
  writeFileSync(path, `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  console.log(`\nwrote ${path}`);
}

export interface ArbitrageBacktestSummary {
  seed: number;
  days: number;
  trades: number;
  profit: number;
  gas: number;
  meanGap: number;
}

export function arbitrageBacktest(a: ArbitrageArgs): ArbitrageBacktestSummary {
  const seed = numberArg("seed", str(a, "seed"), { min: 0, max: 2 ** 32 - 1, integer: true }, 1);
  const days = numberArg("days", str(a, "days"), { min: 1, max: 365, integer: true }, 30);
  const volatility = numberArg("market-volatility", str(a, "market-volatility"), { min: 0, max: 5 }, 0.8);
  const gasPrice = numberArg("gas-price-wusd", str(a, "gas-price-wusd"), { min: 0, max: 1 }, 1e-9);
  const market = simulateMarket({ seed, days, volatility });
  const run = runArbitrage(market, { capital: 0, gasPrice });
  const summary: ArbitrageBacktestSummary = {
    seed,
    days,
    trades: Number(run.stats.trades),
    profit: run.values.at(-1) ?? 0,
    gas: run.costs.gas,
    meanGap: Number(run.stats.meanGap),
  };
  console.log(
    `arbitrage backtest: ${market.steps.length} hourly steps (${days} days, seed ${seed}, ${Math.round(volatility * 100)}% a year); a second pool of ${market.options.secondPoolBase} WETH with its own noise trades\n`,
  );
  console.log(
    [
      `trades             ${summary.trades}`,
      `profit             ${summary.profit.toFixed(2)} WUSD (after gas)`,
      `gas                ${summary.gas.toFixed(4)} WUSD`,
      `mean price gap     ${(summary.meanGap * 100).toFixed(3)}% between the pools before each look`,
      "capital            none: each trade is a flash swap repaid in the same transaction",
    ].join("\n"),
  );
  writeJson(str(a, "json"), { ...summary, values: run.values });
  return summary;
}

function describe(t: ArbitrageTick): string {
  const prices = `pool ${t.prices.pool.toFixed(2)}, pool2 ${t.prices.pool2.toFixed(2)}`;
  if (t.skipped !== undefined) return `${prices}: ${t.skipped}`;
  return `${prices}: borrowed ${fromUnits(t.size ?? 0n).toFixed(4)} WETH from ${t.cheap}, ${t.receipt?.status}, profit ${fromUnits(t.profit ?? 0n).toFixed(4)} WUSD (expected ${fromUnits(t.expected ?? 0n).toFixed(4)}), tx ${t.receipt?.txHash}`;
}

export async function arbitrageLive(a: ArbitrageArgs): Promise<ArbitrageTick[]> {
  const url = str(a, "url") ?? "http://127.0.0.1:8545";
  const seconds = numberArg("seconds", str(a, "seconds"), { min: 0, max: 86_400 * 30 }, 20);
  const tickMs = numberArg("tick-ms", str(a, "tick-ms"), { min: 0, max: 3_600_000, integer: true }, 1_000);
  const bot = await LiveArbitrage.connect({ url, tickMs });
  let nudge: ((step: number) => Promise<void>) | undefined;
  if (a.nudge === true) {
    const account = numberArg(
      "nudge-account",
      str(a, "nudge-account"),
      { min: 1, max: 10_000, integer: true },
      1,
    );
    const volatility = numberArg("volatility", str(a, "volatility"), { min: 0, max: 0.2 }, 0.01);
    const seed = numberArg("seed", str(a, "seed"), { min: 0, max: 2 ** 32 - 1, integer: true }, 7);
    const nudger = await LiveMarket.connect({ url, account, exchange: 2, slippage: 0.05 });
    await nudger.prepare();
    const first = (await bot.tick()).prices.pool;
    const path: PricePoint[] = syntheticSeries({ start: first, steps: 10_000, volatility, seed });
    nudge = async (step) => {
      await nudger.moveTo((path[step % path.length] as PricePoint).price);
    };
    console.log(
      `nudging pool2 from account ${account} along a random walk (${volatility * 100}% a step, seed ${seed})`,
    );
  }
  console.log(
    `live arbitrage: ${url}, account 0 (${bot.market.address}), ${seconds} s, ticks every ${tickMs} ms`,
  );
  const ticks: ArbitrageTick[] = [];
  const end = Date.now() + seconds * 1000;
  for (let step = 1; ; step++) {
    await nudge?.(step);
    const t = await bot.tick();
    ticks.push(t);
    console.log(`  ${describe(t)}`);
    if (Date.now() + tickMs >= end) break;
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  const done = ticks.filter((t) => t.receipt !== undefined);
  const profit = done.reduce((s, t) => s + (t.profit ?? 0n), 0n);
  const fees = done.reduce((s, t) => s + BigInt(t.receipt?.fee ?? 0), 0n);
  console.log(
    `\n${ticks.length} looks, ${done.length} arbitrages (${done.filter((t) => t.receipt?.status === "success").length} succeeded), profit ${fromUnits(profit).toFixed(4)} WUSD, fees ${fromUnits(fees).toFixed(6)} coin`,
  );
  writeJson(str(a, "json"), ticks);
  return ticks;
}
