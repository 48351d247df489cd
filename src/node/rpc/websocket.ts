/**
 * The WebSocket transport: upgrades on any path of the HTTP server, runs each text message
 * through the dispatcher, adds the subscription methods, pings every connection on a
 * heartbeat and drops slow consumers.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { clientAddress, clientKey } from "./clientKey.js";
import type { RpcDispatcher } from "./dispatch.js";
import { describeError, RpcError, RpcErrorCode, rateLimited } from "./errors.js";
import { encodeError } from "./protocol.js";
import { TokenBucket } from "./rateLimit.js";
import { ETH_SUBSCRIPTIONS, type SubscriptionOwner, type SubscriptionRegistry } from "./subscriptions.js";
import type { RpcHandler, RpcLogger, RpcMethodContext } from "./types.js";

/** Close code sent to a slow consumer (RFC 6455 "policy violation"). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** Close code sent to every client when the server shuts down (RFC 6455 "going away"). */
export const CLOSE_GOING_AWAY = 1001;
/** Close code sent to a connection idle for `idleTimeoutMs` (RFC 6455 "normal closure"). */
export const CLOSE_NORMAL = 1000;

/** How long an idle connection has to answer the close frame before it is terminated. */
const IDLE_CLOSE_GRACE_MS = 1000;

/** What the WebSocket transport needs from the server. */
export interface WsHubOptions {
  dispatcher: RpcDispatcher;
  registry: SubscriptionRegistry;
  /** Largest accepted message, in bytes (larger ones close the connection with 1009). */
  maxPayload: number;
  /** Per-connection token-bucket rate (burst = 2×). */
  requestsPerSecond: number;
  /** A connection with more unsent bytes than this is closed with 1008. */
  maxBufferedBytes: number;
  /** Unsent bytes of all connections together: each may hold this / open connections at most. */
  maxTotalBufferedBytes: number;
  /** Ping interval; a connection that has not answered the previous ping is terminated. */
  heartbeatMs: number;
  /**
   * A connection that sent no message for this long and holds no subscription is closed
   * (1000): answering pings does not count as activity.
   */
  idleTimeoutMs: number;
  /** Peers whose `X-Forwarded-For` names the client (`clientKey.ts`: `clientAddress`). */
  trustedProxies: ReadonlySet<string>;
  log: RpcLogger;
}

class WsConnection implements SubscriptionOwner {
  alive = true;
  closing = false;
  /** When the client last sent a message (performance.now()). */
  lastMessageAt = performance.now();
  readonly bucket: TokenBucket;
  readonly ctx: RpcMethodContext;
  readonly clientKey: string;

  constructor(
    readonly connectionId: string,
    remoteAddress: string,
    readonly ws: WebSocket,
    private readonly hub: WsHubOptions,
    /** Open connections of the hub (for this one's share of `maxTotalBufferedBytes`). */
    private readonly open: () => number,
  ) {
    this.bucket = new TokenBucket(hub.requestsPerSecond);
    this.ctx = { transport: "ws", connectionId, remoteAddress };
    this.clientKey = clientKey(remoteAddress);
  }

  send(text: string): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    // Its own bound, or its share of the bound on all connections' unsent bytes together
    // (each paused connection holding 8 MiB, 1,000 held 8 GiB).
    const share = Math.floor(this.hub.maxTotalBufferedBytes / Math.max(1, this.open()));
    const limit = Math.min(this.hub.maxBufferedBytes, share);
    if (this.ws.bufferedAmount > limit) {
      this.kick(`slow consumer: over ${limit} bytes unsent`);
      return;
    }
    this.ws.send(text);
  }

  kick(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.hub.registry.dropOwner(this);
    this.hub.log("warn", "closing websocket connection", {
      connectionId: this.connectionId,
      remoteAddress: this.ctx.remoteAddress,
      reason,
    });
    // ws destroys the socket itself if the close handshake does not finish within 30 s.
    this.ws.close(CLOSE_POLICY_VIOLATION, reason);
  }
}

