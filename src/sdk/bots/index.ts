/**
 * Trading bots: strategies (a grid), markets (a live Weft node, a backtest over a price
 * series), the loop with P&L accounting, price series (CSV/JSON, synthetic), reports.
 * `run.ts` is the command line.
 */
export { BacktestMarket, type BacktestOptions } from "./backtestMarket.js";
export { formatReport, formatTable, reportToJson, sparkline } from "./format.js";
export { type GridOptions, GridStrategy } from "./grid.js";
export { devAccountSigner, LiveMarket, type LiveMarketOptions } from "./liveMarket.js";
export {
  applySwap,
  DECIMALS,
  fromUnits,
  isqrt,
  priceMoveOrder,
  quoteFor,
  spot,
  swapFeeQuote,
  toUnits,
} from "./pool.js";
export {
  type BotReport,
  type InventoryPoint,
  markToMarket,
  type RunOptions,
  runBot,
  type Valuation,
} from "./runBot.js";
export { SAMPLE_SERIES_FILE, SAMPLE_SERIES_PARAMS, sampleSeriesPath } from "./sample.js";
export {
  loadSeries,
  normalFrom,
  type PricePoint,
  parseCsvSeries,
  parseJsonSeries,
  type SyntheticOptions,
  seededRandom,
  seriesToCsv,
  syntheticSeries,
} from "./series.js";
export type * from "./types.js";
