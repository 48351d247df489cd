/**
 * The bot framework (src/sdk/bots): the grid's level crossings and limits, the pool math
 * the markets share, price series (CSV/JSON, the seeded generator, the recorded sample),
 * backtests (deterministic, with exact accounting identities), and a live run against a
 * `weft node` process that trades on the genesis WETH/WUSD pool while another dev account
 * moves the price.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { getAmountIn, getAmountOut } from "../../../src/sdk/amm.js";
import {
  BacktestMarket,
  type BotReport,
  type Fill,
  formatReport,
  fromUnits,
  GridStrategy,
  type Holdings,
  isqrt,
  LiveMarket,
  type MarketSnapshot,
  markToMarket,
  type Order,
  parseCsvSeries,
  parseJsonSeries,
  priceMoveOrder,
  reportToJson,
  runBot,
  seriesToCsv,
  spot,
  syntheticSeries,
  toUnits,
} from "../../../src/sdk/bots/index.js";
import { SAMPLE_SERIES_PARAMS, sampleSeriesPath } from "../../../src/sdk/bots/sample.js";
import { loadSeries } from "../../../src/sdk/bots/series.js";
import { rpc } from "../../../src/sdk/rpcClient.js";

const ONE = toUnits(1);
const rich: Holdings = { base: toUnits(100), quote: toUnits(1_000_000), coin: ONE };

function snap(price: number, holdings: Holdings = rich, step = 0): MarketSnapshot {
  return { step, time: 0, price, reserves: { base: ONE, quote: ONE }, holdings };
}

/** Feeds prices to the grid; every order is filled in full (the strategy sees its fills). */
function drive(grid: GridStrategy, prices: number[], holdings: Holdings = rich): Order[][] {
  return prices.map((price, step) => {
    const orders = grid.onTick(snap(price, holdings, step));
    for (const o of orders) {
      const fill: Fill = {
        step,
        side: o.side,
        baseAmount: o.baseAmount,
        quoteAmount: 0n,
        price,
        swapFeeQuote: 0n,
        gasFeeCoin: 0n,
      };
      grid.onFill(fill);
    }
    return orders;
  });
}

const grid5 = (extra: Partial<ConstructorParameters<typeof GridStrategy>[0]> = {}) =>
  new GridStrategy({ lower: 1900, upper: 2100, levels: 5, orderSize: ONE, ...extra });

