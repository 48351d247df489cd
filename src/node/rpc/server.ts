/**
 * Weft's JSON-RPC 2.0 server, over HTTP and WebSocket on one port. The node supplies a table of
 * method handlers and publishes subscription events; this layer knows nothing about chains.
 *
 * Wire behaviour
 *
 * HTTP
 * - `POST /` with `content-type: application/json` (a missing content type is accepted; any
 *   other is answered 415). The body is one request object or a batch (an array of them).
 * - Bodies over `limits.maxBodyBytes` (default 1 MiB) are refused: 413 with a -32006 error body
 *   naming the limit, and the connection is closed. The rest of a body up to 16 MiB is read and
 *   dropped first (answered mid-upload, the close reset the connection under a client still
 *   sending: a broken pipe, not the 413); a longer one is answered at once (`http.ts`).
 * - JSON-RPC-level errors are sent with HTTP 200 and an error object. Exceptions: 413 (body too
 *   large), 415 (content type), 429 with `retry-after` (seconds) when every response in the
 *   message was refused by the rate limiter, and 204 with no body when nothing is owed (the
 *   message held only notifications).
 * - `GET`/`HEAD` on a path in `routes` (exact path; the query string is ignored) calls that
 *   route. `GET /` answers 405; unknown paths 404; a route path with another method 405.
 * - CORS: every response has `access-control-allow-origin: *`; `OPTIONS` on any path is a
 *   preflight answered 204 allowing GET, POST and the requested headers.
 *
 * WebSocket (upgrade on any path of the same port)
 * - Each text message is a request or batch with the same semantics; the response (if any) is
 *   one text message. Responses to pipelined messages may arrive out of order: match on `id`.
 * - Binary messages are answered with -32600. Messages over `maxBodyBytes` close the connection
 *   with 1009 (message too big).
 * - The server pings every 30 s and terminates a connection that did not answer the previous
 *   ping. A connection with more than `maxBufferedBytes` (8 MiB) unsent, or more than its
 *   share of `maxTotalBufferedBytes` (256 MiB over the open connections), is closed with 1008.
 * - Publishing to a client's subscriptions is charged to it (all its connections together):
 *   past `subscriptionWorkPerSecond` (500,000 units a second, burst 2×: about one unit per
 *   filter entry checked, 40 per notification), the connection due a notification is closed
 *   with 1008 and its subscriptions end (`subscriptions.ts`).
 * - A connection that sent no message for `wsIdleTimeoutMs` (60 s) and holds no subscription
 *   is closed with 1000: answering pings is not activity.
 * - `close()` closes every connection with 1001.
 *
 * Requests and batches
 * - Request: `{"jsonrpc":"2.0","method":string,"params"?:array|object,"id"?:string|number|null}`.
 *   Without `id` it is a notification: it runs but gets no response (not even an error).
 * - `params` nested deeper than `MAX_PARAMS_DEPTH` (32) levels get -32602 with `data: {maxDepth}`
 *   before any handler sees them (checked without recursion, so any depth is safe).
 * - Invalid requests (not an object, `jsonrpc` not "2.0", `method` not a string, `id` not a
 *   string/number/null, `params` not an array/object) get -32600, with their id when the id is
 *   valid and null otherwise. Unparseable JSON gets -32700 with id null.
 * - Batch: elements run concurrently; the response array keeps the request order and leaves
 *   out notifications; every invalid element gets its own -32600. `[]` gets a single -32600;
 *   more than `maxBatch` (100) elements a single -32007.
 * - Handlers' `RpcError`s are sent as `{code, message, data}` unchanged. Any other failure, or
 *   a result that is not JSON-serialisable (a bigint, a cycle), is sent as -32603
 *   "internal error" and the real error goes to `log`.
 *
 * Remote addresses are counted per client (`clientKey.ts`): an IPv6 address by its /64, an
 * IPv4-mapped one (`::ffff:1.2.3.4`) as the IPv4 address. A request through a configured
 * trusted proxy is counted under the address `X-Forwarded-For` gives (`trustedProxies`);
 * otherwise the header is ignored. Connection limits always count the socket's peer.
 *
 * Rate limiting: a token bucket per WebSocket connection and per remote address for HTTP,
 * `requestsPerSecond` (1000) with a burst of twice that; each batch element costs one token.
 * A refused request gets -32005 with `data: {retryAfterMs}`; a refused notification is dropped.
 *
 * Connections: at most `maxConnections` (1000) open TCP connections (HTTP keep-alive and
 * WebSocket alike), and at most `maxConnectionsPerIp` (256) from one remote address; the next is
 * answered 503 and closed (or cut after a second if it sends nothing). A request's headers must
 * arrive within `headerTimeoutMs` (10 s) and its body within `bodyTimeoutMs` (10 s) after them,
 * else 408 and the connection is cut (a body trickled byte by byte is cut off); a keep-alive
 * connection idle for `idleTimeoutMs` (5 s) is closed. Answers advertise a shorter idle time
 * (`Keep-Alive: timeout=`, `KEEP_ALIVE_MARGIN_MS` less, at least 1 s): clients (fetch
 * reuses a connection for that time less 1 s) then stop reusing a connection seconds before
 * the server closes it. Advertising the time enforced left 1 s, and a stall of either side
 * longer than that (a loaded machine, a client blocked in `spawnSync`) sent a request on a
 * connection the server was closing: "fetch failed: other side closed", the request unread.
 *
 * Subscriptions (WebSocket only)
 * - `weft_subscribe` params `[topic, filter?]` returns a subscription id (`0x` + 32 hex digits,
 *   random). Unknown topic: -32602 listing the known ones (`data.topics`); a bad filter: the
 *   topic's -32602; over `maxSubscriptionsPerConnection` (100): -32008.
 * - Events: `{"jsonrpc":"2.0","method":"weft_subscription","params":{"subscription":id,"result":payload}}`,
 *   never before the response carrying the id.
 * - `weft_unsubscribe` params `[id]` returns true if this connection held it, else false.
 * - `eth_subscribe` / `eth_unsubscribe` do the same for Ethereum clients: topic `t` is the
 *   registered topic `eth_t`, and events come as `eth_subscription` notifications.
 * - Over HTTP both methods answer -32601 "subscriptions need a WebSocket connection": the
 *   method is not available on that transport (as in geth; clients take -32601 to mean "poll
 *   instead").
 * - Subscriptions end with their connection.
 *
 * Error codes
 *   -32700  parse error                 the message is not JSON
 *   -32600  invalid request             bad request shape, empty batch, binary WS frame, HTTP 415
 *   -32601  method not found            also weft_subscribe/weft_unsubscribe over HTTP
 *   -32602  invalid params              handlers' own; unknown topic; bad subscription filter
 *   -32603  internal error              a handler threw a non-RpcError, or its result/data is not JSON
 *   -32005  rate limited                data: {retryAfterMs}
 *   -32006  request too large           HTTP 413; data: {maxBodyBytes}
 *   -32007  batch too large             data: {maxBatch}
 *   -32008  too many subscriptions      data: {limit}
 *   -32003  response too large          data: {maxResponseBytes}: the message's answers passed
 *                                       `maxResponseBytes`; each element from there on gets it
 * Handlers may throw any other code (the node's transaction rejections use -32000..-32099,
 * minus the five server codes above) and it is sent unchanged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { clientKey, hostOf } from "./clientKey.js";
import { RpcDispatcher } from "./dispatch.js";
import { createHttpHandler, type HttpRoute } from "./http.js";
import { type RpcLimits, resolveLimits } from "./limits.js";
import { KeyedRateLimiter } from "./rateLimit.js";
import { SubscriptionRegistry, type TopicSpec } from "./subscriptions.js";
import type { RpcHandler, RpcLogger } from "./types.js";
import { WsHub } from "./websocket.js";

export { DEFAULT_LIMITS, type RpcLimits } from "./limits.js";

/** Options of `createRpcServer`. */
export interface RpcServerOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 picks any free port. */
  port: number;
  /** The method table; looked up (own properties) on every call, so the node may add methods later. */
  methods: Record<string, RpcHandler>;
  /** Subscription topics the node will `publish` to. */
  topics?: Record<string, TopicSpec>;
  limits?: Partial<RpcLimits>;
  /** Plain HTTP GET routes by exact path, e.g. "/metrics". */
  routes?: Record<string, HttpRoute>;
  /** Called after each call of a registered method (not for unknown methods or invalid requests). */
  onRequest?: (method: string, durationMs: number, ok: boolean) => void;
  /** Receives what clients are not told: handler failures, dropped connections. */
  log?: RpcLogger;
  /**
   * Addresses of reverse proxies in front of the node: a request from one of them is counted
   * under the client address its `X-Forwarded-For` gives (`clientKey.ts`). Default none: the
   * header is ignored.
   */
  trustedProxies?: string[];
}

