/**
 * The WebSocket transport: requests matched to answers by id, subscriptions, and (by
 * default) reconnection that re-creates live subscriptions with the same handlers.
 *
 * The connection opens on the first request. While it is down, requests fail with
 * `TransportError`; a subscription whose connection cannot be restored (after
 * `reconnect.attempts` tries) gets `onError`. `close()` ends everything.
 */
import WebSocket, { type RawData } from "ws";
import { rpcErrorFor, TimeoutError, TransportError } from "./errors.js";
import {
  DEFAULT_TIMEOUT_MS,
  isRpcResponse,
  type RequestOptions,
  type RpcResponse,
  type SubscriptionHandlers,
  type Transport,
  type Unsubscribe,
} from "./transport.js";

export interface WebSocketTransportOptions {
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Restore the connection and its subscriptions when it drops (default: 5 attempts, 250 ms apart). */
  reconnect?: boolean | { attempts?: number; delayMs?: number };
}

const SUBSCRIPTION_METHOD = "weft_subscription";

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Runs synchronously with the result, before any later message is handled. */
  onResult?: (result: unknown) => void;
}

interface Subscription {
  topic: string;
  filter: unknown;
  handlers: SubscriptionHandlers;
  id: string | undefined;
}

/** A transport over one WebSocket connection to `url` (ws:// or wss://). */
export function webSocket(url: string, options: WebSocketTransportOptions = {}): Transport {
  return new WsTransport(url, options);
}

class WsTransport implements Transport {
  readonly kind = "webSocket" as const;
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly byId = new Map<string, Subscription>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly delayMs: number;

  constructor(
    readonly url: string,
    options: WebSocketTransportOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const r = options.reconnect ?? true;
    this.attempts = r === false ? 0 : r === true ? 5 : (r.attempts ?? 5);
    this.delayMs = typeof r === "object" ? (r.delayMs ?? 250) : 250;
  }

  request<T = unknown>(method: string, params: unknown[] = [], options: RequestOptions = {}): Promise<T> {
    return this.send(method, params, options.timeoutMs ?? this.timeoutMs) as Promise<T>;
  }

  async subscribe(topic: string, filter: unknown, handlers: SubscriptionHandlers): Promise<Unsubscribe> {
    const sub: Subscription = { topic, filter, handlers, id: undefined };
    await this.activate(sub);
    this.subscriptions.add(sub);
    return async () => {
      if (!this.subscriptions.delete(sub)) return;
      const id = sub.id;
      if (id === undefined) return;
      this.byId.delete(id);
      if (this.socket?.readyState !== WebSocket.OPEN) return;
      try {
        await this.send("weft_unsubscribe", [id], this.timeoutMs);
      } catch {
        // The connection went away: the node dropped the subscription with it.
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.failPending(new TransportError("transport closed", { url: this.url }));
    this.subscriptions.clear();
    this.byId.clear();
    const socket = this.socket ?? (await this.opening?.catch(() => undefined));
    this.socket = undefined;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1_000);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000);
    });
  }

  /** Asks the node for a subscription id and routes its events to `sub` from the first one. */
  private async activate(sub: Subscription): Promise<void> {
    const params = sub.filter === undefined ? [sub.topic] : [sub.topic, sub.filter];
    await this.send("weft_subscribe", params, this.timeoutMs, (result) => {
      if (typeof result !== "string") return;
      sub.id = result;
      this.byId.set(result, sub);
    });
  }

  private async send(
    method: string,
    params: unknown[],
    timeoutMs: number,
    onResult?: (result: unknown) => void,
  ): Promise<unknown> {
    const socket = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`${method}: no answer from the node`, timeoutMs, [`url: ${this.url}`]));
      }, timeoutMs);
      const entry: Pending = { method, resolve, reject, timer };
      if (onResult !== undefined) entry.onResult = onResult;
      this.pending.set(id, entry);
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }), (error) => {
        if (error === undefined || error === null) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new TransportError(`${method}: send failed`, { url: this.url, cause: error }));
      });
    });
  }

  private connect(): Promise<WebSocket> {
    if (this.closed) return Promise.reject(new TransportError("transport closed", { url: this.url }));
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening !== undefined) return this.opening;
    const opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      const failed = (error: Error) =>
        reject(new TransportError("cannot open the WebSocket connection", { url: this.url, cause: error }));
      ws.once("error", failed);
      ws.once("open", () => {
        ws.off("error", failed);
        ws.on("error", () => {}); // 'close' follows and does the work
        if (this.closed) {
          ws.terminate();
          reject(new TransportError("transport closed", { url: this.url }));
          return;
        }
        this.socket = ws;
        resolve(ws);
      });
      ws.on("message", (data: RawData) => this.onMessage(data));
      ws.on("close", (code: number) => this.onClose(ws, code));
    });
    this.opening = opening;
    const clear = () => {
      if (this.opening === opening) this.opening = undefined;
    };
    opening.then(clear, clear);
    return opening;
  }

  private onMessage(data: RawData): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.handle(message);
  }

  private handle(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const m = message as { method?: unknown; params?: { subscription?: unknown; result?: unknown } };
    if (m.method === SUBSCRIPTION_METHOD) {
      const sub =
        typeof m.params?.subscription === "string" ? this.byId.get(m.params.subscription) : undefined;
      if (sub === undefined) return;
      try {
        sub.handlers.onEvent(m.params?.result);
      } catch (error) {
        sub.handlers.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (!isRpcResponse(message)) return;
    const r = message as RpcResponse;
    const entry = typeof r.id === "number" ? this.pending.get(r.id) : undefined;
    if (entry === undefined || typeof r.id !== "number") return;
    this.pending.delete(r.id);
    clearTimeout(entry.timer);
    if (r.error !== undefined) entry.reject(rpcErrorFor(entry.method, r.error));
    else {
      entry.onResult?.(r.result);
      entry.resolve(r.result);
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (this.socket !== ws) return;
    this.socket = undefined;
    this.failPending(new TransportError(`connection closed (code ${code})`, { url: this.url }));
    this.byId.clear();
    for (const sub of this.subscriptions) sub.id = undefined;
    if (this.closed || this.subscriptions.size === 0) return;
    this.restore(0, code);
  }

  /** Reconnects and re-subscribes everything, or gives up and tells every subscriber. */
  private restore(attempt: number, code: number): void {
    if (attempt >= this.attempts) {
      const error = new TransportError(`connection lost (code ${code})`, {
        url: this.url,
        details: [`reconnect attempts: ${attempt}`],
      });
      const subs = [...this.subscriptions];
      this.subscriptions.clear();
      for (const sub of subs) sub.handlers.onError?.(error);
      return;
    }
    this.reconnectTimer = setTimeout(
      async () => {
        this.reconnectTimer = undefined;
        if (this.closed) return;
        try {
          for (const sub of this.subscriptions) if (sub.id === undefined) await this.activate(sub);
        } catch {
          if (!this.closed && this.socket === undefined) this.restore(attempt + 1, code);
        }
      },
      this.delayMs * (attempt + 1),
    );
  }

  private failPending(error: TransportError): void {
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.pending.delete(id);
      entry.reject(error);
    }
  }
}
