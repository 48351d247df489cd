/**
 * JSON-RPC error objects: the `RpcError` handlers throw and the codes this server uses.
 * Handlers may throw any code of their own (the node uses -32000..-32099 for transaction
 * rejections, avoiding the server's -32003 and -32005..-32008); the server sends code, message and data
 * exactly as given.
 */

/** The error codes the RPC layer itself produces (JSON-RPC 2.0 standard codes plus server codes). */
export const RpcErrorCode = {
  /** The message is not valid JSON. */
  ParseError: -32700,
  /** Valid JSON but not a valid JSON-RPC request (or an empty batch, or a binary WebSocket frame). */
  InvalidRequest: -32600,
  /** No such method (also: subscriptions asked for over HTTP). */
  MethodNotFound: -32601,
  /** The method exists but its params are wrong (also: unknown subscription topic, bad filter). */
  InvalidParams: -32602,
  /** The handler failed unexpectedly or returned something that is not JSON-serialisable. */
  InternalError: -32603,
  /** Too many requests; `data: { retryAfterMs }` says when one more will be accepted. */
  RateLimited: -32005,
  /** The HTTP body exceeds `limits.maxBodyBytes` (sent with HTTP 413). */
  RequestTooLarge: -32006,
  /** The batch has more than `limits.maxBatch` elements. */
  BatchTooLarge: -32007,
  /** The connection already holds `limits.maxSubscriptionsPerConnection` subscriptions. */
  TooManySubscriptions: -32008,
  /** The message's answers would take more than `limits.maxResponseBytes` (`responseBudget.ts`; geth's code for it). */
  ResponseTooLarge: -32003,
} as const;

/** An error with a JSON-RPC code; thrown by handlers, sent to the client as `{code, message, data}`. */
export class RpcError extends Error {
  /** The JSON-RPC error code (an integer). */
  readonly code: number;
  /** Optional JSON-safe detail sent as the error's `data` member. */
  readonly data?: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

/** -32602 with the given message: for handlers rejecting their params. */
export function invalidParams(message: string, data?: unknown): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, message, data);
}

/** -32005 "rate limited" with `data: { retryAfterMs }`. */
export function rateLimited(retryAfterMs: number): RpcError {
  return new RpcError(RpcErrorCode.RateLimited, "rate limited", { retryAfterMs });
}

/** -32603 "internal error": what the client sees when a handler fails with anything but an RpcError. */
export function internalError(): RpcError {
  return new RpcError(RpcErrorCode.InternalError, "internal error");
}

/** A one-line description of any thrown value, for logs (never sent to clients). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return String(err);
  } catch {
    return "unprintable error";
  }
}
