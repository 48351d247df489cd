/**
 * Black–Scholes in the SDK: Hull's published examples (prices and greeks), put–call
 * parity and the greeks against finite differences as fast-check properties, the implied
 * volatility round trip, T = 0 and σ = 0, and a typed error for every bad input.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BlackScholesError,
  blackScholes,
  impliedVolatility,
  normalCdf,
  type OptionInputs,
  yearsBetween,
} from "../../../src/sdk/blackScholes.js";

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual}, expected ${expected} ± ${tolerance}`,
  );

describe("Black–Scholes", () => {
  it("matches Hull's example: S=42, K=40, r=10%, σ=20%, T=0.5 → call 4.76, put 0.81", () => {
    const base = { spot: 42, strike: 40, rate: 0.1, volatility: 0.2, years: 0.5 };
    near(blackScholes({ kind: "call", ...base }).price, 4.76, 0.005, "call");
    near(blackScholes({ kind: "put", ...base }).price, 0.81, 0.005, "put");
  });

  it("matches Hull's greeks example: S=49, K=50, r=5%, σ=20%, T=20 weeks", () => {
    const call = blackScholes({
      kind: "call",
      spot: 49,
      strike: 50,
      rate: 0.05,
      volatility: 0.2,
      years: 0.3846,
    });
    near(call.price, 2.4, 0.005, "price (Hull: $240,000 for 100,000 calls)");
    near(call.delta, 0.522, 0.0005, "delta");
    near(call.gamma, 0.066, 0.0005, "gamma");
    near(call.theta, -4.31, 0.005, "theta per year");
    near(call.vega, 12.1, 0.05, "vega");
    const put = blackScholes({
      kind: "put",
      spot: 49,
      strike: 50,
      rate: 0.05,
      volatility: 0.2,
      years: 0.3846,
    });
    near(put.delta, call.delta - 1, 1e-15, "put delta");
    assert.equal(put.gamma, call.gamma);
    assert.equal(put.vega, call.vega);
  });

  it("N(x) matches reference values and is symmetric", () => {
    near(normalCdf(0), 0.5, 1e-16, "N(0)");
    near(normalCdf(1), 0.8413447460685429, 1e-14, "N(1)");
    near(normalCdf(-1.96), 0.024997895148220435, 1e-15, "N(-1.96)");
    near(normalCdf(3), 0.9986501019683699, 1e-14, "N(3)");
    near(normalCdf(-5), 2.866515718791939e-7, 1e-19, "N(-5)");
    for (const x of [0.1, 0.7, 1.9, 2.5, 3.3, 6])
      near(normalCdf(x) + normalCdf(-x), 1, 1e-15, `N(${x}) + N(-${x})`);
  });

  const inputs = fc.record({
    spot: fc.double({ min: 1, max: 10_000, noNaN: true }),
    moneyness: fc.double({ min: 0.5, max: 2, noNaN: true }),
    rate: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
    volatility: fc.double({ min: 0.01, max: 2, noNaN: true }),
    years: fc.double({ min: 1 / 365, max: 3, noNaN: true }),
  });

  it("(fast-check) put–call parity: call − put = S − K·e^(−rT)", () => {
    fc.assert(
      fc.property(inputs, ({ spot, moneyness, rate, volatility, years }) => {
        const base = { spot, strike: spot * moneyness, rate, volatility, years };
        const call = blackScholes({ kind: "call", ...base }).price;
        const put = blackScholes({ kind: "put", ...base }).price;
        near(call - put, spot - base.strike * Math.exp(-rate * years), 1e-11 * spot, "parity");
        assert.ok(call >= 0 && put >= 0);
        assert.ok(call <= spot + 1e-9 * spot, "a call is worth at most the spot");
      }),
      { numRuns: 200, seed: 18 },
    );
  });

  it("(fast-check) the greeks are the price's derivatives (finite differences)", () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom("call", "put"), (g, kind: "call" | "put") => {
        const o: OptionInputs = {
          kind,
          spot: g.spot,
          strike: g.spot * g.moneyness,
          rate: g.rate,
          volatility: g.volatility,
          years: g.years,
        };
        const v = blackScholes(o);
        const price = (change: Partial<OptionInputs>) => blackScholes({ ...o, ...change }).price;
        const h = o.spot * 1e-4;
        const scale = o.spot;
        near(v.delta, (price({ spot: o.spot + h }) - price({ spot: o.spot - h })) / (2 * h), 1e-5, "delta");
        const secondDiff =
          (price({ spot: o.spot + h }) - 2 * v.price + price({ spot: o.spot - h })) / (h * h);
        near(v.gamma * scale, secondDiff * scale, 1e-3, "gamma");
        near(
          v.vega / scale,
          (price({ volatility: o.volatility + 1e-5 }) - price({ volatility: o.volatility - 1e-5 })) /
            2e-5 /
            scale,
          1e-5,
          "vega",
        );
        const dt = Math.min(1e-5, o.years / 10);
        near(
          v.theta / scale,
          -(price({ years: o.years + dt }) - price({ years: o.years - dt })) / (2 * dt) / scale,
          1e-4,
          "theta",
        );
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it("(fast-check) implied volatility recovers the volatility that priced the option", () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom("call", "put"), (g, kind: "call" | "put") => {
        const o = { kind, spot: g.spot, strike: g.spot * g.moneyness, rate: g.rate, years: g.years };
        const price = blackScholes({ ...o, volatility: g.volatility }).price;
        // Deep out of the money a price carries too little information to invert.
        fc.pre(
          price > 1e-6 * g.spot && blackScholes({ ...o, volatility: g.volatility }).vega > 1e-3 * g.spot,
        );
        near(impliedVolatility(o, price), g.volatility, 1e-6, "σ");
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it("at expiry (T = 0) and with σ = 0 gives the payoff", () => {
    const at = (kind: "call" | "put", spot: number, extra: Partial<OptionInputs> = {}) =>
      blackScholes({ kind, spot, strike: 100, rate: 0.05, volatility: 0.3, years: 0, ...extra });
    // In the money, theta is the carry on the strike: −rK for a call, +rK for a put.
    assert.deepEqual(at("call", 110), { price: 10, delta: 1, gamma: 0, theta: -5, vega: 0 });
    assert.deepEqual(at("call", 90), { price: 0, delta: 0, gamma: 0, theta: 0, vega: 0 });
    assert.deepEqual(at("put", 90), { price: 10, delta: -1, gamma: 0, theta: 5, vega: 0 });
    assert.equal(at("put", 110).price, 0);
    const flat = at("call", 100, { volatility: 0, years: 1 });
    near(flat.price, 100 - 100 * Math.exp(-0.05), 1e-12, "σ = 0: the discounted forward");
    assert.equal(at("put", 100, { volatility: 0, years: 1 }).price, 0);
    near(yearsBetween(1609891200n, 1610092800n), 201600 / 31536000, 1e-15, "yearsBetween");
  });

  it("refuses bad inputs with BlackScholesError BAD_INPUT, and impossible prices with NO_IMPLIED_VOLATILITY", () => {
    const good: OptionInputs = { kind: "call", spot: 42, strike: 40, rate: 0.1, volatility: 0.2, years: 0.5 };
    const cases: [Partial<OptionInputs> | { kind: string }, RegExp][] = [
      [{ volatility: -0.1 }, /volatility must be a finite number ≥ 0, got -0.1/],
      [{ volatility: Number.NaN }, /volatility/],
      [
        { years: -1 },
        /years to expiry must be a finite number ≥ 0 \(the option has expired before it\), got -1/,
      ],
      [{ years: Number.POSITIVE_INFINITY }, /years/],
      [{ spot: 0 }, /spot must be a finite number > 0, got 0/],
      [{ strike: -5 }, /strike must be a finite number > 0, got -5/],
      [{ rate: Number.NaN }, /rate must be a finite number, got NaN/],
      [{ kind: "straddle" }, /kind must be "call" or "put", got straddle/],
    ];
    for (const [change, message] of cases) {
      assert.throws(
        () => blackScholes({ ...good, ...change } as OptionInputs),
        (e: unknown) => e instanceof BlackScholesError && e.code === "BAD_INPUT" && message.test(e.message),
      );
    }
    const { volatility: _, ...noVol } = good;
    for (const price of [1, 50, Number.NaN]) {
      assert.throws(
        () => impliedVolatility(noVol, price),
        (e: unknown) => e instanceof BlackScholesError && e.code === "NO_IMPLIED_VOLATILITY",
        `price ${price}`,
      );
    }
  });
});
