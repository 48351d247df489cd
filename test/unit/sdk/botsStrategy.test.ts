/**
 * The bot framework's building blocks (src/sdk/bots): the grid's level crossings and limits,
 * the pool math the markets share, and price series (CSV/JSON, the seeded generator, the
 * recorded sample).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { getAmountIn, getAmountOut } from "../../../src/sdk/amm.js";
import {
  type Fill,
  fromUnits,
  GridStrategy,
  type Holdings,
  isqrt,
  type MarketSnapshot,
  type Order,
  parseCsvSeries,
  parseJsonSeries,
  priceMoveOrder,
  seriesToCsv,
  spot,
  syntheticSeries,
  toUnits,
} from "../../../src/sdk/bots/index.js";
import { SAMPLE_SERIES_PARAMS, sampleSeriesPath } from "../../../src/sdk/bots/sample.js";
import { loadSeries } from "../../../src/sdk/bots/series.js";
import { ONE, rich } from "../../helpers/bots.js";

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
