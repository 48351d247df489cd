/**
 * Constant-product pool arithmetic for the bots, on top of `../amm.ts` (the router's 0.3%
 * fee math): unit conversion, the spot price, applying a swap to reserves, the fee of a
 * swap in quote units, and the trade that moves a pool to a target price (what an
 * arbitrageur does when the outside price moves).
 */
import { getAmountIn, getAmountOut } from "../amm.js";
import type { Order, Reserves } from "./types.js";

export const DECIMALS = 18;
const ONE = 10n ** 18n;
/** Fixed-point scale for prices in integer arithmetic. */
const PRICE_SCALE = 10n ** 12n;

/** A decimal amount ("1.5", 2) in token units of `decimals` decimals, exactly for strings. */
export function toUnits(amount: number | string, decimals = DECIMALS): bigint {
  const text = typeof amount === "number" ? amount.toFixed(decimals) : amount.trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null || (match[2] === "" && (match[3] ?? "") === ""))
    throw new RangeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const whole = BigInt(match[2] === "" ? "0" : (match[2] as string));
  const fraction = (match[3] ?? "").slice(0, decimals).padEnd(decimals, "0");
  const units = whole * 10n ** BigInt(decimals) + BigInt(fraction === "" ? "0" : fraction);
  return match[1] === "-" ? -units : units;
}

/** Token units as a number of whole tokens (for display and valuation). */
export function fromUnits(units: bigint, decimals = DECIMALS): number {
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  const rest = units % scale;
  return Number(whole) + Number(rest) / Number(scale);
}

/** Quote per base. */
export function spot(r: Reserves): number {
  if (r.base <= 0n) throw new RangeError("the pool has no base reserve");
  return Number((r.quote * ONE) / r.base) / 1e18;
}

/**
 * Integer square root (floor). Newton's method from above converges monotonically to the
 * floor; the float estimate, raised past its rounding error, starts it a step or two away.
 * (Starting below the root and counting up by ones, as this once did, took millions of
 * steps for 1e45-sized products, whose float square root is off by millions.)
 */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  const float = Math.sqrt(Number(n));
  // Past the float range, a power of two above the root (half the bit length, plus one).
  let x = Number.isFinite(float)
    ? BigInt(Math.floor(float * (1 + 2 ** -40))) + 1n
    : 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** The quote paid (buy) or received (sell) for `order` against `r`, with the 0.3% fee; throws if impossible. */
export function quoteFor(order: Order, r: Reserves): bigint {
  return order.side === "sell"
    ? getAmountOut(order.baseAmount, r.base, r.quote)
    : getAmountIn(order.baseAmount, r.quote, r.base);
}

/** Applies `order` to the reserves (in place) and returns the quote amount moved. */
export function applySwap(order: Order, r: Reserves): bigint {
  const quote = quoteFor(order, r);
  if (order.side === "sell") {
    r.base += order.baseAmount;
    r.quote -= quote;
  } else {
    r.base -= order.baseAmount;
    r.quote += quote;
  }
  return quote;
}

/**
 * The pool's fee on a swap, in quote units: 0.3% of the input; a sell's input (base) is
 * valued at the pre-trade spot price.
 */
export function swapFeeQuote(order: Order, quoteAmount: bigint, before: Reserves): bigint {
  if (order.side === "buy") return (quoteAmount * 3n) / 1000n;
  return (((order.baseAmount * 3n) / 1000n) * before.quote) / before.base;
}

/**
 * The order that moves the pool's spot price to `target` (quote per base), or undefined
 * when it is already there: buy base until base' = sqrt(k / target), or sell base until the
 * pool holds that much. The fee stays in the pool, so the price lands at the target within
 * the 0.3% fee.
 */
export function priceMoveOrder(r: Reserves, target: number): Order | undefined {
  if (!(target > 0) || !Number.isFinite(target)) throw new RangeError(`bad target price ${target}`);
  const priceScaled = BigInt(Math.round(target * Number(PRICE_SCALE)));
  if (priceScaled === 0n) throw new RangeError(`target price ${target} too small`);
  const targetBase = isqrt((r.base * r.quote * PRICE_SCALE) / priceScaled);
  if (targetBase < r.base) {
    const baseAmount = r.base - targetBase;
    return baseAmount > 0n ? { side: "buy", baseAmount, reason: "move price up" } : undefined;
  }
  const baseAmount = targetBase - r.base;
  return baseAmount > 0n ? { side: "sell", baseAmount, reason: "move price down" } : undefined;
}
