/**
 * `weft strategies report`: every cash-flow strategy (staking, liquidity, lending, farming,
 * covered call, grid, DCA, arbitrage) over one simulated market, against holding; prints
 * the table and writes `report.json` and `report.html` (charts) to `--out`. No node needed:
 * the market is simulated from the seed with the contracts' own math (src/sdk/strategies).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { cashFlowHtml } from "../../sdk/strategies/html.js";
import { MarketOptionError } from "../../sdk/strategies/market.js";
import { cashFlowReport, formatCashFlowTable } from "../../sdk/strategies/report.js";
import { contextOf } from "../context.js";
import { toJson, UsageError } from "../output.js";

function number(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(text)}`);
  return n;
}

interface ReportOptions {
  seed: string;
  days: string;
  volatility: string;
  drift: string;
  capital: string;
  stepHours: string;
  out: string;
}

export function addStrategiesCommands(program: Command): void {
  const strategies = program
    .command("strategies")
    .description("the cash-flow strategies, compared on a simulated market");
  strategies
    .command("report")
    .description(
      "run staking, liquidity, lending, farming, a covered call, a grid, DCA and arbitrage over the same simulated market (a price path from --seed, with volume) and compare each with holding; writes report.json and report.html",
    )
    .option("--seed <n>", "the market's seed (the same seed, the same market)", "1")
    .option("--days <n>", "length of the simulation in days", "90")
    .option("--volatility <x>", "annual volatility of WETH's price", "0.8")
    .option("--drift <x>", "annual drift of WETH's log price", "0")
    .option("--capital <wusd>", "each strategy's starting capital, WUSD", "100000")
    .option("--step-hours <n>", "hours per step", "1")
    .option("--out <dir>", "where to write report.json and report.html", "strategies-report")
    .action(async (opts: ReportOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      let report: Awaited<ReturnType<typeof cashFlowReport>>;
      try {
        report = await cashFlowReport(
          {
            seed: number("seed", opts.seed),
            days: number("days", opts.days),
            volatility: number("volatility", opts.volatility),
            drift: number("drift", opts.drift),
            stepHours: number("step-hours", opts.stepHours),
          },
          { capital: number("capital", opts.capital) },
        );
      } catch (error) {
        if (error instanceof MarketOptionError || error instanceof RangeError)
          throw new UsageError(error.message);
        throw error;
      }
      const table = formatCashFlowTable(report);
      mkdirSync(opts.out, { recursive: true });
      const json = join(opts.out, "report.json");
      const html = join(opts.out, "report.html");
      writeFileSync(json, `${toJson(report)}\n`);
      writeFileSync(html, cashFlowHtml(report, table));
      ctx.out.result(
        { summaries: report.summaries, price: report.price, seed: report.seed, json, html },
        () => [
          `seed ${report.seed}: ${report.market.days} days, WETH ${report.price.start.toFixed(2)} → ${report.price.end.toFixed(2)} WUSD (low ${report.price.min.toFixed(2)}, high ${report.price.max.toFixed(2)}); ${report.settings.capital.toLocaleString("en-US")} WUSD each`,
          "",
          table,
          "",
          `wrote ${json} and ${html}`,
        ],
      );
    });
}