describe("grid strategy", () => {
  it("places levels evenly (arithmetic) or by equal ratios (geometric)", () => {
    assert.deepEqual(grid5().levels, [1900, 1950, 2000, 2050, 2100]);
    const g = new GridStrategy({ lower: 1000, upper: 4000, levels: 3, orderSize: ONE, spacing: "geometric" });
    assert.deepEqual(
      g.levels.map((l) => Math.round(l)),
      [1000, 2000, 4000],
    );
    assert.throws(() => grid5({ lower: 2100, upper: 1900 }), RangeError);
    assert.throws(() => grid5({ levels: 1 }), RangeError);
    assert.throws(() => grid5({ orderSize: 0n }), RangeError);
  });

  it("records the first price without trading, and never trades while the price stays in a band", () => {
    const g = grid5();
    const orders = drive(g, [2010, 2049.99, 2000, 2030, 2001, 2049]);
    assert.deepEqual(orders.flat(), []);
    assert.equal(g.crossingsDown + g.crossingsUp, 0);
  });

  it("buys when the price crosses a level downwards and sells when it crosses one upwards", () => {
    const g = grid5();
    const orders = drive(g, [2025, 1990, 2010, 2060]);
    assert.deepEqual(orders[0], []);
    assert.equal(orders[1]?.length, 1);
    assert.deepEqual(
      orders[1]?.map((o) => [o.side, o.baseAmount, o.levels]),
      [["buy", ONE, [2000]]],
    );
    assert.deepEqual(
      orders[2]?.map((o) => [o.side, o.baseAmount, o.levels]),
      [["sell", ONE, [2000]]],
    );
    assert.deepEqual(
      orders[3]?.map((o) => [o.side, o.baseAmount, o.levels]),
      [["sell", ONE, [2050]]],
    );
    assert.equal(g.inventory, -ONE);
    assert.equal(g.crossingsDown, 1);
    assert.equal(g.crossingsUp, 2);
  });

  it("merges several levels crossed in one tick into one order, in crossing order", () => {
    const g = grid5();
    const orders = drive(g, [2120, 1960, 2075]);
    assert.deepEqual(
      orders[1]?.map((o) => [o.side, o.baseAmount, o.levels]),
      [["buy", 3n * ONE, [2100, 2050, 2000]]],
    );
    assert.deepEqual(
      orders[2]?.map((o) => [o.side, o.baseAmount, o.levels]),
      [["sell", 2n * ONE, [2000, 2050]]],
    );
    assert.equal(g.inventory, ONE);
  });

  it("treats a price on a level as above it: touching from above does not buy, crossing back sells", () => {
    const g = grid5();
    const orders = drive(g, [2020, 2000, 1999.99, 2000]);
    assert.deepEqual(orders[1], []);
    assert.equal(orders[2]?.[0]?.side, "buy");
    assert.equal(orders[3]?.[0]?.side, "sell");
  });

  it("keeps the inventory within its limits and counts the skipped levels", () => {
    const g = grid5({ maxInventory: 2n * ONE, minInventory: -ONE });
    const down = drive(g, [2120, 1990, 1800]);
    assert.deepEqual(
      down[1]?.map((o) => o.baseAmount),
      [2n * ONE],
    ); // 3 levels crossed, room for 2
    assert.deepEqual(down[2], []); // 2 more levels, no room
    assert.equal(g.inventory, 2n * ONE);
    assert.equal(g.skippedByLimit, 3);
    // Up through all 5 levels: from 2 down to -1 allows 3 sells.
    const up = drive(g, [2120]);
    assert.deepEqual(
      up[0]?.map((o) => [o.side, o.baseAmount]),
      [["sell", 3n * ONE]],
    );
    assert.equal(g.inventory, -ONE);
    assert.equal(g.skippedByLimit, 5);
    // Back down 2 levels: room again.
    const again = drive(g, [2000]);
    assert.deepEqual(
      again[0]?.map((o) => [o.side, o.baseAmount]),
      [["buy", 2n * ONE]],
    );
    assert.equal(g.inventory, ONE);
  });

  it("does not sell base it does not hold, nor buy what the quote cannot pay for", () => {
    const g = grid5();
    const poor: Holdings = { base: ONE, quote: toUnits(2_500), coin: ONE };
    const orders = drive(g, [1890, 2120, 1890], poor);
    assert.deepEqual(
      orders[1]?.map((o) => o.baseAmount),
      [ONE],
    ); // 5 levels up, 1 base held
    assert.deepEqual(
      orders[2]?.map((o) => o.baseAmount),
      [ONE],
    ); // 5 levels down, 2,500 quote buys one at ~1,890
    assert.equal(g.skippedByBalance, 8);
  });
});

describe("pool math", () => {
  it("converts decimal amounts exactly", () => {
    assert.equal(toUnits("1.5"), 1_500_000_000_000_000_000n);
    assert.equal(toUnits(2_000), 2_000n * ONE);
    assert.equal(toUnits("0.000000000000000001"), 1n);
    assert.equal(fromUnits(toUnits("1234.5")), 1234.5);
    assert.throws(() => toUnits("abc"), RangeError);
  });

  it("takes integer square roots", () => {
    for (const n of [0n, 1n, 2n, 15n, 16n, 17n, 10n ** 40n + 12345n, (10n ** 21n) ** 2n]) {
      const r = isqrt(n);
      assert.ok(r * r <= n && (r + 1n) * (r + 1n) > n, `isqrt(${n})`);
    }
  });

  it("finds the swap that moves a pool to a target price (within the 0.3% fee)", () => {
    for (const target of [1500, 1990, 2000.5, 2600]) {
      const r = { base: toUnits(1_000), quote: toUnits(2_000_000) };
      const order = priceMoveOrder(r, target);
      assert.ok(order !== undefined);
      assert.equal(order.side, target > 2000 ? "buy" : "sell");
      const quote =
        order.side === "sell"
          ? getAmountOut(order.baseAmount, r.base, r.quote)
          : getAmountIn(order.baseAmount, r.quote, r.base);
      const after =
        order.side === "sell"
          ? { base: r.base + order.baseAmount, quote: r.quote - quote }
          : { base: r.base - order.baseAmount, quote: r.quote + quote };
      const moved = spot(after);
      assert.ok(moved >= target * 0.9999 && moved <= target * 1.0031, `${target} → ${moved}`);
    }
    assert.equal(priceMoveOrder({ base: toUnits(1_000), quote: toUnits(2_000_000) }, 2000), undefined);
  });
});

