/**
 * The HTTP transport: JSON-RPC over POST `/`, plain GET routes, CORS, body-size and
 * content-type checks, per-address rate limiting.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { clientAddress, clientKey } from "./clientKey.js";
import type { RpcDispatcher } from "./dispatch.js";
import { describeError, RpcError, RpcErrorCode } from "./errors.js";
import { encodeError } from "./protocol.js";
import type { KeyedRateLimiter } from "./rateLimit.js";
import type { RpcHandler, RpcLogger, RpcMethodContext } from "./types.js";

/** A plain HTTP GET route (e.g. `/metrics`): writes its own response. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The error the subscription methods answer over HTTP. */
export const SUBSCRIPTIONS_NEED_WEBSOCKET = "subscriptions need a WebSocket connection";

/** What the HTTP transport needs from the server. */
export interface HttpHandlerOptions {
  dispatcher: RpcDispatcher;
  limiter: KeyedRateLimiter;
  maxBodyBytes: number;
  /** A body not received in full this many ms after its headers is answered 408 and the socket cut. */
  bodyTimeoutMs: number;
  routes: Record<string, HttpRoute>;
  log: RpcLogger;
  /** The id the server gave the request's socket. */
  connectionIdOf: (socket: Socket) => string;
  /** Peers whose `X-Forwarded-For` names the client (`clientKey.ts`: `clientAddress`). */
  trustedProxies: ReadonlySet<string>;
}

const CORS_HEADERS = { "access-control-allow-origin": "*" } as const;
/** After a 413, at most this many more body bytes are read (and dropped) before the socket is cut. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/**
 * A body over the limit but at most this long (all of it, within the body timeout) is read to
 * its end and dropped before the 413 is sent: answered while the client was still sending, the
 * connection closed under it and the client saw a reset or a broken pipe instead of the 413.
 */
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/** The route `<dir>/*` of a path `<dir>/<last segment>` (e.g. `/explorer/tx/*`), if there is one. */
function prefixRoute(routes: Record<string, HttpRoute>, path: string): HttpRoute | undefined {
  const cut = path.lastIndexOf("/");
  if (cut <= 0) return undefined;
  const key = `${path.slice(0, cut)}/*`;
  return Object.hasOwn(routes, key) ? routes[key] : undefined;
}

const refuseSubscriptions: RpcHandler = () => {
  throw new RpcError(RpcErrorCode.MethodNotFound, SUBSCRIPTIONS_NEED_WEBSOCKET);
};
const HTTP_BUILTINS: Record<string, RpcHandler> = {
  weft_subscribe: refuseSubscriptions,
  weft_unsubscribe: refuseSubscriptions,
  eth_subscribe: refuseSubscriptions,
  eth_unsubscribe: refuseSubscriptions,
};

/** Builds the `request` listener of the server's HTTP server. */
export function createHttpHandler(
  options: HttpHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      options.log("error", "http request failed", { url: req.url, error: describeError(err) });
      if (!res.headersSent) sendText(res, 500, "internal error\n");
      else res.destroy();
    });
  };
}

async function handle(options: HttpHandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = new URL(req.url ?? "/", "http://localhost").pathname;
  } catch {
    sendText(res, 400, "bad request\n");
    return;
  }
  const method = req.method ?? "GET";
  if (method === "OPTIONS") {
    res.writeHead(204, {
      ...CORS_HEADERS,
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
      "access-control-max-age": "86400",
    });
    res.end();
    return;
  }
  const route = Object.hasOwn(options.routes, path)
    ? options.routes[path]
    : prefixRoute(options.routes, path);
  if (method === "GET" || method === "HEAD") {
    if (route !== undefined) {
      res.setHeader("access-control-allow-origin", "*");
      await route(req, res);
    } else if (path === "/") {
      const explorer = Object.hasOwn(options.routes, "/explorer") ? " The explorer is at /explorer." : "";
      sendText(res, 405, `Send JSON-RPC 2.0 requests with POST, or open a WebSocket.${explorer}\n`, {
        allow: "POST, OPTIONS",
      });
    } else sendText(res, 404, "not found\n");
    return;
  }
  if (path !== "/") {
    if (route !== undefined) sendText(res, 405, "method not allowed\n", { allow: "GET, HEAD, OPTIONS" });
    else sendText(res, 404, "not found\n");
    return;
  }
  if (method !== "POST") {
    sendText(res, 405, "method not allowed\n", { allow: "POST, OPTIONS" });
    return;
  }
  await handleRpc(options, req, res);
}

