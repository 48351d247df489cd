/**
 * The cash-flow strategies (src/sdk/strategies) and `weft strategies report`: the simulated
 * market is the same for the same seed; each strategy's figures follow from its own
 * formula (impermanent loss, the lending rate model, the stake's share of block rewards,
 * the covered call's premiums and payouts, a flash arbitrage that cannot be improved);
 * the DCA bot spends what it should; the command writes JSON and HTML and refuses bad
 * options with exit 2.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BacktestMarket } from "../../../src/sdk/bots/backtestMarket.js";
import { DcaStrategy } from "../../../src/sdk/bots/dca.js";
import { isqrt, toUnits } from "../../../src/sdk/bots/pool.js";
import { runBot } from "../../../src/sdk/bots/runBot.js";
import {
  bestFlashTrade,
  borrowRatePerSecond,
  cashFlowReport,
  flashProfit,
  GENESIS_RATE_MODEL,
  MarketOptionError,
  nextFridayExpiry,
  runArbitrage,
  runCoveredCall,
  runLending,
  runLiquidity,
  runStaking,
  simulateMarket,
  supplyRatePerSecond,
} from "../../../src/sdk/strategies/index.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const SETTINGS = { capital: 100_000, gasPrice: 0 };

describe("the simulated market", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = simulateMarket({ seed: 7, days: 5 });
    assert.deepEqual(simulateMarket({ seed: 7, days: 5 }), a);
    assert.equal(a.steps.length, 5 * 24 + 1);
    assert.notDeepEqual(simulateMarket({ seed: 8, days: 5 }).steps.at(-1), a.steps.at(-1));
    // The arbitrageur leaves the main pool at the outside price, within its 0.3% fee.
    for (const s of a.steps.slice(1)) {
      const poolPrice = Number(s.pool.quote) / Number(s.pool.base);
      assert.ok(Math.abs(poolPrice / s.price - 1) < 0.004, `pool ${poolPrice} vs outside ${s.price}`);
      assert.ok(s.poolFees > 0 && s.utilisation > 0 && s.utilisation < 1 && s.rewardPrice > 0);
    }
  });

  it("refuses options out of range with a typed error naming the option", () => {
    for (const [option, value] of [
      ["days", 0],
      ["volatility", -1],
      ["utilisation", 1],
      ["tradesPerStep", 0.5],
      ["seed", 1.5],
      ["days", 1e9],
    ] as const) {
      assert.throws(
        () => simulateMarket({ seed: 1, [option]: value }),
        (e: unknown) =>
          e instanceof MarketOptionError && e.option === option && e.code === "BAD_MARKET_OPTION",
      );
    }
  });
});

describe("isqrt", () => {
  it("is the floor square root for small, 1e45-sized and past-float-range numbers", () => {
    const cases = [
      2n,
      3n,
      4n,
      99n,
      10n ** 45n + 12345n,
      2n ** 200n - 1n,
      2n ** 1100n + 7n,
      (10n ** 30n + 1n) ** 2n,
    ];
    for (const n of cases) {
      const r = isqrt(n);
      assert.ok(r * r <= n && (r + 1n) * (r + 1n) > n, `isqrt(${n}) = ${r}`);
    }
  });
});

describe("each strategy's figures", () => {
  it("liquidity: with no noise trades, the position is hold × 2√r/(1+r) before fees", () => {
    const market = simulateMarket({ seed: 3, days: 10, dailyVolumeShare: 1e-9 });
    const run = runLiquidity(market, SETTINGS);
    const first = market.steps[0]?.price ?? 0;
    const last = market.steps.at(-1)?.price ?? 0;
    const r = last / first;
    const il = (2 * Math.sqrt(r)) / (1 + r) - 1;
    const ratio = (run.values.at(-1) ?? 0) / (run.hold.at(-1) ?? 1) - 1;
    // What the arbitrage leaves in fees makes the LP slightly better than the formula, never worse.
    assert.ok(ratio >= il - 1e-9 && ratio - il < 0.01, `LP/hold - 1 = ${ratio}, IL = ${il}`);
    assert.equal(run.stats.impermanentLoss, il);
  });

  it("lending: the supply rate is the kinked borrow rate × utilisation × (1 − reserve factor), compounded per step", () => {
    const m = GENESIS_RATE_MODEL;
    assert.equal(borrowRatePerSecond(m, 0.5), 1e-9 + 0.5 * 5e-9);
    assert.ok(Math.abs(borrowRatePerSecond(m, 0.9) - (1e-9 + 0.8 * 5e-9 + 0.1 * 1e-7)) < 1e-20);
    const market = simulateMarket({ seed: 4, days: 3 });
    const run = runLending(market, SETTINGS);
    let expected = SETTINGS.capital;
    for (const s of market.steps.slice(1)) expected *= 1 + supplyRatePerSecond(m, s.utilisation) * 3600;
    assert.ok(Math.abs((run.values.at(-1) ?? 0) - expected) < 1e-6);
  });

  it("staking: rewards are the stake's share of the block rewards less commission", () => {
    const market = simulateMarket({ seed: 5, days: 1 });
    const run = runStaking(market, SETTINGS, {
      blockReward: 2,
      totalStake: 1e9,
      commission: 0.2,
      compoundHours: 1e6,
    });
    const perHour = 2 * 3600 * (1e5 / (1e9 + 1e5)) * 0.8;
    assert.ok(Math.abs(Number(run.stats.rewards) - 24 * perHour) < 1e-6);
  });

  it("covered call: end value = hold + premiums − payouts − open option − costs (when no WETH was sold)", () => {
    const market = simulateMarket({ seed: 6, days: 30, volatility: 0.3 });
    const run = runCoveredCall(market, SETTINGS);
    const s = run.stats as Record<string, number>;
    assert.ok((s.rounds ?? 0) >= 4 && (s.premiums ?? 0) > 0);
    if (run.costs.swapFees === 0) {
      const expected = (run.hold.at(-1) ?? 0) + (s.premiums ?? 0) - (s.payouts ?? 0) - (s.openLiability ?? 0);
      assert.ok(Math.abs((run.values.at(-1) ?? 0) - expected) < 1e-6, `${run.values.at(-1)} vs ${expected}`);
    }
  });

  it("covered call: rounds expire on Fridays at 08:00 UTC, at an expiry the next one", () => {
    assert.equal(nextFridayExpiry(1_609_891_200_000), 1_610_092_800_000);
    assert.equal(nextFridayExpiry(1_610_092_800_000), 1_610_697_600_000);
    assert.equal(new Date(nextFridayExpiry(Date.UTC(2026, 11, 6))).toISOString(), "2026-12-11T08:00:00.000Z");
  });

  it("arbitrage: the chosen size beats its neighbours, and profit never goes down", () => {
    const cheap = { base: toUnits(200), quote: toUnits(390_000) };
    const dear = { base: toUnits(1_000), quote: toUnits(2_000_000) };
    const best = bestFlashTrade(cheap, dear);
    assert.ok(best.profit > 0n);
    for (const d of [1n, 10n ** 15n, best.size / 10n])
      for (const x of [best.size - d, best.size + d]) assert.ok(flashProfit(x, cheap, dear) <= best.profit);
    // Pools at the same price: nothing pays after two fees.
    assert.equal(bestFlashTrade({ ...dear }, { ...dear }).size, 0n);
    const run = runArbitrage(simulateMarket({ seed: 2, days: 3 }), SETTINGS);
    for (let i = 1; i < run.values.length; i++) assert.ok((run.values[i] ?? 0) >= (run.values[i - 1] ?? 0));
  });

  it("DCA: equal buys on schedule, never more quote than it has", async () => {
    const series = Array.from({ length: 25 }, (_, i) => ({ time: i * 3_600_000, price: 2_000 + i * 10 }));
    const strategy = new DcaStrategy({ quoteAmount: toUnits(1_000), everyTicks: 6, buys: 4 });
    const market = new BacktestMarket({
      series,
      holdings: { base: 0n, quote: toUnits(3_500), coin: toUnits(1) },
    });
    const report = await runBot(market, strategy);
    // Buys at ticks 0, 6, 12; at ticks 18 and 24 only 500 is left, less than a slice: skipped.
    assert.equal(report.buys, 3);
    assert.equal(strategy.stats().skipped, 2);
    assert.ok(report.final.holdings.quote >= toUnits(500) && report.final.holdings.base > 0n);
    assert.throws(() => new DcaStrategy({ quoteAmount: 0n, everyTicks: 1 }), /quoteAmount/);
  });
});

describe("the cash-flow report", () => {
  it("runs the eight strategies over one market", async () => {
    const report = await cashFlowReport({ seed: 11, days: 14 });
    assert.deepEqual(
      report.runs.map((r) => r.name),
      ["staking", "lp", "lending", "farming", "covered-call", "grid", "dca", "arbitrage"],
    );
    for (const run of report.runs) {
      assert.equal(run.values.length, report.prices.length, run.name);
      assert.ok(run.values.every(Number.isFinite), run.name);
    }
    const lp = report.summaries.find((s) => s.name === "lp");
    assert.ok(lp !== undefined && Math.abs(lp.vsHold - (lp.end - lp.holdEnd)) < 1e-9);
  });

  it("weft strategies report prints the table and writes JSON and HTML; bad options exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-strategies-"));
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, "strategies", "report", "--seed", "3", "--days", "7", "--out", dir],
        {
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Covered call/);
      assert.match(r.stdout, /Arbitrage \(flash swap\)/);
      const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
      assert.equal(json.seed, 3);
      assert.equal(json.summaries.length, 8);
      const html = readFileSync(join(dir, "report.html"), "utf8");
      assert.equal(html.match(/<svg /g)?.length, 9);
      const bad = spawnSync(process.execPath, [CLI, "strategies", "report", "--days", "-1", "--out", dir], {
        encoding: "utf8",
      });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /days/);
      const nan = spawnSync(process.execPath, [CLI, "strategies", "report", "--volatility", "abc"], {
        encoding: "utf8",
      });
      assert.equal(nan.status, 2);
      assert.match(nan.stderr, /--volatility: expected a number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
