/**
 * A simulated market: one constant-product pool with the router's 0.3% fee math
 * (`../amm.ts`), driven by a recorded price series. At each step an arbitrageur first
 * moves the pool to the series' price (`priceMoveOrder`), then the strategy acts on the
 * pool as it is. Gas is charged per swap at a fixed cost, in coin. Everything is integer
 * arithmetic on bigints: the same inputs give the same result, bit for bit.
 */
import { AmmError } from "../amm.js";
import { applySwap, priceMoveOrder, quoteFor, spot, swapFeeQuote, toUnits } from "./pool.js";
import type { PricePoint } from "./series.js";
import type { Execution, Holdings, Market, MarketSnapshot, Order, Reserves } from "./types.js";

export interface BacktestOptions {
  series: readonly PricePoint[];
  /** The bot's starting balances. */
  holdings: Holdings;
  /** The pool's base reserve at the start (default 1,000 tokens, as the genesis pool); quote = base × first price. */
  poolBase?: bigint;
  /** Gas a swap uses (default 500,000: a router swap measured on a Weft node used 499-552k). */
  gasPerSwap?: bigint;
  /** Coin units per gas (default 1, what the live bot pays). */
  gasPrice?: bigint;
  /** Worst price accepted, relative to the spot before the trade (default 0.01 = 1%, plus the fee). */
  slippage?: number;
}

export class BacktestMarket implements Market {
  readonly kind = "backtest";
  readonly reserves: Reserves;
  readonly holdings: Holdings;
  private step = 0;
  private readonly gasFee: bigint;
  private readonly slippage: number;
  /** Arbitrage trades and their volume (base). */
  arbitrageTrades = 0;
  arbitrageBase = 0n;

  constructor(private readonly options: BacktestOptions) {
    const first = options.series[0];
    if (first === undefined) throw new RangeError("backtest: the price series is empty");
    const base = options.poolBase ?? toUnits(1_000);
    this.reserves = { base, quote: (base * toUnits(first.price.toFixed(9))) / 10n ** 18n };
    this.holdings = { ...options.holdings };
    this.gasFee = (options.gasPerSwap ?? 500_000n) * (options.gasPrice ?? 1n);
    this.slippage = options.slippage ?? 0.01;
  }

  private point(): PricePoint {
    return this.options.series[this.step] as PricePoint;
  }

  async snapshot(): Promise<MarketSnapshot> {
    const p = this.point();
    return {
      step: this.step,
      time: p.time,
      price: spot(this.reserves),
      externalPrice: p.price,
      reserves: { ...this.reserves },
      holdings: { ...this.holdings },
    };
  }

  async advance(): Promise<boolean> {
    if (this.step + 1 >= this.options.series.length) return false;
    this.step++;
    const arb = priceMoveOrder(this.reserves, this.point().price);
    if (arb !== undefined && arb.baseAmount < this.reserves.base) {
      applySwap(arb, this.reserves);
      this.arbitrageTrades++;
      this.arbitrageBase += arb.baseAmount;
    }
    return true;
  }

  async execute(order: Order): Promise<Execution> {
    const reject = (reason: string): Execution => ({ status: "rejected", order, reason, gasFeeCoin: 0n });
    if (order.baseAmount <= 0n) return reject("empty order");
    if (this.holdings.coin < this.gasFee) return reject("not enough coin for gas");
    const before = { ...this.reserves };
    let quote: bigint;
    try {
      quote = quoteFor(order, before);
    } catch (error) {
      if (error instanceof AmmError) return reject(error.message);
      throw error;
    }
    const price = spot(before);
    const average = Number(quote) / Number(order.baseAmount);
    if (order.side === "sell") {
      if (this.holdings.base < order.baseAmount) return reject("not enough base");
      if (average < price * (1 - this.slippage) * 0.997) return reject("slippage");
    } else {
      if (this.holdings.quote < quote) return reject("not enough quote");
      if (average > (price * (1 + this.slippage)) / 0.997) return reject("slippage");
    }
    applySwap(order, this.reserves);
    this.holdings.coin -= this.gasFee;
    if (order.side === "sell") {
      this.holdings.base -= order.baseAmount;
      this.holdings.quote += quote;
    } else {
      this.holdings.base += order.baseAmount;
      this.holdings.quote -= quote;
    }
    return {
      status: "filled",
      fill: {
        step: this.step,
        side: order.side,
        baseAmount: order.baseAmount,
        quoteAmount: quote,
        price: average,
        swapFeeQuote: swapFeeQuote(order, quote, before),
        gasFeeCoin: this.gasFee,
        ...(order.levels === undefined ? {} : { levels: order.levels }),
      },
    };
  }
}