/** Where a listening server can be reached. */
export interface RpcServerAddress {
  port: number;
  /** e.g. `http://127.0.0.1:8545` */
  url: string;
  /** e.g. `ws://127.0.0.1:8545` */
  wsUrl: string;
}

/** A JSON-RPC server; see the top of this file for its wire behaviour. */
export interface RpcServer {
  /** Binds and starts serving. */
  listen(): Promise<RpcServerAddress>;
  /** Stops accepting, closes every connection (WebSockets with 1001) and resolves when all are gone. */
  close(): Promise<void>;
  /** Sends `payload` to every matching subscription of `topic` (which must be registered). */
  publish(topic: string, payload: unknown): void;
  /** Whether any subscription of `topic` is live. */
  hasSubscribers(topic: string): boolean;
  /** Number of open TCP connections (HTTP keep-alive and WebSocket). */
  connections(): number;
}

/** How much shorter than `idleTimeoutMs` the keep-alive time advertised to clients is. */
export const KEEP_ALIVE_MARGIN_MS = 2_000;

/** How long `close()` lets WebSocket clients answer the close frame before cutting them off. */
const CLOSE_GRACE_MS = 1000;
/** How long a refused connection may take to send the request that will be answered 503. */
const REFUSED_GRACE_MS = 1000;

