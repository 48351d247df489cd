/**
 * `npm run bots -- backtest|live --strategy covered-call`: the covered-call bot as an option
 * vault's manager (coveredCall.ts), replayed over a price series or live on a node. Its
 * options are read here, each within bounds (cliArgs.ts); `run.ts` dispatches to it.
 */
import { writeFileSync } from "node:fs";
import { amountArg, BotUsageError, choiceArg, numberArg } from "./cliArgs.js";
import type { VaultRules } from "./coveredCall.js";
import { backtestCoveredCall, type CoveredCallBacktestReport } from "./coveredCallBacktest.js";
import { type CoveredCallTick, LiveCoveredCall } from "./coveredCallLive.js";
import { formatTable } from "./format.js";
import { fromUnits } from "./pool.js";
import { loadSeries, type PricePoint, syntheticSeries } from "./series.js";
import type { VolatilityOptions } from "./volatility.js";

const HOUR_MS = 3_600_000;

/** The option values these commands read (strings as parseArgs gives them). */
export type CoveredCallArgs = Record<string, string | boolean | undefined>;

const str = (a: CoveredCallArgs, k: string) => (typeof a[k] === "string" ? (a[k] as string) : undefined);

function volatilityOptions(a: CoveredCallArgs): VolatilityOptions {
  return {
    fallback: numberArg("vol-fallback", str(a, "vol-fallback"), { min: 0.05, max: 5 }, 0.8),
    windowMs:
      numberArg("vol-window-hours", str(a, "vol-window-hours"), { min: 1, max: 24 * 366 }, 168) * HOUR_MS,
    minSamples: numberArg(
      "vol-min-samples",
      str(a, "vol-min-samples"),
      { min: 1, max: 100_000, integer: true },
      24,
    ),
  };
}

/** The vault rules for a backtest: the dev genesis's unless told (strike step and premiums in whole units and fractions). */
function rulesOf(a: CoveredCallArgs, isPut: boolean): VaultRules {
  const minPremium = numberArg("min-premium", str(a, "min-premium"), { min: 0, max: 1 }, 0.001);
  const maxPremium = numberArg("max-premium", str(a, "max-premium"), { min: 0, max: 1 }, 0.2);
  if (minPremium > maxPremium)
    throw new BotUsageError(`--min-premium ${minPremium} is above --max-premium ${maxPremium}`);
  return {
    isPut,
    otmBps: BigInt(numberArg("otm-bps", str(a, "otm-bps"), { min: 0, max: 9_999, integer: true }, 1_000)),
    strikeStep: amountArg("strike-step", str(a, "strike-step") ?? "100", 1e12),
    minPremium: BigInt(Math.round(minPremium * 1e6)) * 10n ** 12n,
    maxPremium: BigInt(Math.round(maxPremium * 1e6)) * 10n ** 12n,
  };
}

const wad = (v: bigint | undefined, digits = 2) => (v === undefined ? "-" : fromUnits(v).toFixed(digits));
const day = (seconds: bigint) =>
  new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ");

export function formatCoveredCall(r: CoveredCallBacktestReport): string {
  const unit = r.kind === "covered-call" ? "WETH" : "WUSD";
  const rows = r.rounds.map((x) => [
    String(x.round),
    day(x.startTime),
    wad(x.spot),
    wad(x.strike, 0),
    day(x.expiry),
    `${(x.volatility * 100).toFixed(1)}%${x.volatilitySource === "fallback" ? "*" : ""}`,
    `${(fromUnits(x.premiumRate) * 100).toFixed(3)}%`,
    wad(x.premiumCollected, 4),
    wad(x.settlementPrice),
    wad(x.payout, 4),
    wad(x.pricePerShare, 6),
  ]);
  return [
    formatTable(
      [
        "round",
        "start",
        "spot",
        "strike",
        "expiry",
        "vol",
        "premium",
        `collected ${unit}`,
        "settled",
        `payout ${unit}`,
        "share price",
      ],
      rows,
    ),
    "(* the fallback volatility: too few prices seen yet)",
    "",
    `${r.kind}: ${r.rounds.length} rounds over ${r.points} prices, ${r.firstPrice.toFixed(2)} → ${r.lastPrice.toFixed(2)}`,
    `premiums ${wad(r.premiums, 4)} ${unit}, payouts ${wad(r.payouts, 4)} ${unit}`,
    `capital ${wad(r.capital, 4)} ${unit} → ${wad(r.finalAssets, 4)} ${unit} (share price ${wad(r.finalPricePerShare, 6)})`,
    `vs holding: ${r.vsHold >= 0n ? "+" : ""}${wad(r.vsHold, 4)} ${unit}${r.kind === "covered-call" ? ` (${r.vsHoldQuote.toFixed(2)} WUSD at the last price)` : ""}`,
  ].join("\n");
}

