/**
 * A grid strategy: N price levels between `lower` and `upper`; each time the price
 * crosses a level downwards it buys `orderSize` of the base token, each time it crosses
 * one upwards it sells `orderSize`. Levels crossed in one tick are merged into one order.
 *
 * Crossings are counted by zone: the zone of a price is the number of levels at or below
 * it, so a price that moves within one band (between two neighbouring levels) never
 * trades, and a price that touches a level from above and comes back is one buy and one
 * sell. The first tick only records the zone.
 *
 * Inventory is the base bought minus the base sold by this strategy's fills. A buy that
 * would take it above `maxInventory`, or a sell below `minInventory`, is trimmed to the
 * levels that fit; so is one the holdings cannot pay for (base to sell, quote to buy at
 * the current price plus the slippage margin). Trimmed levels are counted as skipped.
 */
import { fromUnits } from "./pool.js";
import type { Fill, MarketSnapshot, Order, Strategy } from "./types.js";

export interface GridOptions {
  lower: number;
  upper: number;
  /** Number of levels, at least 2 (lower and upper included). */
  levels: number;
  /** Base units per level. */
  orderSize: bigint;
  /** Arithmetic (equal steps, the default) or geometric (equal ratios). */
  spacing?: "arithmetic" | "geometric";
  /** Highest inventory (net base bought); default `levels × orderSize`. */
  maxInventory?: bigint;
  /** Lowest inventory (net base sold, negative); default `-levels × orderSize`. */
  minInventory?: bigint;
  /** Margin over the spot price when checking that the quote balance covers a buy; default 0.01. */
  costMargin?: number;
}

export class GridStrategy implements Strategy {
  readonly name: string;
  readonly levels: readonly number[];
  readonly orderSize: bigint;
  readonly maxInventory: bigint;
  readonly minInventory: bigint;
  private readonly costMargin: number;
  private zone: number | undefined;
  /** Net base bought by this strategy's fills. */
  inventory = 0n;
  crossingsDown = 0;
  crossingsUp = 0;
  skippedByLimit = 0;
  skippedByBalance = 0;
  rejected = 0;

  constructor(options: GridOptions) {
    const { lower, upper, levels } = options;
    if (!(lower > 0) || !(upper > lower) || !Number.isFinite(upper))
      throw new RangeError(`grid: need 0 < lower < upper, got ${lower} and ${upper}`);
    if (!Number.isInteger(levels) || levels < 2)
      throw new RangeError(`grid: at least 2 levels, got ${levels}`);
    if (options.orderSize <= 0n) throw new RangeError("grid: the order size must be positive");
    const geometric = options.spacing === "geometric";
    this.levels = Array.from({ length: levels }, (_, i) =>
      geometric
        ? lower * (upper / lower) ** (i / (levels - 1))
        : lower + ((upper - lower) * i) / (levels - 1),
    );
    this.orderSize = options.orderSize;
    this.maxInventory = options.maxInventory ?? BigInt(levels) * options.orderSize;
    this.minInventory = options.minInventory ?? -BigInt(levels) * options.orderSize;
    if (this.minInventory > 0n || this.maxInventory < 0n)
      throw new RangeError("grid: the inventory limits must include zero");
    this.costMargin = options.costMargin ?? 0.01;
    this.name = `grid ${levels} levels ${round(lower)}-${round(upper)}, ${fromUnits(options.orderSize)} per level`;
  }

  /** Number of levels at or below `price`. */
  zoneOf(price: number): number {
    let n = 0;
    for (const level of this.levels) if (level <= price) n++;
    return n;
  }

  onTick(s: MarketSnapshot): Order[] {
    const zone = this.zoneOf(s.price);
    const previous = this.zone;
    this.zone = zone;
    if (previous === undefined || zone === previous) return [];
    if (zone < previous) {
      // Levels previous-1 down to zone were crossed downwards: buy at each.
      const crossed = this.levels.slice(zone, previous).reverse();
      this.crossingsDown += crossed.length;
      const room = (this.maxInventory - this.inventory) / this.orderSize;
      const cost = (price: number) => price * (1 + this.costMargin) * fromUnits(this.orderSize);
      const affordable = Math.floor(fromUnits(s.holdings.quote) / cost(s.price));
      return this.take("buy", crossed, room, BigInt(Math.max(0, affordable)));
    }
    const crossed = this.levels.slice(previous, zone);
    this.crossingsUp += crossed.length;
    const room = (this.inventory - this.minInventory) / this.orderSize;
    return this.take("sell", crossed, room, s.holdings.base / this.orderSize);
  }

  private take(side: "buy" | "sell", crossed: number[], room: bigint, affordable: bigint): Order[] {
    const byLimit = Math.max(0, Math.min(crossed.length, Number(room)));
    const count = Math.max(0, Math.min(byLimit, Number(affordable)));
    this.skippedByLimit += crossed.length - byLimit;
    this.skippedByBalance += byLimit - count;
    if (count === 0) return [];
    const levels = crossed.slice(0, count);
    return [
      {
        side,
        baseAmount: this.orderSize * BigInt(count),
        levels,
        reason: `${side === "buy" ? "down" : "up"} through ${levels.map(round).join(", ")}`,
      },
    ];
  }

  onFill(fill: Fill): void {
    this.inventory += fill.side === "buy" ? fill.baseAmount : -fill.baseAmount;
  }

  onReject(): void {
    this.rejected++;
  }

  stats(): Record<string, number | string> {
    return {
      "levels crossed down": this.crossingsDown,
      "levels crossed up": this.crossingsUp,
      "levels skipped (inventory limit)": this.skippedByLimit,
      "levels skipped (balance)": this.skippedByBalance,
      "strategy inventory (base)": fromUnits(this.inventory),
    };
  }
}

function round(price: number): number {
  return Math.round(price * 100) / 100;
}
