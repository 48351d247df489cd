/**
 * The bot framework's vocabulary. A `Market` is a constant-product pool of a base token
 * (priced) and a quote token (the unit of account), seen through one account; a
 * `Strategy` turns market snapshots into orders; `runBot` (runBot.ts) drives one against
 * the other and accounts for the result.
 *
 * Amounts are bigints in token units (18 decimals for the genesis tokens); prices are
 * numbers, quote per base (WUSD per WETH).
 */

export type Side = "buy" | "sell";

/** What the bot holds: the two tokens, and the chain's coin that pays for gas. */
export interface Holdings {
  base: bigint;
  quote: bigint;
  coin: bigint;
}

export interface Reserves {
  base: bigint;
  quote: bigint;
}

export interface MarketSnapshot {
  /** Tick index (backtest: position in the price series; live: ticks since the start). */
  step: number;
  /** Milliseconds since the Unix epoch (backtest: the series' time; live: wall clock). */
  time: number;
  /** The pool's spot price, quote per base. */
  price: number;
  /** The outside price the pool was moved to (backtest), when there is one. */
  externalPrice?: number;
  reserves: Reserves;
  holdings: Holdings;
}

/**
 * A market order against the pool. `sell`: exactly `baseAmount` in, quote out; `buy`:
 * exactly `baseAmount` out, quote in. The market refuses it if the price is worse than
 * its slippage limit from the snapshot's reserves.
 */
export interface Order {
  side: Side;
  baseAmount: bigint;
  /** Grid levels (prices) this order answers, for the record. */
  levels?: number[];
  reason?: string;
}

export interface Fill {
  step: number;
  side: Side;
  baseAmount: bigint;
  /** Quote received (sell) or paid (buy). */
  quoteAmount: bigint;
  /** Average price of the fill, quote per base. */
  price: number;
  /** The pool's 0.3% fee on the input, in quote units (at the pre-trade spot price for a sell). */
  swapFeeQuote: bigint;
  /** Gas fee of the transaction, in coin (backtest: the configured cost). */
  gasFeeCoin: bigint;
  levels?: number[];
  txHash?: string;
}

export type Execution =
  | { status: "filled"; fill: Fill }
  | { status: "rejected"; order: Order; reason: string; gasFeeCoin: bigint; txHash?: string };

export interface Market {
  readonly kind: "backtest" | "live";
  /** The current state of the pool and of the bot's account. */
  snapshot(): Promise<MarketSnapshot>;
  /** Moves to the next tick; false when there is none (end of series, time up). */
  advance(): Promise<boolean>;
  /** Sends an order; a rejected order may still have cost gas (a reverted transaction). */
  execute(order: Order): Promise<Execution>;
  /** One-time setup before trading (token approvals); returns the gas it cost, in coin. */
  prepare?(): Promise<bigint>;
}

export interface Strategy {
  readonly name: string;
  /** Orders for this tick (often none). */
  onTick(snapshot: MarketSnapshot): Order[];
  onFill?(fill: Fill): void;
  onReject?(order: Order, reason: string): void;
  /** Counters for the report (crossings, skipped orders...). */
  stats?(): Record<string, number | string>;
}
