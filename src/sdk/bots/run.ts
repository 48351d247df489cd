/**
 * The bots' command line: `backtest`, `live`, `arbitrage` and `generate`, every option in
 * `USAGE` below (what `--help` prints). The covered-call and arbitrage bots live in
 * runCoveredCall.ts and runArbitrage.ts. Bad usage exits 2, a failed run 1.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BacktestMarket } from "./backtestMarket.js";
import { BotUsageError } from "./cliArgs.js";
import { ManagerError } from "./coveredCall.js";
import { BacktestError } from "./coveredCallBacktest.js";
import { DcaStrategy } from "./dca.js";
import { formatReport, reportToJson } from "./format.js";
import { GridStrategy } from "./grid.js";
import { LiveMarket } from "./liveMarket.js";
import { fromUnits, toUnits } from "./pool.js";
import { arbitrageBacktest, arbitrageLive } from "./runArbitrage.js";
import { runBot } from "./runBot.js";
import { coveredCallBacktest, coveredCallLive } from "./runCoveredCall.js";
import { SAMPLE_SERIES_PARAMS, sampleSeriesPath } from "./sample.js";
import {
  loadSeries,
  type PricePoint,
  type SyntheticOptions,
  seriesToCsv,
  syntheticSeries,
} from "./series.js";
import type { Execution, Strategy } from "./types.js";

const USAGE = `usage: npm run bots -- <command> [options]   (or: node dist/src/sdk/bots/run.js <command> ...)

A trading bot on the WETH/WUSD pool (a grid, or dollar-cost averaging), an option vault's
manager writing covered calls, or cross-pool arbitrage by flash swap, replayed over a price
series or live on a node.

commands:
  backtest   replay the grid over a price series (the recorded sample unless told otherwise)
  live       trade on a running node's pool (start one first: npm start)
  arbitrage live|backtest   the flash-swap arbitrage bot (same as live|backtest --strategy arbitrage)
  generate   write a synthetic price series as CSV

backtest options:
  --series <file.csv|.json>   prices to replay (default: the recorded WETH/WUSD sample)
  --synthetic                 a random walk instead: --steps 240 --seed 7 --volatility 0.006 --drift 0 --start 2000
  --base 10 --quote 25000 --coin 1 --pool 1000   starting balances and the pool's depth
  --gas-per-swap 500000 --gas-price 1            the cost charged per swap

live options:
  --url http://127.0.0.1:8545   the node's JSON-RPC URL
  --account 0                   the development account that trades
  --seconds 20 --tick-ms 1000   how long to run and how often to look at the price
  --nudge                       move the pool along a random walk from --nudge-account 1 before each tick
                                (--volatility 0.004 --seed 7), so a quiet dev chain has prices to trade on

generate options:
  --steps 240 --seed 7 --volatility 0.006 --start 2000 [--out file.csv]

strategy (backtest and live):
  --strategy grid|dca|covered-call|arbitrage   the grid (default), dollar-cost averaging, the
                                covered-call vault's manager, or flash-swap arbitrage

covered-call options (the manager rolls the vault each Friday 08:00 UTC: strike spot × (1 + otm)
rounded up to the step, premium by Black–Scholes at the volatility estimate, within the bounds):
  --vault calls|puts            the dev genesis's covered-call (default) or put vault (live: or an address)
  --vol-fallback 0.8 --vol-window-hours 168 --vol-min-samples 24
                                realized volatility of the prices seen in the window, or the fallback
  backtest: --days 90 --seed 7 --market-volatility 0.8 --start 2000 (an hourly synthetic series
            unless --series), --capital 100 (WETH; puts: 200000 WUSD), --sold 1 (share bought),
            --otm-bps 1000 --strike-step 100 --min-premium 0.001 --max-premium 0.2 (the vault's rules)
  live:     --account 0 (the vault's manager), --post-price (dev chains: post the pool's price on the
            options oracle once a round expired), --fast-forward (dev chains: move the clock to each expiry)

arbitrage options:
  backtest: --seed 1 --days 30 --market-volatility 0.8 --gas-price-wusd 1e-9 (the simulated market)
  live:     --nudge [--nudge-account 1 --volatility 0.01 --seed 7] moves pool2 along a random walk

dca options:
  --amount 1000 --every 10 [--buys <n>]   WUSD spent per buy, ticks between buys, how many buys

grid options:
  --levels 10 --lower <price> --upper <price> --spacing arithmetic|geometric --size <base per order>
  the grid spans ±10% of the first price (backtest) or ±2% of the pool's price (live) unless told

output:
  --json <file>   also write the report as JSON
  --help          this text

examples:
  npm run bots -- backtest
  npm run bots -- live --seconds 20 --nudge
  npm run bots -- backtest --strategy dca --amount 500 --every 24
  npm run bots -- backtest --strategy covered-call --days 120
  npm run bots -- live --strategy covered-call --post-price --fast-forward --seconds 10
  npm run bots -- arbitrage backtest --seed 3
  npm run bots -- arbitrage live --nudge --seconds 20`;

const OPTIONS = {
  series: { type: "string" },
  synthetic: { type: "boolean", default: false },
  steps: { type: "string" },
  seed: { type: "string" },
  volatility: { type: "string" },
  drift: { type: "string" },
  start: { type: "string" },
  strategy: { type: "string", default: "grid" },
  amount: { type: "string", default: "1000" },
  every: { type: "string", default: "10" },
  buys: { type: "string" },
  levels: { type: "string", default: "10" },
  lower: { type: "string" },
  upper: { type: "string" },
  spacing: { type: "string", default: "arithmetic" },
  size: { type: "string" },
  base: { type: "string", default: "10" },
  quote: { type: "string", default: "25000" },
  coin: { type: "string", default: "1" },
  pool: { type: "string", default: "1000" },
  "gas-per-swap": { type: "string", default: "500000" },
  "gas-price": { type: "string", default: "1" },
  json: { type: "string" },
  url: { type: "string", default: "http://127.0.0.1:8545" },
  account: { type: "string", default: "0" },
  seconds: { type: "string", default: "20" },
  "tick-ms": { type: "string", default: "1000" },
  nudge: { type: "boolean", default: false },
  "nudge-account": { type: "string", default: "1" },
  out: { type: "string" },
  vault: { type: "string" },
  capital: { type: "string" },
  sold: { type: "string" },
  days: { type: "string" },
  "market-volatility": { type: "string" },
  "otm-bps": { type: "string" },
  "strike-step": { type: "string" },
  "min-premium": { type: "string" },
  "max-premium": { type: "string" },
  "vol-fallback": { type: "string" },
  "vol-window-hours": { type: "string" },
  "vol-min-samples": { type: "string" },
  "post-price": { type: "boolean", default: false },
  "fast-forward": { type: "boolean", default: false },
  "gas-price-wusd": { type: "string" },
  help: { type: "boolean", default: false },
} as const;

/** Bad usage exits 2 with the help text, like the weft command. */
function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof OPTIONS }>>;
try {
  parsed = parseArgs({ allowPositionals: true, options: OPTIONS });
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
const { values: a, positionals } = parsed;

function grid(firstPrice: number, width: number, size: string): GridStrategy {
  const lower = a.lower === undefined ? firstPrice * (1 - width) : Number(a.lower);
  const upper = a.upper === undefined ? firstPrice * (1 + width) : Number(a.upper);
  return new GridStrategy({
    lower,
    upper,
    levels: Number(a.levels),
    orderSize: toUnits(a.size ?? size),
    spacing: a.spacing === "geometric" ? "geometric" : "arithmetic",
  });
}

/** The strategy --strategy names: the grid (spanning ±width of the first price) or DCA. */
function strategyFor(firstPrice: number, width: number, size: string): Strategy {
  if (a.strategy === "grid") return grid(firstPrice, width, size);
  if (a.strategy !== "dca") usageError(`--strategy: grid, dca, covered-call or arbitrage, not ${a.strategy}`);
  const every = Number(a.every);
  const buys = a.buys === undefined ? undefined : Number(a.buys);
  if (!Number.isInteger(every) || every < 1) usageError(`--every: a whole number of ticks, not ${a.every}`);
  if (buys !== undefined && !(Number.isInteger(buys) && buys >= 0))
    usageError(`--buys: a whole number, not ${a.buys}`);
  let amount: bigint;
  try {
    amount = toUnits(a.amount as string);
  } catch {
    usageError(`--amount: a WUSD amount, not ${a.amount}`);
  }
  if (amount <= 0n) usageError(`--amount: more than 0, not ${a.amount}`);
  return new DcaStrategy({ quoteAmount: amount, everyTicks: every, ...(buys === undefined ? {} : { buys }) });
}

function levelsOf(strategy: Strategy): string {
  return strategy instanceof GridStrategy
    ? `levels ${strategy.levels.map((l) => l.toFixed(2)).join(", ")}`
    : `dca: ${a.amount} WUSD every ${a.every} ticks${a.buys === undefined ? "" : `, ${a.buys} buys`}`;
}

function syntheticOptions(start: number, defaults = SAMPLE_SERIES_PARAMS): SyntheticOptions {
  return {
    ...defaults,
    start,
    steps: Number(a.steps ?? defaults.steps),
    seed: Number(a.seed ?? defaults.seed),
    volatility: Number(a.volatility ?? defaults.volatility),
    drift: Number(a.drift ?? defaults.drift ?? 0),
  };
}

function synthetic(start: number, defaults = SAMPLE_SERIES_PARAMS): PricePoint[] {
  return syntheticSeries(syntheticOptions(start, defaults));
}

function finish(report: Parameters<typeof formatReport>[0]): void {
  console.log(formatReport(report));
  if (a.json !== undefined) {
    writeFileSync(a.json, `${JSON.stringify(reportToJson(report), null, 2)}\n`);
    console.log(`\nwrote ${a.json}`);
  }
}

async function backtest(): Promise<void> {
  let series: PricePoint[];
  let source: string;
  if (a.synthetic) {
    series = synthetic(Number(a.start ?? SAMPLE_SERIES_PARAMS.start));
    source = `synthetic (seed ${a.seed ?? SAMPLE_SERIES_PARAMS.seed}, ${series.length} steps)`;
  } else {
    source = a.series ?? sampleSeriesPath();
    series = loadSeries(source);
  }
  const first = (series[0] as PricePoint).price;
  const strategy = strategyFor(first, 0.1, "1");
  const market = new BacktestMarket({
    series,
    holdings: {
      base: toUnits(a.base as string),
      quote: toUnits(a.quote as string),
      coin: toUnits(a.coin as string),
    },
    poolBase: toUnits(a.pool as string),
    gasPerSwap: BigInt(a["gas-per-swap"] as string),
    gasPrice: BigInt(a["gas-price"] as string),
  });
  console.log(
    `backtest: ${series.length} prices from ${source}; pool ${a.pool} WETH; ${levelsOf(strategy)}\n`,
  );
  const report = await runBot(market, strategy);
  finish(report);
  console.log(
    `\narbitrage trades moving the pool to the series: ${market.arbitrageTrades} (${fromUnits(market.arbitrageBase).toFixed(2)} WETH)`,
  );
}

function describe(e: Execution): string {
  if (e.status === "filled") {
    const f = e.fill;
    return `${f.side} ${fromUnits(f.baseAmount)} WETH at ${f.price.toFixed(2)} (gas ${f.gasFeeCoin})`;
  }
  return `${e.order.side} ${fromUnits(e.order.baseAmount)} WETH rejected: ${e.reason}`;
}

async function live(): Promise<void> {
  const url = a.url as string;
  const seconds = Number(a.seconds);
  const market = await LiveMarket.connect({
    url,
    account: Number(a.account),
    tickMs: Number(a["tick-ms"]),
    durationMs: seconds * 1000,
  });
  const first = await market.snapshot();
  const strategy = strategyFor(first.price, 0.02, "0.5");
  console.log(
    `live: ${url}, account ${a.account} (${market.address}), ${seconds} s, ticks every ${a["tick-ms"]} ms; pool price ${first.price.toFixed(2)}; ${levelsOf(strategy)}`,
  );
  let beforeTick: ((step: number) => Promise<void>) | undefined;
  if (a.nudge) {
    const nudger = await LiveMarket.connect({ url, account: Number(a["nudge-account"]), slippage: 0.05 });
    await nudger.prepare();
    const path = synthetic(first.price, { ...SAMPLE_SERIES_PARAMS, volatility: 0.004, steps: 10_000 });
    console.log(
      `nudging the pool from account ${a["nudge-account"]} along a random walk (seed ${a.seed ?? 7})`,
    );
    beforeTick = async (step) => {
      await nudger.moveTo((path[step % path.length] as PricePoint).price);
    };
  }
  const report = await runBot(market, strategy, {
    ...(beforeTick === undefined ? {} : { beforeTick }),
    onTick: (s, executions) => {
      const what = executions.length === 0 ? "-" : executions.map(describe).join("; ");
      console.log(`  tick ${s.step} price ${s.price.toFixed(2)}: ${what}`);
    },
  });
  console.log("");
  finish(report);
}

function generate(): void {
  const options = syntheticOptions(Number(a.start ?? SAMPLE_SERIES_PARAMS.start));
  const series = syntheticSeries(options);
  const csv = seriesToCsv(
    series,
    `synthetic geometric random walk (src/sdk/bots/series.ts syntheticSeries):\n${JSON.stringify(options)}`,
  );
  if (a.out === undefined) process.stdout.write(csv);
  else {
    writeFileSync(a.out, csv);
    console.log(`wrote ${series.length} prices to ${a.out}`);
  }
}

const command = positionals[0];
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
if (command === undefined) usageError("which command? backtest, live, arbitrage or generate");
/** The command with its strategy: `arbitrage live|backtest` is `live|backtest --strategy arbitrage`. */
function resolved(): { mode: string; strategy: string } {
  if (command !== "arbitrage") return { mode: command as string, strategy: a.strategy as string };
  const mode = positionals[1];
  if (mode !== "live" && mode !== "backtest") usageError("arbitrage: live or backtest?");
  return { mode, strategy: "arbitrage" };
}
try {
  const { mode, strategy } = resolved();
  if (mode === "backtest" && strategy === "covered-call") coveredCallBacktest(a);
  else if (mode === "live" && strategy === "covered-call") await coveredCallLive(a);
  else if (mode === "backtest" && strategy === "arbitrage") arbitrageBacktest(a);
  else if (mode === "live" && strategy === "arbitrage") await arbitrageLive(a);
  else if (mode === "backtest") await backtest();
  else if (mode === "live") await live();
  else if (mode === "generate") generate();
  else usageError(`unknown command ${command}: backtest, live, arbitrage or generate`);
} catch (error) {
  if (error instanceof BotUsageError) usageError(error.message);
  const bad = error instanceof BacktestError || (error instanceof ManagerError && error.code !== "BAD_PRICE");
  console.error(error instanceof Error ? error.message : error);
  process.exit(bad ? 2 : 1);
}