function writeJson(path: string | undefined, value: unknown): void {
  if (path === undefined) return;
  writeFileSync(path, `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  console.log(`\nwrote ${path}`);
}

export function coveredCallBacktest(a: CoveredCallArgs): CoveredCallBacktestReport {
  const isPut = choiceArg("vault", str(a, "vault"), ["calls", "puts"], "calls") === "puts";
  let series: PricePoint[];
  let source: string;
  if (str(a, "series") !== undefined && a.synthetic !== true) {
    source = str(a, "series") as string;
    series = loadSeries(source);
  } else {
    const days = numberArg("days", str(a, "days"), { min: 1, max: 3_650, integer: true }, 90);
    const seed = numberArg("seed", str(a, "seed"), { min: 0, max: 2 ** 32 - 1, integer: true }, 7);
    const annual = numberArg("market-volatility", str(a, "market-volatility"), { min: 0, max: 5 }, 0.8);
    const start = numberArg("start", str(a, "start"), { min: 0.000001, max: 1e12 }, 2_000);
    series = syntheticSeries({
      start,
      steps: days * 24 + 1,
      volatility: annual / Math.sqrt(365 * 24),
      seed,
      startTime: Date.UTC(2026, 0, 1),
      stepMs: HOUR_MS,
    });
    source = `synthetic, hourly for ${days} days, ${Math.round(annual * 100)}% a year, seed ${seed}`;
  }
  const capital = amountArg("capital", str(a, "capital") ?? (isPut ? "200000" : "100"), 1e15);
  const report = backtestCoveredCall({
    series,
    rules: rulesOf(a, isPut),
    capital,
    soldShare: numberArg("sold", str(a, "sold"), { min: 0, max: 1 }, 1),
    volatility: volatilityOptions(a),
  });
  console.log(`covered-call backtest: ${series.length} prices from ${source}\n`);
  console.log(formatCoveredCall(report));
  writeJson(str(a, "json"), report);
  return report;
}

function describeTick(t: CoveredCallTick): string {
  const spot = fromUnits(t.spot).toFixed(2);
  if (t.decision.action === "wait") return `round ${t.round}, spot ${spot}: ${t.decision.reason}`;
  const d = t.decision;
  const posted = t.posted === undefined ? "" : `posted ${fromUnits(t.posted).toFixed(2)}; `;
  return `${posted}rolled round ${t.round} → ${t.started}: strike ${fromUnits(d.strike).toFixed(0)}, expiry ${day(d.expiry)}, vol ${(d.volatility.volatility * 100).toFixed(1)}% (${d.volatility.source}), premium ${((Number(d.premiumRate) / 1e18) * 100).toFixed(3)}% (Black–Scholes ${((Number(d.fairRate) / 1e18) * 100).toFixed(3)}%), tx ${t.receipt?.txHash ?? "-"}`;
}

export async function coveredCallLive(a: CoveredCallArgs): Promise<CoveredCallTick[]> {
  const seconds = numberArg("seconds", str(a, "seconds"), { min: 0, max: 86_400 * 30 }, 20);
  const tickMs = numberArg("tick-ms", str(a, "tick-ms"), { min: 0, max: 3_600_000, integer: true }, 1_000);
  const account = numberArg("account", str(a, "account"), { min: 0, max: 10_000, integer: true }, 0);
  const vault = str(a, "vault") ?? "calls";
  if (!/^(calls|puts|0x[0-9a-f]{40})$/.test(vault))
    throw new BotUsageError(
      `--vault: calls, puts or a vault's address (0x + 40 lowercase hex), not ${JSON.stringify(vault)}`,
    );
  const bot = await LiveCoveredCall.connect({
    url: str(a, "url") ?? "http://127.0.0.1:8545",
    vault: vault as "calls",
    account,
    volatility: volatilityOptions(a),
    postPrice: a["post-price"] === true,
    fastForward: a["fast-forward"] === true,
  });
  const ticks: CoveredCallTick[] = [];
  try {
    console.log(
      `live covered-call manager: vault ${bot.info.vault} (${bot.info.isPut ? "puts" : "calls"}), account ${account} (${bot.account.address}), ${seconds} s, ticks every ${tickMs} ms`,
    );
    const end = Date.now() + seconds * 1000;
    for (;;) {
      const t = await bot.tick();
      ticks.push(t);
      console.log(`  ${describeTick(t)}`);
      if (Date.now() + tickMs >= end) break;
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    const rolls = ticks.filter((t) => t.decision.action === "roll").length;
    console.log(`\n${ticks.length} looks, ${rolls} rolls`);
    writeJson(
      str(a, "json"),
      ticks.map(({ receipt, ...t }) => ({ ...t, txHash: receipt?.txHash })),
    );
  } finally {
    await bot.close();
  }
  return ticks;
}
