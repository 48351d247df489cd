/**
 * What the client needs from a connection to a node: JSON-RPC requests, and (WebSocket
 * only) subscriptions. `http(url)` and `webSocket(url)` make one.
 */
import { TransportError } from "./errors.js";

/** Receives a subscription's events (`weft_subscription` notifications) and its failure. */
export interface SubscriptionHandlers {
  onEvent(payload: unknown): void;
  /** The subscription ended without being asked to (the connection was lost for good). */
  onError?(error: Error): void;
}

/** Ends a subscription; resolves once the node was told (or the connection is gone). */
export type Unsubscribe = () => Promise<void>;

export interface RequestOptions {
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
}

export interface Transport {
  readonly kind: "http" | "webSocket";
  readonly url: string;
  /** Sends one JSON-RPC request; resolves with its result or rejects with a client error. */
  request<T = unknown>(method: string, params?: unknown[], options?: RequestOptions): Promise<T>;
  /**
   * Subscribes to a node topic (`newHeads`, `logs`, `pendingTransactions`); resolves once the
   * node has answered with the subscription id, so no later event is missed. WebSocket only.
   */
  subscribe?(topic: string, filter: unknown, handlers: SubscriptionHandlers): Promise<Unsubscribe>;
  /** Closes connections; pending requests fail with `TransportError`. */
  close(): Promise<void>;
}

/** A JSON-RPC response object. */
export interface RpcResponse {
  jsonrpc?: string;
  id?: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The error for subscribing over a transport that cannot. */
export function subscriptionsUnsupported(transport: Transport): TransportError {
  return new TransportError("subscriptions need a WebSocket transport", {
    url: transport.url,
    details: [
      `this client uses the ${transport.kind} transport`,
      "create the client with webSocket(url) to watch blocks, logs or pending transactions",
    ],
  });
}

export function isRpcResponse(value: unknown): value is RpcResponse {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const r = value as RpcResponse;
  if (r.error !== undefined)
    return typeof r.error === "object" && r.error !== null && typeof r.error.code === "number";
  return "result" in r;
}
