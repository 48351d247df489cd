/**
 * The limits of a JSON-RPC server (`server.ts`): what each bounds, their defaults, and the
 * check of a node's configured values (every one a positive integer; the two rates positive).
 */

/** Limits of one server; every field is optional. */
export interface RpcLimits {
  /** Largest HTTP body or WebSocket message, in bytes. Default 1 MiB. */
  maxBodyBytes: number;
  /** Most elements in one batch. Default 100. */
  maxBatch: number;
  /** Most bytes the answers of one message may take, a batch's together (`responseBudget.ts`). Default 64 MiB. */
  maxResponseBytes: number;
  /** Token-bucket rate per WebSocket connection and per HTTP remote address (burst 2×); `Infinity` disables. Default 1000. */
  requestsPerSecond: number;
  /** Most open TCP connections (HTTP and WebSocket). Default 1000. */
  maxConnections: number;
  /** Most subscriptions one WebSocket connection may hold. Default 100. */
  maxSubscriptionsPerConnection: number;
  /** A WebSocket connection with more unsent bytes than this is closed (1008). Default 8 MiB. */
  maxBufferedBytes: number;
  /**
   * Unsent bytes of all WebSocket connections together: a connection may hold at most its
   * share (this / open connections) when less than `maxBufferedBytes`, else it is closed
   * (1008). Default 256 MiB. Without it 1,000 paused connections could hold 8 GiB.
   */
  maxTotalBufferedBytes: number;
  /**
   * Work units of publishing to its subscriptions each client earns per second, burst 2×
   * (`subscriptions.ts`: about one per filter entry checked, `NOTIFICATION_COST` per
   * notification); past them its connections are closed (1008). `Infinity` disables. Default 500 000.
   */
  subscriptionWorkPerSecond: number;
  /** WebSocket ping interval in ms. Default 30 000. */
  heartbeatMs: number;
  /** Most open TCP connections from one remote address (HTTP and WebSocket). Default 256. */
  maxConnectionsPerIp: number;
  /** A request's headers must arrive within this many ms of its start (else 408, closed). Default 10 000. */
  headerTimeoutMs: number;
  /** A request's body must arrive within this many ms of its headers (else 408, closed). Default 10 000. */
  bodyTimeoutMs: number;
  /** An HTTP keep-alive connection idle for this long between requests is closed. Default 5 000. */
  idleTimeoutMs: number;
  /** A WebSocket that sent no message for this long and holds no subscription is closed (1000). Default 60 000. */
  wsIdleTimeoutMs: number;
}

/** The defaults of `RpcLimits`. */
export const DEFAULT_LIMITS: Readonly<RpcLimits> = {
  maxBodyBytes: 1024 * 1024,
  maxBatch: 100,
  maxResponseBytes: 64 * 1024 * 1024,
  requestsPerSecond: 1000,
  maxConnections: 1000,
  maxSubscriptionsPerConnection: 100,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxTotalBufferedBytes: 256 * 1024 * 1024,
  subscriptionWorkPerSecond: 500_000,
  heartbeatMs: 30_000,
  maxConnectionsPerIp: 256,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  idleTimeoutMs: 5_000,
  wsIdleTimeoutMs: 60_000,
};

/** `given` over the defaults, each checked: a RangeError names the first bad limit. */
export function resolveLimits(given: Partial<RpcLimits> | undefined): RpcLimits {
  const limits: RpcLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given ?? {}) as [keyof RpcLimits, number | undefined][]) {
    if (value !== undefined) limits[key] = value;
  }
  for (const [key, value] of Object.entries(limits)) {
    const rate = key === "requestsPerSecond" || key === "subscriptionWorkPerSecond";
    const ok = rate ? value > 0 : Number.isSafeInteger(value) && value > 0;
    if (!ok)
      throw new RangeError(
        `rpc limit ${key} must be a positive ${rate ? "number" : "integer"}, got ${value}`,
      );
  }
  return limits;
}