const noLog: RpcLogger = () => {};

/** Creates (but does not start) a JSON-RPC server. */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const limits = resolveLimits(options.limits);
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? noLog;
  const trustedProxies = new Set((options.trustedProxies ?? []).map(hostOf));
  const dispatcher = new RpcDispatcher({
    methods: options.methods,
    maxBatch: limits.maxBatch,
    maxResponseBytes: limits.maxResponseBytes,
    onRequest: options.onRequest,
    log,
  });
  const registry = new SubscriptionRegistry(
    options.topics ?? {},
    limits.maxSubscriptionsPerConnection,
    limits.maxBufferedBytes,
    log,
    limits.subscriptionWorkPerSecond,
  );
  const hub = new WsHub({
    dispatcher,
    registry,
    maxPayload: limits.maxBodyBytes,
    requestsPerSecond: limits.requestsPerSecond,
    maxBufferedBytes: limits.maxBufferedBytes,
    maxTotalBufferedBytes: limits.maxTotalBufferedBytes,
    heartbeatMs: limits.heartbeatMs,
    idleTimeoutMs: limits.wsIdleTimeoutMs,
    trustedProxies,
    log,
  });

  let listening = false;
  let closing: Promise<void> | undefined;
  const sockets = new Set<Socket>();
  /** Open connections per remote address. */
  const perIp = new Map<string, number>();
  const refused = new WeakSet<Socket>();
  const socketIds = new WeakMap<Socket, string>();
  let nextSocketId = 1;

  const onHttp = createHttpHandler({
    dispatcher,
    limiter: new KeyedRateLimiter(limits.requestsPerSecond),
    maxBodyBytes: limits.maxBodyBytes,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    routes: options.routes ?? {},
    log,
    connectionIdOf: (socket) => socketIds.get(socket) ?? "http-0",
    trustedProxies,
  });
  const advertisedKeepAliveSeconds = Math.max(
    1,
    Math.floor((limits.idleTimeoutMs - KEEP_ALIVE_MARGIN_MS) / 1000),
  );
  const server = createServer(
    {
      // Node checks the header and request timeouts on this interval (30 s by default).
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1000, Math.floor(Math.min(limits.headerTimeoutMs, limits.bodyTimeoutMs) / 4)),
      ),
      headersTimeout: limits.headerTimeoutMs,
      // A backstop for the body timeout `http.ts` enforces itself.
      requestTimeout: limits.headerTimeoutMs + limits.bodyTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (req.httpVersionMinor >= 1 && !/\bclose\b/i.test(req.headers.connection ?? "")) {
        // Set here, Node sends these instead of its own `Keep-Alive: timeout=` (the enforced time).
        res.setHeader("connection", "keep-alive");
        res.setHeader("keep-alive", `timeout=${advertisedKeepAliveSeconds}`);
      }
      if (refused.has(req.socket)) {
        res.removeHeader("keep-alive");
        res.writeHead(503, { connection: "close", "content-type": "text/plain" });
        res.end("too many connections\n");
        return;
      }
      onHttp(req, res);
    },
  );
  // A hard ceiling for sockets refused with 503 while they wait for their request.
  server.maxConnections = limits.maxConnections * 2;
  server.on("connection", (socket: Socket) => {
    const ip = clientKey(socket.remoteAddress ?? "unknown");
    const fromIp = perIp.get(ip) ?? 0;
    if (sockets.size >= limits.maxConnections || fromIp >= limits.maxConnectionsPerIp) {
      refused.add(socket);
      socket.setTimeout(REFUSED_GRACE_MS, () => socket.destroy());
      return;
    }
    sockets.add(socket);
    perIp.set(ip, fromIp + 1);
    socketIds.set(socket, `http-${nextSocketId++}`);
    socket.once("close", () => {
      sockets.delete(socket);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (refused.has(socket) || closing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    hub.handleUpgrade(req, socket, head);
  });

  return {
    listen() {
      if (listening || closing) return Promise.reject(new Error("rpc server already started"));
      listening = true;
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, host, () => {
          server.off("error", reject);
          server.on("error", (err) => log("error", "rpc server error", { error: err.message }));
          hub.start();
          const port = (server.address() as AddressInfo).port;
          const shown = urlHost(host);
          log("info", "rpc server listening", { host, port });
          resolve({ port, url: `http://${shown}:${port}`, wsUrl: `ws://${shown}:${port}` });
        });
      });
    },
    close() {
      if (closing === undefined) closing = shutdown();
      return closing;
    },
    publish(topic, payload) {
      registry.publish(topic, payload);
    },
    hasSubscribers: (topic) => registry.hasSubscribers(topic),
    connections() {
      return sockets.size;
    },
  };

  async function shutdown(): Promise<void> {
    if (!listening) return;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await hub.closeAll(CLOSE_GRACE_MS);
    // In-flight HTTP requests and anything else still open are cut now.
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    await stopped;
  }
}

/** The host as it appears in a URL: wildcard binds are reached over loopback; IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
