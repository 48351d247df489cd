/**
 * The bot loop and its accounting. Each tick: a snapshot, the strategy's orders, their
 * executions (fills go back to the strategy), and a point of the inventory curve. At the
 * end, the P&L:
 *
 * - value = quote + base × price (mark to market at the pool's spot price);
 * - P&L = final value − initial value − gas (in quote, at `coinPrice`);
 * - P&L vs hold = final value − (initial holdings at the final price) − gas;
 * - fees: the pool's 0.3% on each swap (quote units, already inside the values) and the
 *   gas of every transaction (coin: fills, reverted orders, the setup's approvals).
 */
import { fromUnits } from "./pool.js";
import type { Execution, Fill, Holdings, Market, MarketSnapshot, Order, Strategy } from "./types.js";

export interface RunOptions {
  /** Stop after this many ticks (the market may end sooner). */
  maxTicks?: number;
  /** Quote per coin, to value gas (default 1: coin and WUSD are both $1 on the dev chain). */
  coinPrice?: number;
  /**
   * Called with the tick's number (1, 2, ...) before each tick after the first, once the
   * market has advanced and before its snapshot: e.g. to move an outside price in demos and tests.
   */
  beforeTick?: (step: number) => Promise<void> | void;
  /** Progress: each tick's snapshot and executions. */
  onTick?: (snapshot: MarketSnapshot, executions: Execution[]) => void;
}

export interface InventoryPoint {
  step: number;
  time: number;
  price: number;
  base: bigint;
  quote: bigint;
  /** quote + base × price, in quote tokens. */
  value: number;
}

export interface Valuation {
  price: number;
  holdings: Holdings;
  /** quote + base × price, in quote tokens. */
  value: number;
}

export interface BotReport {
  strategy: string;
  market: "backtest" | "live";
  ticks: number;
  startTime: number;
  endTime: number;
  initial: Valuation;
  final: Valuation;
  /** The initial holdings at the final price. */
  holdValue: number;
  /** Final value − initial value − gas (quote tokens). */
  pnl: number;
  /** Final value − hold value − gas (quote tokens). */
  pnlVsHold: number;
  trades: number;
  buys: number;
  sells: number;
  rejected: number;
  rejections: Array<{ step: number; side: Order["side"]; reason: string }>;
  volume: { base: bigint; quote: bigint };
  fees: {
    /** Sum of the fills' pool fees, quote units. */
    swapQuote: bigint;
    /** Gas of every transaction, coin units (setup + fills + reverted orders). */
    gasCoin: bigint;
    setupGasCoin: bigint;
    /** swap fees + gas × coinPrice, in quote tokens. */
    totalQuote: number;
  };
  coinPrice: number;
  fills: Fill[];
  inventory: InventoryPoint[];
  strategyStats: Record<string, number | string>;
}

/** quote + base × price, in quote tokens. */
export function markToMarket(holdings: Pick<Holdings, "base" | "quote">, price: number): number {
  return fromUnits(holdings.quote) + fromUnits(holdings.base) * price;
}

export async function runBot(
  market: Market,
  strategy: Strategy,
  options: RunOptions = {},
): Promise<BotReport> {
  const coinPrice = options.coinPrice ?? 1;
  const start = await market.snapshot();
  const setupGasCoin = (await market.prepare?.()) ?? 0n;
  let snapshot = setupGasCoin > 0n ? await market.snapshot() : start;
  const fills: Fill[] = [];
  const rejections: BotReport["rejections"] = [];
  const inventory: InventoryPoint[] = [];
  let gasCoin = setupGasCoin;
  let ticks = 0;
  for (;;) {
    const orders = strategy.onTick(snapshot);
    ticks++;
    const executions: Execution[] = [];
    let base = snapshot.holdings.base;
    let quote = snapshot.holdings.quote;
    for (const order of orders) {
      const execution = await market.execute(order);
      executions.push(execution);
      if (execution.status === "filled") {
        const fill = execution.fill;
        fills.push(fill);
        gasCoin += fill.gasFeeCoin;
        base += fill.side === "buy" ? fill.baseAmount : -fill.baseAmount;
        quote += fill.side === "buy" ? -fill.quoteAmount : fill.quoteAmount;
        strategy.onFill?.(fill);
      } else {
        gasCoin += execution.gasFeeCoin;
        rejections.push({ step: snapshot.step, side: order.side, reason: execution.reason });
        strategy.onReject?.(order, execution.reason);
      }
    }
    inventory.push({
      step: snapshot.step,
      time: snapshot.time,
      price: snapshot.price,
      base,
      quote,
      value: markToMarket({ base, quote }, snapshot.price),
    });
    options.onTick?.(snapshot, executions);
    if (options.maxTicks !== undefined && ticks >= options.maxTicks) break;
    if (!(await market.advance())) break;
    await options.beforeTick?.(ticks);
    snapshot = await market.snapshot();
  }
  const end = await market.snapshot();
  return buildReport({
    market,
    strategy,
    start,
    end,
    fills,
    rejections,
    inventory,
    gasCoin,
    setupGasCoin,
    ticks,
    coinPrice,
  });
}

function buildReport(r: {
  market: Market;
  strategy: Strategy;
  start: MarketSnapshot;
  end: MarketSnapshot;
  fills: Fill[];
  rejections: BotReport["rejections"];
  inventory: InventoryPoint[];
  gasCoin: bigint;
  setupGasCoin: bigint;
  ticks: number;
  coinPrice: number;
}): BotReport {
  const initial: Valuation = {
    price: r.start.price,
    holdings: r.start.holdings,
    value: markToMarket(r.start.holdings, r.start.price),
  };
  const final: Valuation = {
    price: r.end.price,
    holdings: r.end.holdings,
    value: markToMarket(r.end.holdings, r.end.price),
  };
  const holdValue = markToMarket(r.start.holdings, r.end.price);
  const gasQuote = fromUnits(r.gasCoin) * r.coinPrice;
  const swapQuote = r.fills.reduce((sum, f) => sum + f.swapFeeQuote, 0n);
  return {
    strategy: r.strategy.name,
    market: r.market.kind,
    ticks: r.ticks,
    startTime: r.start.time,
    endTime: r.end.time,
    initial,
    final,
    holdValue,
    pnl: final.value - initial.value - gasQuote,
    pnlVsHold: final.value - holdValue - gasQuote,
    trades: r.fills.length,
    buys: r.fills.filter((f) => f.side === "buy").length,
    sells: r.fills.filter((f) => f.side === "sell").length,
    rejected: r.rejections.length,
    rejections: r.rejections,
    volume: {
      base: r.fills.reduce((sum, f) => sum + f.baseAmount, 0n),
      quote: r.fills.reduce((sum, f) => sum + f.quoteAmount, 0n),
    },
    fees: {
      swapQuote,
      gasCoin: r.gasCoin,
      setupGasCoin: r.setupGasCoin,
      totalQuote: fromUnits(swapQuote) + gasQuote,
    },
    coinPrice: r.coinPrice,
    fills: r.fills,
    inventory: r.inventory,
    strategyStats: r.strategy.stats?.() ?? {},
  };
}
