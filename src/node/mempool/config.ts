/** Limits of the mempool, their defaults, and the check that refuses nonsense. */
import { MempoolError } from "./errors.js";

/** The mempool's limits. Every field has a default ({@link DEFAULT_MEMPOOL_CONFIG}). */
export interface MempoolConfig {
  /** Most transactions pending at once (default 50,000). */
  maxTransactions: number;
  /** Most encoded bytes pending at once, summed over `PoolTx.size` (default 256 MiB). */
  maxBytes: number;
  /** Most transactions pending per sender, over all its nonce keys (default 64). */
  maxPerSender: number;
  /** How far past the chain's next sequence a transaction may be (default 64; 0 = only the next). */
  maxNonceGap: number;
  /** A replacement must pay at least this many percent more than the one it replaces (default 10). */
  replacementBumpPercent: number;
  /** The lowest price accepted (default 0n). */
  minPrice: bigint;
  /** The largest encoded transaction accepted, in bytes (default 512 KiB). */
  maxTxBytes: number;
  /** How long a transaction may stay pending before `prune` drops it, in ms (default 3 h). */
  ttlMs: number;
}

/** The defaults used for every field not given to the constructor. */
export const DEFAULT_MEMPOOL_CONFIG: Readonly<MempoolConfig> = Object.freeze({
  maxTransactions: 50_000,
  maxBytes: 256 * 1024 * 1024,
  maxPerSender: 64,
  maxNonceGap: 64,
  replacementBumpPercent: 10,
  minPrice: 0n,
  maxTxBytes: 512 * 1024,
  ttlMs: 3 * 60 * 60 * 1000,
});

function requireInteger(name: string, value: unknown, min: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new MempoolError(
      "INVALID_CONFIG",
      `mempool config ${name} must be an integer >= ${min}, got ${String(value)}`,
    );
  }
}

/**
 * Fills in defaults and checks every field: counts and byte sizes are safe integers
 * (maxTransactions, maxBytes, maxPerSender, maxTxBytes at least 1; maxNonceGap and
 * replacementBumpPercent at least 0), minPrice a bigint >= 0, ttlMs a positive number
 * (Infinity allowed), maxTxBytes <= maxBytes, and no unknown field (a typo would otherwise
 * silently keep the default). Throws `INVALID_CONFIG`.
 */
export function resolveMempoolConfig(options: Partial<MempoolConfig> = {}): MempoolConfig {
  if (typeof options !== "object" || options === null) {
    throw new MempoolError("INVALID_CONFIG", `mempool config must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(DEFAULT_MEMPOOL_CONFIG, key)) {
      const known = Object.keys(DEFAULT_MEMPOOL_CONFIG).join(", ");
      throw new MempoolError("INVALID_CONFIG", `unknown mempool config field "${key}" (known: ${known})`);
    }
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const config: MempoolConfig = { ...DEFAULT_MEMPOOL_CONFIG, ...defined };
  requireInteger("maxTransactions", config.maxTransactions, 1);
  requireInteger("maxBytes", config.maxBytes, 1);
  requireInteger("maxPerSender", config.maxPerSender, 1);
  requireInteger("maxNonceGap", config.maxNonceGap, 0);
  requireInteger("replacementBumpPercent", config.replacementBumpPercent, 0);
  requireInteger("maxTxBytes", config.maxTxBytes, 1);
  if (typeof config.minPrice !== "bigint" || config.minPrice < 0n) {
    throw new MempoolError(
      "INVALID_CONFIG",
      `mempool config minPrice must be a bigint >= 0n, got ${String(config.minPrice)}`,
    );
  }
  if (typeof config.ttlMs !== "number" || Number.isNaN(config.ttlMs) || config.ttlMs <= 0) {
    throw new MempoolError(
      "INVALID_CONFIG",
      `mempool config ttlMs must be a positive number of milliseconds, got ${String(config.ttlMs)}`,
    );
  }
  if (config.maxTxBytes > config.maxBytes) {
    throw new MempoolError(
      "INVALID_CONFIG",
      `mempool config maxTxBytes (${config.maxTxBytes}) is larger than maxBytes (${config.maxBytes}): ` +
        "no transaction of that size could ever fit",
    );
  }
  return config;
}