/** All WebSocket connections of one server. */
export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<WsConnection>();
  private heartbeat: NodeJS.Timeout | undefined;
  private idleSweep: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly options: WsHubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      clientTracking: false,
      perMessageDeflate: false,
    });
  }

  /** Number of open WebSocket connections. */
  size(): number {
    return this.conns.size;
  }

  /** Completes a WebSocket handshake for an HTTP upgrade request (any path). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, req));
  }

  /** Starts the heartbeat and idle timers (unref'd: they never keep the process alive). */
  start(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
    const every = Math.max(10, Math.min(1000, Math.floor(this.options.idleTimeoutMs / 4)));
    this.idleSweep = setInterval(() => this.closeIdle(), every);
    this.idleSweep.unref();
  }

  /**
   * Closes every connection with 1001 and waits for them to go; connections still open after
   * `graceMs` are terminated.
   */
  async closeAll(graceMs: number): Promise<void> {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.idleSweep !== undefined) clearInterval(this.idleSweep);
    this.heartbeat = undefined;
    this.idleSweep = undefined;
    const conns = [...this.conns];
    const closed = conns.map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === conn.ws.CLOSED) resolve();
          else conn.ws.once("close", () => resolve());
        }),
    );
    for (const conn of conns) {
      conn.closing = true;
      this.options.registry.dropOwner(conn);
      conn.ws.close(CLOSE_GOING_AWAY, "server shutting down");
    }
    const timer = setTimeout(() => {
      for (const conn of conns) conn.ws.terminate();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket, req: IncomingMessage): void {
    const conn = new WsConnection(
      `ws-${this.nextId++}`,
      clientAddress(
        req.socket.remoteAddress ?? "unknown",
        req.headers["x-forwarded-for"],
        this.options.trustedProxies,
      ),
      ws,
      this.options,
      () => this.conns.size,
    );
    this.conns.add(conn);
    ws.on("message", (data, isBinary) => {
      conn.alive = true;
      conn.lastMessageAt = performance.now();
      void this.onMessage(conn, data, isBinary);
    });
    ws.on("pong", () => {
      conn.alive = true;
    });
    ws.on("error", (err) => {
      this.options.log("warn", "websocket error", {
        connectionId: conn.connectionId,
        error: describeError(err),
      });
    });
    ws.on("close", () => {
      conn.closing = true;
      this.conns.delete(conn);
      this.options.registry.dropOwner(conn);
    });
  }

  private async onMessage(conn: WsConnection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      const wait = conn.bucket.take();
      const error =
        wait > 0
          ? rateLimited(wait)
          : new RpcError(RpcErrorCode.InvalidRequest, "binary messages are not supported; send JSON text");
      conn.send(encodeError(null, error));
      return;
    }
    const { registry, dispatcher } = this.options;
    const created: string[] = [];
    const builtins: Record<string, RpcHandler> = {
      weft_subscribe: (params) => {
        const id = registry.subscribe(conn, params);
        created.push(id);
        return id;
      },
      weft_unsubscribe: (params) => registry.unsubscribe(conn, params),
      eth_subscribe: (params) => {
        const id = registry.subscribe(conn, params, ETH_SUBSCRIPTIONS);
        created.push(id);
        return id;
      },
      eth_unsubscribe: (params) => registry.unsubscribe(conn, params),
    };
    try {
      const result = await dispatcher.handle(rawText(data), conn.ctx, () => conn.bucket.take(), builtins);
      if (result.body !== undefined) conn.send(result.body);
    } catch (err) {
      // The dispatcher maps every handler failure itself; reaching here is a bug in this layer.
      this.options.log("error", "websocket message failed", { error: describeError(err) });
    }
    if (created.length > 0) registry.activate(conn, created);
  }

  /** Closes connections that sent nothing for `idleTimeoutMs` and hold no subscription. */
  private closeIdle(): void {
    const now = performance.now();
    const { idleTimeoutMs, registry, log } = this.options;
    for (const conn of this.conns) {
      if (conn.closing || now - conn.lastMessageAt < idleTimeoutMs || registry.countOf(conn) > 0) continue;
      conn.closing = true;
      log("info", "closing idle websocket", {
        connectionId: conn.connectionId,
        remoteAddress: conn.ctx.remoteAddress,
      });
      conn.ws.close(CLOSE_NORMAL, `idle: no request for ${idleTimeoutMs} ms`);
      // A client that does not answer the close frame is cut off soon, not after ws's 30 s.
      setTimeout(() => conn.ws.terminate(), IDLE_CLOSE_GRACE_MS).unref();
    }
  }

  private beat(): void {
    for (const conn of this.conns) {
      if (!conn.alive) {
        this.options.log("info", "terminating unresponsive websocket", { connectionId: conn.connectionId });
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}
