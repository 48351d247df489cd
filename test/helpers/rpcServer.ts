/**
 * Test helpers for the JSON-RPC server: a set of demo methods, starting and stopping servers on
 * 127.0.0.1 (closed after the file's tests), HTTP posts and a queueing WebSocket client.
 */
import { request as httpRequest } from "node:http";
import { after } from "node:test";
import { WebSocket } from "ws";
import {
  createRpcServer,
  RpcError,
  type RpcHandler,
  type RpcLimits,
  type RpcLogLevel,
  type RpcServer,
  type RpcServerAddress,
  type RpcServerOptions,
} from "../../src/node/rpc/index.js";

export interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface Message {
  jsonrpc: string;
  id?: string | number | null;
  result?: unknown;
  error?: ErrorObject;
  method?: string;
  params?: { subscription: string; result: unknown };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LogLine {
  level: RpcLogLevel;
  message: string;
  fields: Record<string, unknown> | undefined;
}

export const methods: Record<string, RpcHandler> = {
  add: (params) => {
    const [a, b] = params as [number, number];
    return a + b;
  },
  echo: (params) => ({ params: params ?? "absent" }),
  context: (_params, ctx) => ctx,
  slowEcho: async (params) => {
    await sleep(30);
    return params;
  },
  rejectTx: () => {
    throw new RpcError(-32010, "nonce too low", { expected: 7, got: 3 });
  },
  crash: () => {
    throw new Error("secret database path /var/lib/weft");
  },
  asyncCrash: async () => {
    await sleep(1);
    throw new TypeError("boom");
  },
  bigint: () => ({ balance: 10n }),
  nothing: () => undefined,
};

export type Started = { server: RpcServer; addr: RpcServerAddress; logs: LogLine[] };
const open = new Set<RpcServer>();
after(async () => {
  await Promise.all([...open].map((s) => s.close()));
});

export async function start(
  options: Partial<Omit<RpcServerOptions, "limits">> & { limits?: Partial<RpcLimits> } = {},
): Promise<Started> {
  const logs: LogLine[] = [];
  const server = createRpcServer({
    port: 0,
    methods,
    log: (level, message, fields) => logs.push({ level, message, fields }),
    ...options,
  });
  open.add(server);
  const addr = await server.listen();
  return { server, addr, logs };
}

export async function stop(s: Started): Promise<void> {
  await s.server.close();
  open.delete(s.server);
}

/** POSTs `body` (a string is sent as is) and returns status, headers and parsed JSON (if any). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

export async function call(
  url: string,
  method: string,
  params?: unknown,
  id: string | number = 1,
): Promise<Message> {
  const body: Record<string, unknown> = { jsonrpc: "2.0", id, method };
  if (params !== undefined) body.params = params;
  const res = await post(url, body);
  return res.json as Message;
}

/** A WebSocket client that queues what it receives. */
export class Client {
  private readonly queue: Message[] = [];
  private readonly waiters: ((m: Message) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as Message;
      const waiter = this.waiters.shift();
      if (waiter) waiter(msg);
      else this.queue.push(msg);
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  static open(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<Client> {
    const ws = new WebSocket(url, options);
    const client = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
    });
  }

  next(timeoutMs = 2000): Promise<Message> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no message")), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** Resolves true if nothing arrives within `ms`. */
  async quiet(ms: number): Promise<boolean> {
    await sleep(ms);
    return this.queue.length === 0;
  }

  send(payload: unknown): void {
    this.ws.send(typeof payload === "string" ? payload : JSON.stringify(payload));
  }

  request(payload: unknown): Promise<Message> {
    this.send(payload);
    return this.next();
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

/** POSTs with node:http: no content type, and a chunked body when given several chunks. */
export function rawPost(url: string, chunks: string | string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const chunk of typeof chunks === "string" ? [chunks] : chunks) req.write(chunk);
    req.end();
  });
}
