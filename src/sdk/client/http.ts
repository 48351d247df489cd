/**
 * The HTTP transport: one POST per request, with a timeout and retries.
 *
 * Retried (with a growing delay, honouring the node's `retry-after` / `retryAfterMs`):
 * network failures, HTTP 429 and 5xx, JSON-RPC -32005 "rate limited", and timeouts, except
 * that `weft_sendRawTransaction` is not retried after a timeout (the node may have admitted
 * it; the transaction's hash is known locally, so ask for it instead).
 */
import { RpcRequestError, rpcErrorFor, TimeoutError, TransportError } from "./errors.js";
import { DEFAULT_TIMEOUT_MS, isRpcResponse, type RequestOptions, type Transport } from "./transport.js";

export interface HttpTransportOptions {
  /** Per attempt (default 30 s). */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (default 2). */
  retries?: number;
  /** First retry delay; doubles each time (default 150 ms). */
  retryDelayMs?: number;
  headers?: Record<string, string>;
}

const RATE_LIMITED = -32005;
const MAX_RETRY_WAIT_MS = 5_000;
/** Methods that must not be sent twice when the first attempt's fate is unknown. */
const NOT_IDEMPOTENT = new Set(["weft_sendRawTransaction"]);

class Retry {
  constructor(
    readonly error: Error,
    readonly waitMs?: number,
  ) {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A transport sending JSON-RPC over HTTP POST to `url`. */
export function http(url: string, options: HttpTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? 2;
  const baseDelay = options.retryDelayMs ?? 150;
  let nextId = 1;
  const inFlight = new Set<AbortController>();

  async function attempt(method: string, params: unknown[], limitMs: number): Promise<unknown> {
    const controller = new AbortController();
    inFlight.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limitMs);
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...options.headers },
          body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
          signal: controller.signal,
        });
      } catch (error) {
        if (timedOut) {
          const err = new TimeoutError(`${method}: no answer from the node`, limitMs, [`url: ${url}`]);
          throw NOT_IDEMPOTENT.has(method) ? err : new Retry(err);
        }
        if (controller.signal.aborted) throw new TransportError("transport closed", { url });
        throw new Retry(
          new TransportError(`${method}: cannot reach the node`, { url, cause: causeOf(error) }),
        );
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const retryAfter = Number(res.headers.get("retry-after"));
      if (res.status === 429 || res.status >= 500) {
        const err = isRpcResponse(body)
          ? rpcErrorFor(method, body.error ?? { code: res.status, message: res.statusText })
          : new TransportError(`${method}: HTTP ${res.status}`, { url, status: res.status });
        throw new Retry(err, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
      }
      if (!isRpcResponse(body))
        throw new TransportError(`${method}: the answer is not a JSON-RPC response`, {
          url,
          status: res.status,
          details: [`body: ${text.slice(0, 200)}`],
        });
      if (body.error !== undefined) {
        const err = rpcErrorFor(method, body.error);
        if (err.code === RATE_LIMITED) {
          const wait = (body.error.data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
          throw new Retry(err, typeof wait === "number" ? wait : undefined);
        }
        throw err;
      }
      return body.result;
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    kind: "http",
    url,
    async request<T>(method: string, params: unknown[] = [], req: RequestOptions = {}): Promise<T> {
      const limit = req.timeoutMs ?? timeoutMs;
      for (let i = 0; ; i++) {
        try {
          return (await attempt(method, params, limit)) as T;
        } catch (error) {
          if (!(error instanceof Retry)) throw error;
          if (i >= retries) {
            if (error.error instanceof TransportError || error.error instanceof RpcRequestError)
              error.error.details.push(`attempts: ${i + 1}`);
            throw error.error;
          }
          await sleep(Math.min(MAX_RETRY_WAIT_MS, error.waitMs ?? baseDelay * 2 ** i));
        }
      }
    },
    async close() {
      for (const c of inFlight) c.abort();
    },
  };
}

function causeOf(error: unknown): unknown {
  // fetch wraps the socket error ("ECONNREFUSED"...) in `cause`.
  return error instanceof Error && error.cause instanceof Error ? error.cause : error;
}