describe("price series", () => {
  it("generates the same series from the same seed, another from another seed", () => {
    const a = syntheticSeries({ start: 100, steps: 50, volatility: 0.02, seed: 1 });
    const b = syntheticSeries({ start: 100, steps: 50, volatility: 0.02, seed: 1 });
    const c = syntheticSeries({ start: 100, steps: 50, volatility: 0.02, seed: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a.length, 50);
    assert.equal(a[0]?.price, 100);
    assert.ok(a.every((p) => p.price > 0));
    assert.equal(a[1]?.time, (a[0]?.time ?? 0) + 60_000);
  });

  it("reads CSV (with or without a header, ms or ISO times) and JSON, and round-trips its own CSV", () => {
    assert.deepEqual(parseCsvSeries("# comment\ntime,price\n1000,1.5\n\n2000,1.75\n"), [
      { time: 1000, price: 1.5 },
      { time: 2000, price: 1.75 },
    ]);
    assert.deepEqual(
      parseCsvSeries("date,open,close\n2026-01-01T00:00:00Z,1,2\n").map((p) => p.price),
      [2],
    );
    assert.equal(parseCsvSeries("date,close\n2026-01-01T00:00:00Z,2\n")[0]?.time, Date.UTC(2026, 0, 1));
    assert.deepEqual(
      parseCsvSeries("10\n11\n").map((p) => p.price),
      [10, 11],
    );
    assert.throws(() => parseCsvSeries("time,price\n1,-3\n"), /bad price/);
    assert.deepEqual(
      parseJsonSeries("[1, 2]").map((p) => p.price),
      [1, 2],
    );
    assert.deepEqual(parseJsonSeries('{"points":[{"time":5,"price":3}]}'), [{ time: 5, price: 3 }]);
    const series = syntheticSeries({ start: 2000, steps: 30, volatility: 0.01, seed: 3 });
    assert.deepEqual(parseCsvSeries(seriesToCsv(series, "two\nlines")), series);
  });

  it("ships a recorded sample that is exactly the generator's output for its parameters", () => {
    const path = sampleSeriesPath();
    assert.ok(readFileSync(path, "utf8").length < 16_000);
    assert.deepEqual(loadSeries(path), syntheticSeries(SAMPLE_SERIES_PARAMS));
  });
});

async function backtest(
  seed: number,
  gasPerSwap = 500_000n,
): Promise<{ report: BotReport; grid: GridStrategy }> {
  const series = syntheticSeries({ start: 2000, steps: 150, volatility: 0.008, seed });
  const grid = new GridStrategy({ lower: 1800, upper: 2200, levels: 12, orderSize: toUnits("0.5") });
  const market = new BacktestMarket({
    series,
    holdings: { base: toUnits(10), quote: toUnits(25_000), coin: toUnits(1) },
    gasPerSwap,
    gasPrice: 1_000_000_000n, // 1 gwei, so gas is visible in the accounting
  });
  return { report: await runBot(market, grid), grid };
}

describe("backtest", () => {
  it("moves the pool to each price of the series before the strategy acts", async () => {
    const series = syntheticSeries({ start: 2000, steps: 20, volatility: 0.02, seed: 9 });
    const market = new BacktestMarket({ series, holdings: rich });
    const first = await market.snapshot();
    assert.ok(Math.abs(first.price - 2000) < 1e-6);
    while (await market.advance()) {
      const s = await market.snapshot();
      assert.ok(s.externalPrice !== undefined);
      assert.ok(Math.abs(s.price / s.externalPrice - 1) < 0.0031, `${s.price} vs ${s.externalPrice}`);
    }
    assert.equal(market.arbitrageTrades, 19);
  });

  it("fills with the router's fee math and refuses what the account cannot pay", async () => {
    const series = [{ time: 0, price: 2000 }];
    const market = new BacktestMarket({ series, holdings: { base: ONE, quote: toUnits(3_000), coin: ONE } });
    const before = await market.snapshot();
    const sell = await market.execute({ side: "sell", baseAmount: ONE });
    assert.equal(sell.status, "filled");
    if (sell.status === "filled") {
      assert.equal(sell.fill.quoteAmount, getAmountOut(ONE, before.reserves.base, before.reserves.quote));
      assert.equal(sell.fill.swapFeeQuote, ((ONE * 3n) / 1000n) * 2000n);
      assert.equal(sell.fill.gasFeeCoin, 500_000n);
    }
    const mid = await market.snapshot();
    const buy = await market.execute({ side: "buy", baseAmount: ONE });
    assert.equal(buy.status, "filled");
    if (buy.status === "filled") {
      const paid = getAmountIn(ONE, mid.reserves.quote, mid.reserves.base);
      assert.equal(buy.fill.quoteAmount, paid);
      assert.equal(buy.fill.swapFeeQuote, (paid * 3n) / 1000n);
    }
    const tooMuch = await market.execute({ side: "sell", baseAmount: 2n * ONE });
    assert.deepEqual(tooMuch.status === "rejected" && tooMuch.reason, "not enough base");
    const after = await market.snapshot();
    assert.equal(after.holdings.base, ONE);
    assert.equal(after.holdings.coin, ONE - 1_000_000n);
  });

  it("is deterministic: the same series and parameters give the same report", async () => {
    const a = await backtest(11);
    const b = await backtest(11);
    const c = await backtest(12);
    assert.deepEqual(reportToJson(a.report), reportToJson(b.report));
    assert.notDeepEqual(reportToJson(a.report), reportToJson(c.report));
    assert.ok(a.report.trades > 5, `only ${a.report.trades} trades`);
  });

  it("accounts exactly: holdings follow the fills, value = cash + inventory × price, fees add up", async () => {
    const { report: r, grid } = await backtest(5);
    const buys = r.fills.filter((f) => f.side === "buy");
    const sells = r.fills.filter((f) => f.side === "sell");
    const sum = (fills: Fill[], pick: (f: Fill) => bigint) => fills.reduce((s, f) => s + pick(f), 0n);
    assert.ok(buys.length > 0 && sells.length > 0);
    assert.equal(r.trades, buys.length + sells.length);
    // Holdings move by exactly the fills.
    const bought = sum(buys, (f) => f.baseAmount) - sum(sells, (f) => f.baseAmount);
    assert.equal(r.final.holdings.base - r.initial.holdings.base, bought);
    assert.equal(grid.inventory, bought);
    assert.equal(
      r.final.holdings.quote - r.initial.holdings.quote,
      sum(sells, (f) => f.quoteAmount) - sum(buys, (f) => f.quoteAmount),
    );
    // Gas: every fill's fee, and the coin balance fell by exactly that.
    assert.equal(
      r.fees.gasCoin,
      sum(r.fills, (f) => f.gasFeeCoin),
    );
    assert.equal(r.fees.gasCoin, BigInt(r.trades) * 500_000n * 1_000_000_000n);
    assert.equal(r.initial.holdings.coin - r.final.holdings.coin, r.fees.gasCoin);
    assert.equal(
      r.fees.swapQuote,
      sum(r.fills, (f) => f.swapFeeQuote),
    );
    const gasQuote = fromUnits(r.fees.gasCoin) * r.coinPrice;
    assert.ok(Math.abs(r.fees.totalQuote - (fromUnits(r.fees.swapQuote) + gasQuote)) < 1e-9);
    // Values are marks to market; P&L is their difference net of gas.
    const value = (h: Holdings, p: number) => Number(h.quote) / 1e18 + (Number(h.base) / 1e18) * p;
    assert.ok(Math.abs(r.final.value - value(r.final.holdings, r.final.price)) < 1e-6);
    assert.ok(Math.abs(r.initial.value - value(r.initial.holdings, r.initial.price)) < 1e-6);
    assert.ok(Math.abs(r.holdValue - value(r.initial.holdings, r.final.price)) < 1e-6);
    assert.equal(r.pnl, r.final.value - r.initial.value - gasQuote);
    assert.equal(r.pnlVsHold, r.final.value - r.holdValue - gasQuote);
    assert.equal(r.final.value, markToMarket(r.final.holdings, r.final.price));
    // The inventory curve: one point per tick, ending at the final holdings.
    assert.equal(r.inventory.length, r.ticks);
    assert.equal(r.inventory.at(-1)?.base, r.final.holdings.base);
    assert.equal(r.inventory.at(-1)?.quote, r.final.holdings.quote);
    // Swap fees: 0.3% of the input of each fill.
    for (const f of buys) assert.equal(f.swapFeeQuote, (f.quoteAmount * 3n) / 1000n);
    for (const f of sells) assert.ok(f.swapFeeQuote > 0n && f.swapFeeQuote < (f.quoteAmount * 31n) / 10_000n);
    const text = formatReport(r);
    assert.match(text, /P&L vs initial holdings/);
    assert.match(text, /P&L vs hold/);
    assert.match(text, /gas fees \(coin\)/);
  });
});

describe("live bot on a weft node", () => {
  let dir: string;
  let node: NodeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-bots-"));
    node = await launchNode(dir, ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "4"]);
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("trades the genesis WETH/WUSD pool as another account moves the price, and reports P&L", async () => {
    const market = await LiveMarket.connect({ url: node.url, account: 0, tickMs: 0, ticks: 8 });
    const mover = await LiveMarket.connect({ url: node.url, account: 1, slippage: 0.05 });
    await mover.prepare();
    const start = await market.snapshot();
    assert.ok(Math.abs(start.price - 2000) < 1, `genesis pool price ${start.price}`);
    const grid = new GridStrategy({ lower: 1950, upper: 2050, levels: 11, orderSize: ONE });
    // The outside price, one per tick after the first: down, up, down, up...
    const path = [1975, 2025, 1962, 2036, 1985, 2015, 1994];
    const report = await runBot(market, grid, {
      beforeTick: async (step) => {
        const moved = await mover.moveTo(path[step - 1] as number);
        assert.ok(
          moved === undefined || moved.status === "filled",
          moved?.status === "rejected" ? moved.reason : "",
        );
      },
    });
    assert.equal(report.market, "live");
    assert.equal(report.ticks, 8);
    assert.ok(report.buys >= 2 && report.sells >= 2, `${report.buys} buys, ${report.sells} sells`);
    assert.equal(report.rejected, 0, JSON.stringify(report.rejections));
    for (const fill of report.fills) {
      assert.ok(fill.txHash !== undefined && fill.gasFeeCoin > 0n);
      const receipt = await rpc<{ status: string; fee: string }>(node.url, "weft_getReceipt", [fill.txHash]);
      assert.equal(receipt.status, "success");
      assert.equal(BigInt(receipt.fee), fill.gasFeeCoin);
    }
    // The account's balances moved by exactly the fills; its coin by exactly the gas (approvals included).
    const net = (pick: (f: Fill) => bigint, side: "buy" | "sell") =>
      report.fills.filter((f) => f.side === side).reduce((s, f) => s + pick(f), 0n);
    assert.equal(
      report.final.holdings.base - report.initial.holdings.base,
      net((f) => f.baseAmount, "buy") - net((f) => f.baseAmount, "sell"),
    );
    assert.equal(
      report.final.holdings.quote - report.initial.holdings.quote,
      net((f) => f.quoteAmount, "sell") - net((f) => f.quoteAmount, "buy"),
    );
    assert.equal(grid.inventory, report.final.holdings.base - report.initial.holdings.base);
    assert.ok(report.fees.setupGasCoin > 0n);
    assert.equal(report.initial.holdings.coin - report.final.holdings.coin, report.fees.gasCoin);
    assert.ok(Number.isFinite(report.pnl) && Number.isFinite(report.pnlVsHold));
    assert.ok(report.fees.swapQuote > 0n);
    const text = formatReport(report);
    assert.match(text, /live run: grid 11 levels 1950-2050/);
    assert.match(text, /trades \(buys \/ sells\)\s+\d+ \(\d+ \/ \d+\)/);
  });
});
