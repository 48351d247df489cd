/**
 * Dollar-cost averaging: every `everyTicks` ticks, buy the base token for a fixed amount of
 * the quote token, whatever the price, until `buys` buys are done (or the quote runs out).
 * The order is an exact-output buy of what `quoteAmount` gets at the tick's reserves, so the
 * quote paid is at most `quoteAmount`. Works against a live node as well as a backtest.
 */
import { getAmountOut } from "../amm.js";
import type { Fill, MarketSnapshot, Order, Strategy } from "./types.js";

export interface DcaOptions {
  /** Quote units spent per buy. */
  quoteAmount: bigint;
  /** Ticks between buys (the first buy is on the first tick). */
  everyTicks: number;
  /** Number of buys in all (default: no limit). */
  buys?: number;
}

export class DcaStrategy implements Strategy {
  readonly name = "dca";
  private ticks = 0;
  private done = 0;
  private skipped = 0;
  private spent = 0n;
  private bought = 0n;

  constructor(private readonly options: DcaOptions) {
    if (options.quoteAmount <= 0n)
      throw new RangeError(`dca: quoteAmount must be positive, got ${options.quoteAmount}`);
    if (!Number.isInteger(options.everyTicks) || options.everyTicks < 1)
      throw new RangeError(`dca: everyTicks must be a positive integer, got ${options.everyTicks}`);
    if (options.buys !== undefined && !(Number.isInteger(options.buys) && options.buys >= 0))
      throw new RangeError(`dca: buys must be a whole number, got ${options.buys}`);
  }

  onTick(snapshot: MarketSnapshot): Order[] {
    const due = this.ticks++ % this.options.everyTicks === 0;
    if (!due || (this.options.buys !== undefined && this.done >= this.options.buys)) return [];
    const amount = this.options.quoteAmount <= snapshot.holdings.quote ? this.options.quoteAmount : 0n;
    const baseAmount =
      amount === 0n ? 0n : getAmountOut(amount, snapshot.reserves.quote, snapshot.reserves.base);
    if (baseAmount === 0n) {
      this.skipped++;
      return [];
    }
    return [{ side: "buy", baseAmount, reason: "scheduled buy" }];
  }

  onFill(fill: Fill): void {
    this.done++;
    this.spent += fill.quoteAmount;
    this.bought += fill.baseAmount;
  }

  stats(): Record<string, number | string> {
    return {
      buys: this.done,
      skipped: this.skipped,
      spent: this.spent.toString(),
      bought: this.bought.toString(),
    };
  }
}
