import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  AmmError,
  getAmountIn,
  getAmountOut,
  impermanentLoss,
  quote,
  spotPrice,
} from "../../../src/sdk/amm.js";

describe("client AMM arithmetic", () => {
  it("known values", () => {
    assert.equal(getAmountOut(1000n, 100_000n, 100_000n), 987n);
    assert.equal(quote(10n, 100n, 300n), 30n);
    assert.equal(spotPrice(100n, 250n), 2.5);
    assert.equal(impermanentLoss(1), 0);
    assert.ok(Math.abs(impermanentLoss(2) - -0.05719) < 1e-4);
    assert.ok(Math.abs(impermanentLoss(0.5) - impermanentLoss(2)) < 1e-12);
  });

  it("getAmountIn is the smallest input whose output covers the request", () => {
    fc.assert(
      fc.property(
        fc.bigInt(1000n, 10n ** 24n),
        fc.bigInt(1000n, 10n ** 24n),
        fc.bigInt(1n, 10n ** 20n),
        (rIn, rOut, want) => {
          fc.pre(want < rOut);
          const needed = getAmountIn(want, rIn, rOut);
          assert.ok(getAmountOut(needed, rIn, rOut) >= want);
          if (needed > 1n) assert.ok(getAmountOut(needed - 1n, rIn, rOut) <= want);
        },
      ),
    );
  });

  it("rejects bad input with AmmError", () => {
    assert.throws(() => getAmountOut(0n, 1n, 1n), AmmError);
    assert.throws(() => getAmountIn(5n, 10n, 5n), AmmError);
    assert.throws(() => impermanentLoss(-1), AmmError);
  });
});
