/**
 * The bot framework's markets (src/sdk/bots): backtests (deterministic, with exact accounting
 * identities), and a live run against a `weft node` process that trades on the genesis
 * WETH/WUSD pool while another dev account moves the price.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { getAmountIn, getAmountOut } from "../../../src/sdk/amm.js";
import { LiveArbitrage } from "../../../src/sdk/bots/arbitrageBot.js";
import { DcaStrategy } from "../../../src/sdk/bots/dca.js";
import {
  BacktestMarket,
  type BotReport,
  type Fill,
  formatReport,
  fromUnits,
  GridStrategy,
  type Holdings,
  LiveMarket,
  markToMarket,
  reportToJson,
  runBot,
  syntheticSeries,
  toUnits,
} from "../../../src/sdk/bots/index.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { ONE, rich } from "../../helpers/bots.js";

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

  it("buys by dollar-cost averaging on the node: equal WUSD slices on schedule, each a real transaction", async () => {
    const market = await LiveMarket.connect({ url: node.url, account: 2, tickMs: 0, ticks: 5 });
    const dca = new DcaStrategy({ quoteAmount: toUnits(100), everyTicks: 2, buys: 3 });
    const report = await runBot(market, dca);
    // Ticks 0, 2 and 4 buy; each pays at most its 100 WUSD slice and gets WETH for it.
    assert.equal(report.buys, 3);
    assert.equal(report.sells, 0);
    assert.equal(report.rejected, 0, JSON.stringify(report.rejections));
    for (const fill of report.fills) {
      assert.ok(fill.quoteAmount <= toUnits(100) && fill.quoteAmount > toUnits(99), `${fill.quoteAmount}`);
      const receipt = await rpc<{ status: string }>(node.url, "weft_getReceipt", [fill.txHash]);
      assert.equal(receipt.status, "success");
    }
    assert.equal(
      report.initial.holdings.quote - report.final.holdings.quote,
      report.fills.reduce((sum, f) => sum + f.quoteAmount, 0n),
    );
    assert.equal(dca.stats().buys, 3);
  });

  it("arbitrages the two genesis pools by flash swap: the owner gets exactly the profit the SDK expected", async () => {
    // Another account pushes the second pool's price down to 1,900; the main pool is near 2,000.
    const nudger = await LiveMarket.connect({ url: node.url, account: 3, exchange: 2, slippage: 0.05 });
    await nudger.prepare();
    const moved = await nudger.moveTo(1_900);
    assert.equal(moved?.status, "filled", moved?.status === "rejected" ? moved.reason : "");
    const bot = await LiveArbitrage.connect({ url: node.url, tickMs: 0 });
    const tick = await bot.tick();
    assert.equal(
      tick.receipt?.status,
      "success",
      JSON.stringify(tick, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    assert.equal(tick.cheap, "pool2");
    assert.ok((tick.expected ?? 0n) > 0n);
    assert.equal(tick.profit, tick.expected);
    // The gap is closed to within the two fees: nothing more pays.
    const after = await bot.tick();
    assert.match(after.skipped ?? "", /does not beat the fee/);
    assert.ok(Math.abs(after.prices.pool2 / after.prices.pool - 1) < 0.0075, JSON.stringify(after.prices));
  });
});
