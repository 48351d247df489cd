/**
 * The cash-flow strategies (staking, liquidity, lending, farming, covered call, grid, DCA,
 * arbitrage) over one simulated market, and the report that compares them.
 */
export { bestFlashTrade, flashProfit, runArbitrage } from "./arbitrage.js";
export { nextFridayExpiry, runCoveredCall } from "./coveredCall.js";
export { runFarming } from "./farming.js";
export { cashFlowHtml, lineChart } from "./html.js";
export { borrowRatePerSecond, GENESIS_RATE_MODEL, runLending, supplyRatePerSecond } from "./lending.js";
export { lpPosition, runLiquidity } from "./liquidity.js";
export {
  MARKET_DEFAULTS,
  type Market,
  MarketOptionError,
  type MarketOptions,
  simulateMarket,
} from "./market.js";
export { type CashFlowReport, cashFlowReport, formatCashFlowTable, type StrategySummary } from "./report.js";
export { runStaking } from "./staking.js";
export { runDca, runGrid } from "./trading.js";
export type * from "./types.js";
