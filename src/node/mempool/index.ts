/** The transaction pool: pending validated transactions, block selection, eviction. */
export { DEFAULT_MEMPOOL_CONFIG, type MempoolConfig, resolveMempoolConfig } from "./config.js";
export { formatNonce, MempoolError, type MempoolErrorCode } from "./errors.js";
export { type AddResult, Mempool, type MempoolStats, replacementMinimum } from "./mempool.js";
export { evictsBefore, type PoolTx, selectsBefore } from "./poolTx.js";
export type { NextSequence, ReadyOptions } from "./selection.js";
