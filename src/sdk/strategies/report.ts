/**
 * The cash-flow report: every strategy over the same simulated market (one seed), each set
 * against holding what it started with. `weft strategies report` prints its table and
 * writes it as JSON and HTML (`html.ts`).
 */
import { runArbitrage } from "./arbitrage.js";
import { runCoveredCall } from "./coveredCall.js";
import { runFarming } from "./farming.js";
import { runLending } from "./lending.js";
import { runLiquidity } from "./liquidity.js";
import { type Market, type MarketOptions, simulateMarket } from "./market.js";
import { runStaking } from "./staking.js";
import { runDca, runGrid } from "./trading.js";
import type { RunSettings, StrategyRun } from "./types.js";

export interface StrategySummary {
  name: string;
  title: string;
  start: number;
  end: number;
  /** end − start, WUSD. */
  pnl: number;
  /** The starting holdings' value at the end. */
  holdEnd: number;
  /** end − holdEnd: what the strategy earned against holding, WUSD. */
  vsHold: number;
  /** pnl / start, annualised by simple scaling (undefined with no starting capital). */
  apr?: number;
  /** Largest fall from a previous high, as a share of that high (0 when it never fell). */
  maxDrawdown: number;
  costs: StrategyRun["costs"];
}

export interface CashFlowReport {
  seed: number;
  market: Market["options"];
  settings: RunSettings;
  /** First and last outside price, and the pool's price path summary. */
  price: { start: number; end: number; min: number; max: number };
  times: number[];
  prices: number[];
  runs: StrategyRun[];
  summaries: StrategySummary[];
}

export function summarize(run: StrategyRun, years: number): StrategySummary {
  const start = run.values[0] ?? 0;
  const end = run.values.at(-1) ?? 0;
  const holdEnd = run.hold.at(-1) ?? 0;
  let high = Number.NEGATIVE_INFINITY;
  let maxDrawdown = 0;
  for (const v of run.values) {
    high = Math.max(high, v);
    if (high > 0) maxDrawdown = Math.max(maxDrawdown, (high - v) / high);
  }
  const summary: StrategySummary = {
    name: run.name,
    title: run.title,
    start,
    end,
    pnl: end - start,
    holdEnd,
    vsHold: end - holdEnd,
    maxDrawdown,
    costs: run.costs,
  };
  if (start > 0 && years > 0) summary.apr = (end - start) / start / years;
  return summary;
}

export const DEFAULT_SETTINGS: RunSettings = { capital: 100_000, gasPrice: 1e-9 };

export async function cashFlowReport(
  options: MarketOptions,
  settings: Partial<RunSettings> = {},
): Promise<CashFlowReport> {
  const s = { ...DEFAULT_SETTINGS, ...settings };
  if (!(s.capital > 0 && s.capital <= 1e12))
    throw new RangeError(`capital must be in (0, 1e12] WUSD, got ${s.capital}`);
  if (!(s.gasPrice >= 0 && s.gasPrice <= 1))
    throw new RangeError(`gasPrice must be in [0, 1] coin per gas, got ${s.gasPrice}`);
  const market = simulateMarket(options);
  const runs = [
    runStaking(market, s),
    runLiquidity(market, s),
    runLending(market, s),
    runFarming(market, s),
    runCoveredCall(market, s),
    await runGrid(market, s),
    await runDca(market, s),
    runArbitrage(market, s),
  ];
  const years = ((market.steps.length - 1) * market.stepMs) / (365 * 24 * 3_600_000);
  const prices = market.steps.map((p) => p.price);
  return {
    seed: market.options.seed,
    market: market.options,
    settings: s,
    price: {
      start: prices[0] ?? 0,
      end: prices.at(-1) ?? 0,
      min: Math.min(...prices),
      max: Math.max(...prices),
    },
    times: market.steps.map((p) => p.time),
    prices,
    runs,
    summaries: runs.map((r) => summarize(r, years)),
  };
}

const money = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
const percent = (v: number | undefined) => (v === undefined ? "-" : `${(v * 100).toFixed(1)}%`);

/** The summary as a text table. */
export function formatCashFlowTable(report: CashFlowReport): string {
  const rows = [["strategy", "start", "end", "P&L", "vs hold", "APR", "max drawdown", "gas + fees"]];
  for (const s of report.summaries)
    rows.push([
      s.title,
      money(s.start),
      money(s.end),
      money(s.pnl),
      money(s.vsHold),
      percent(s.apr),
      percent(s.maxDrawdown),
      (s.costs.gas + s.costs.swapFees).toFixed(2),
    ]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
    )
    .join("\n");
}