async function handleRpc(
  options: HttpHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (contentType !== "" && contentType !== "application/json") {
    const error = new RpcError(
      RpcErrorCode.InvalidRequest,
      "unsupported content-type: send application/json",
    );
    sendJson(res, 415, encodeError(null, error));
    return;
  }
  const body = await readBody(req, options.maxBodyBytes, options.bodyTimeoutMs);
  if (body === "aborted") return;
  if (body === "timeout") {
    const error = new RpcError(
      RpcErrorCode.InvalidRequest,
      `request body not received within ${options.bodyTimeoutMs} ms`,
      { bodyTimeoutMs: options.bodyTimeoutMs },
    );
    // The client is still sending: answer, then cut the connection rather than read the rest.
    sendJson(res, 408, encodeError(null, error), { connection: "close" }, () => req.socket.destroy());
    return;
  }
  if (body === "too-large") {
    const error = new RpcError(
      RpcErrorCode.RequestTooLarge,
      `request too large: the body is over the node's limit of ${options.maxBodyBytes} bytes`,
      { maxBodyBytes: options.maxBodyBytes },
    );
    const rest = await discardBody(req, options.bodyTimeoutMs);
    if (rest === "aborted") return;
    sendJson(res, 413, encodeError(null, error), { connection: "close" });
    if (rest === "cut") drainThenClose(req);
    return;
  }
  const socket = req.socket;
  const remoteAddress = clientAddress(
    socket.remoteAddress ?? "unknown",
    req.headers["x-forwarded-for"],
    options.trustedProxies,
  );
  const ctx: RpcMethodContext = {
    transport: "http",
    connectionId: options.connectionIdOf(socket),
    remoteAddress,
  };
  const result = await options.dispatcher.handle(
    body.toString("utf8"),
    ctx,
    () => options.limiter.take(clientKey(remoteAddress)),
    HTTP_BUILTINS,
  );
  if (res.destroyed) return;
  if (result.body === undefined) {
    res.writeHead(204, CORS_HEADERS);
    res.end();
  } else if (result.rateLimitedMs !== undefined) {
    sendJson(res, 429, result.body, { "retry-after": String(Math.ceil(result.rateLimitedMs / 1000)) });
  } else sendJson(res, 200, result.body);
}

type BodyRead = Buffer | "too-large" | "aborted" | "timeout";

/**
 * Reads the body up to `maxBytes` within `timeoutMs`. A declared content-length over the limit
 * is refused before reading; otherwise reading stops at the first chunk that crosses the limit,
 * or when the time is up (a body trickled a byte at a time is cut off).
 */
function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    const finish = (value: BodyRead) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish("too-large");
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onAbort = () => finish("aborted");
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
  });
}

/**
 * Reads and drops the rest of a body over the limit, so that the 413 reaches a client that
 * sends its whole body before it reads (and Node's close after a `connection: close` answer
 * does not reset the connection under unread bytes): "ended" when the body ended, "cut" when
 * it is longer than DISCARD_LIMIT_BYTES (declared or counted) or not sent within `timeoutMs`
 * (answered at once then, and cut after DRAIN_LIMIT_BYTES more), "aborted" if the client left.
 */
function discardBody(req: IncomingMessage, timeoutMs: number): Promise<"ended" | "cut" | "aborted"> {
  if (req.complete) return Promise.resolve("ended");
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT_BYTES) return Promise.resolve("cut");
  return new Promise((resolve) => {
    let size = 0;
    const timer = setTimeout(() => finish("cut"), timeoutMs);
    const finish = (value: "ended" | "cut" | "aborted") => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      if (value === "cut") req.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DISCARD_LIMIT_BYTES) finish("cut");
    };
    const onEnd = () => finish("ended");
    const onAbort = () => finish(req.complete ? "ended" : "aborted");
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
    req.resume();
  });
}

/**
 * After an early 413 the client may still be sending: drop up to DRAIN_LIMIT_BYTES more so it
 * can read the answer, then cut the connection (the answer said `connection: close`).
 */
function drainThenClose(req: IncomingMessage): void {
  if (req.complete) return;
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders = {},
  sent?: () => void,
): void {
  if (headers.connection === "close") res.removeHeader("keep-alive");
  res.writeHead(status, {
    ...CORS_HEADERS,
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body, sent);
}

function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    ...CORS_HEADERS,
    ...headers,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
