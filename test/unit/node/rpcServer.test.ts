/**
 * The JSON-RPC server against real sockets on 127.0.0.1: HTTP single/batch/notification
 * semantics, error mapping, limits, routes and CORS; WebSocket calls, subscriptions, slow
 * consumers, heartbeat and shutdown. Also the token bucket and the parser on their own.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { WebSocket } from "ws";
import {
  createRpcServer,
  RpcError,
  type RpcHandler,
  type RpcLimits,
  type RpcLogLevel,
  type RpcMethodContext,
  type RpcServer,
  type RpcServerAddress,
  type RpcServerOptions,
} from "../../../src/node/rpc/index.js";
import { parseMessage, validateRequest } from "../../../src/node/rpc/protocol.js";
import { KeyedRateLimiter, TokenBucket } from "../../../src/node/rpc/rateLimit.js";

interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
interface Message {
  jsonrpc: string;
  id?: string | number | null;
  result?: unknown;
  error?: ErrorObject;
  method?: string;
  params?: { subscription: string; result: unknown };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  level: RpcLogLevel;
  message: string;
  fields: Record<string, unknown> | undefined;
}

const methods: Record<string, RpcHandler> = {
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

type Started = { server: RpcServer; addr: RpcServerAddress; logs: LogLine[] };
const open = new Set<RpcServer>();
after(async () => {
  await Promise.all([...open].map((s) => s.close()));
});

async function start(
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

async function stop(s: Started): Promise<void> {
  await s.server.close();
  open.delete(s.server);
}

/** POSTs `body` (a string is sent as is) and returns status, headers and parsed JSON (if any). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
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

async function call(
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
class Client {
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
function rawPost(url: string, chunks: string | string[]): Promise<{ status: number; body: string }> {
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

describe("rpc server over HTTP", () => {
  it("answers a single call with by-position params", async () => {
    const s = await start();
    const res = await post(s.addr.url, { jsonrpc: "2.0", id: 7, method: "add", params: [2, 3] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(res.json, { jsonrpc: "2.0", id: 7, result: 5 });
    assert.deepEqual(await call(s.addr.url, "echo", { a: 1 }, "x"), {
      jsonrpc: "2.0",
      id: "x",
      result: { params: { a: 1 } },
    });
    assert.deepEqual((await call(s.addr.url, "echo")).result, { params: "absent" });
    assert.deepEqual((await call(s.addr.url, "nothing")).result, null);
    const ctx = (await call(s.addr.url, "context")).result as RpcMethodContext;
    assert.equal(ctx.transport, "http");
    assert.equal(ctx.remoteAddress, "127.0.0.1");
    assert.match(ctx.connectionId, /^http-\d+$/);
    await stop(s);
  });

  it("runs notifications without answering (204) and accepts a missing content type", async () => {
    let ran = 0;
    const s = await start({ methods: { ...methods, poke: () => ++ran } });
    const res = await post(s.addr.url, { jsonrpc: "2.0", method: "poke" });
    assert.equal(res.status, 204);
    assert.equal(res.text, "");
    const batch = await post(s.addr.url, [
      { jsonrpc: "2.0", method: "poke" },
      { jsonrpc: "2.0", method: "poke", params: [1] },
      { jsonrpc: "2.0", method: "noSuchMethod" },
    ]);
    assert.equal(batch.status, 204);
    assert.equal(ran, 3);
    // fetch always sends a content type with a string body, so use node:http for none at all.
    const bare = await rawPost(s.addr.url, '{"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]}');
    assert.equal(bare.status, 200);
    assert.deepEqual(JSON.parse(bare.body), { jsonrpc: "2.0", id: 1, result: 2 });
    const wrongType = await post(s.addr.url, "{}", { "content-type": "text/plain" });
    assert.equal(wrongType.status, 415);
    assert.equal((wrongType.json as Message).error?.code, -32600);
    await stop(s);
  });

  it("answers a mixed batch element by element, in order, leaving out notifications", async () => {
    const s = await start();
    const res = await post(s.addr.url, [
      { jsonrpc: "2.0", id: 1, method: "slowEcho", params: ["slow"] },
      { jsonrpc: "2.0", method: "add", params: [1, 2] },
      { id: 2, method: "add", params: [1, 2] },
      1,
      { jsonrpc: "2.0", id: 3, method: "nope" },
      { jsonrpc: "2.0", id: "four", method: "add", params: [10, 20] },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, [
      { jsonrpc: "2.0", id: 1, result: ["slow"] },
      { jsonrpc: "2.0", id: 2, error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request: expected an object" } },
      { jsonrpc: "2.0", id: 3, error: { code: -32601, message: "method not found: nope" } },
      { jsonrpc: "2.0", id: "four", result: 30 },
    ]);
    await stop(s);
  });

  it("answers an empty batch, unparseable JSON and a non-object with one error", async () => {
    const s = await start();
    const empty = await post(s.addr.url, []);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "invalid request: empty batch" },
    });
    const garbage = await post(s.addr.url, '{"jsonrpc": "2.0", "method": "add", ');
    assert.deepEqual(garbage.json, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "parse error" },
    });
    const scalar = await post(s.addr.url, "42");
    assert.equal((scalar.json as Message).error?.code, -32600);
    await stop(s);
  });

  it("rejects invalid request shapes with -32600, echoing the id only when it is valid", async () => {
    const s = await start();
    const cases: [unknown, string | number | null][] = [
      [{ id: 1, method: "add" }, 1],
      [{ jsonrpc: "1.0", id: 2, method: "add" }, 2],
      [{ jsonrpc: 2, id: 3, method: "add" }, 3],
      [{ jsonrpc: "2.0", id: { nested: true }, method: "add" }, null],
      [{ jsonrpc: "2.0", id: true, method: "add" }, null],
      [{ jsonrpc: "2.0", id: [1], method: "add" }, null],
      [{ jsonrpc: "2.0", id: 4, method: 5 }, 4],
      [{ jsonrpc: "2.0", id: 5 }, 5],
      [{ jsonrpc: "2.0", id: 6, method: "add", params: "1,2" }, 6],
      [{ jsonrpc: "2.0", id: 7, method: "add", params: null }, 7],
      [{ jsonrpc: "2.0", method: 5 }, null],
    ];
    for (const [body, id] of cases) {
      const res = await post(s.addr.url, body);
      const msg = res.json as Message;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(msg.error?.code, -32600, JSON.stringify(body));
      assert.equal(msg.id, id, JSON.stringify(body));
    }
    // A null id is a request (not a notification) and is answered.
    assert.deepEqual(
      await post(s.addr.url, { jsonrpc: "2.0", id: null, method: "add", params: [1, 2] }).then((r) => r.json),
      {
        jsonrpc: "2.0",
        id: null,
        result: 3,
      },
    );
    await stop(s);
  });

  it("maps handler errors: RpcError passes through, anything else is -32603 without details", async () => {
    const s = await start();
    assert.deepEqual(await call(s.addr.url, "rejectTx"), {
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32010, message: "nonce too low", data: { expected: 7, got: 3 } },
    });
    const crash = await post(s.addr.url, { jsonrpc: "2.0", id: 2, method: "crash" });
    assert.deepEqual(crash.json, {
      jsonrpc: "2.0",
      id: 2,
      error: { code: -32603, message: "internal error" },
    });
    assert.ok(!crash.text.includes("secret"));
    assert.ok(!crash.text.includes("stack"));
    assert.equal((await call(s.addr.url, "asyncCrash")).error?.code, -32603);
    const failure = s.logs.find((l) => l.message === "rpc handler failed" && l.fields?.method === "crash");
    assert.ok(failure, "the real error is logged");
    assert.equal(failure.level, "error");
    assert.match(String(failure.fields?.error), /secret database path/);
    await stop(s);
  });

  it("waits for async handlers and answers -32603 (logged) when a result holds a bigint", async () => {
    const s = await start();
    assert.deepEqual((await call(s.addr.url, "slowEcho", { deep: [1, 2] })).result, { deep: [1, 2] });
    const res = await call(s.addr.url, "bigint");
    assert.deepEqual(res.error, { code: -32603, message: "internal error" });
    assert.ok(
      s.logs.some(
        (l) => l.message === "rpc result is not JSON-serialisable" && l.fields?.method === "bigint",
      ),
    );
    // Error data that cannot be serialised is the handler's bug too.
    const t = await start({
      methods: {
        badData: () => {
          throw new RpcError(-32011, "x", { amount: 1n });
        },
      },
    });
    assert.equal((await call(t.addr.url, "badData")).error?.code, -32603);
    await stop(t);
    await stop(s);
  });

  it("reports latency per registered method to onRequest, and not for unknown names", async () => {
    const seen: [string, boolean][] = [];
    const s = await start({
      onRequest: (method, ms, ok) => {
        assert.ok(ms >= 0);
        seen.push([method, ok]);
      },
    });
    await call(s.addr.url, "add", [1, 1]);
    await call(s.addr.url, "rejectTx");
    await call(s.addr.url, "no_such_method");
    await post(s.addr.url, { jsonrpc: "2.0", method: "add", params: [1, 1] });
    assert.deepEqual(seen, [
      ["add", true],
      ["rejectTx", false],
      ["add", true],
    ]);
    await stop(s);
  });

  it("refuses a body over maxBodyBytes with 413 and -32006, declared or streamed", async () => {
    const s = await start({ limits: { maxBodyBytes: 1024 } });
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(4096)] });
    const res = await post(s.addr.url, big);
    assert.equal(res.status, 413);
    assert.equal((res.json as Message).error?.code, -32006);
    assert.deepEqual((res.json as Message).error?.data, { maxBodyBytes: 1024 });
    // Chunked, with no content-length: cut while streaming.
    const streamed = await rawPost(s.addr.url, [
      '{"jsonrpc":"2.0","id":1,"method":"echo","params":["',
      ...Array.from({ length: 8 }, () => "y".repeat(512)),
      '"]}',
    ]);
    assert.equal(streamed.status, 413);
    assert.equal((JSON.parse(streamed.body) as Message).error?.code, -32006);
    // A body just under the limit still works.
    assert.equal((await call(s.addr.url, "echo", ["z".repeat(900)])).error, undefined);
    await stop(s);
  });

  it("refuses a batch over maxBatch with a single -32007", async () => {
    const s = await start({ limits: { maxBatch: 3 } });
    const req = (id: number) => ({ jsonrpc: "2.0", id, method: "add", params: [id, 0] });
    const ok = await post(s.addr.url, [req(1), req(2), req(3)]);
    assert.equal((ok.json as Message[]).length, 3);
    const res = await post(s.addr.url, [req(1), req(2), req(3), req(4)]);
    assert.equal(res.status, 200);
    assert.equal((res.json as Message).error?.code, -32007);
    assert.equal((res.json as Message).id, null);
    await stop(s);
  });

  it("rate-limits per remote address: -32005 with retryAfterMs, 429 when nothing was served", async () => {
    const s = await start({ limits: { requestsPerSecond: 2 } }); // burst 4
    const batch = Array.from({ length: 6 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "add",
      params: [i, 0],
    }));
    const res = await post(s.addr.url, batch);
    assert.equal(res.status, 200);
    const answers = res.json as Message[];
    assert.deepEqual(
      answers.slice(0, 4).map((m) => m.result),
      [0, 1, 2, 3],
    );
    for (const m of answers.slice(4)) {
      assert.equal(m.error?.code, -32005);
      const retry = (m.error?.data as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 0;
      assert.ok(retry > 0 && retry <= 500, `retryAfterMs ${retry}`);
    }
    const single = await post(s.addr.url, { jsonrpc: "2.0", id: 9, method: "add", params: [1, 1] });
    assert.equal(single.status, 429);
    assert.equal(single.headers.get("retry-after"), "1");
    assert.equal((single.json as Message).error?.code, -32005);
    await sleep(550); // one token back at 2/s
    assert.equal((await call(s.addr.url, "add", [1, 1])).result, 2);
    await stop(s);
  });

  it("serves GET routes, 405 on GET / and 404 elsewhere, and answers CORS preflight", async () => {
    const s = await start({
      routes: {
        "/metrics": (req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(`metrics for ${req.url}`);
        },
        "/broken": async () => {
          throw new Error("route bug");
        },
      },
    });
    const metrics = await fetch(`${s.addr.url}/metrics?format=prom`);
    assert.equal(metrics.status, 200);
    assert.equal(await metrics.text(), "metrics for /metrics?format=prom");
    assert.equal(metrics.headers.get("access-control-allow-origin"), "*");
    const root = await fetch(s.addr.url);
    assert.equal(root.status, 405);
    assert.match(await root.text(), /POST/);
    const missing = await fetch(`${s.addr.url}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
    const postRoute = await fetch(`${s.addr.url}/metrics`, { method: "POST", body: "{}" });
    assert.equal(postRoute.status, 405);
    await postRoute.text();
    const postElsewhere = await fetch(`${s.addr.url}/rpc`, { method: "POST", body: "{}" });
    assert.equal(postElsewhere.status, 404);
    await postElsewhere.text();
    const broken = await fetch(`${s.addr.url}/broken`);
    assert.equal(broken.status, 500);
    await broken.text();
    assert.ok(s.logs.some((l) => l.message === "http request failed"));

    const preflight = await fetch(s.addr.url, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-custom",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type, x-custom");
    const res = await post(s.addr.url, { jsonrpc: "2.0", id: 1, method: "add", params: [1, 2] });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    await stop(s);
  });

  it("refuses the subscription methods over HTTP with -32601", async () => {
    const s = await start({ topics: { newHeads: {} } });
    const res = await call(s.addr.url, "weft_subscribe", ["newHeads"]);
    assert.deepEqual(res.error, { code: -32601, message: "subscriptions need a WebSocket connection" });
    assert.equal((await call(s.addr.url, "weft_unsubscribe", ["0x00"])).error?.code, -32601);
    await stop(s);
  });
});

describe("rpc server over WebSocket", () => {
  it("answers calls and batches, and binary frames with -32600", async () => {
    const s = await start();
    const c = await Client.open(s.addr.wsUrl);
    assert.deepEqual(await c.request({ jsonrpc: "2.0", id: 1, method: "add", params: [40, 2] }), {
      jsonrpc: "2.0",
      id: 1,
      result: 42,
    });
    assert.deepEqual(
      await c.request([
        { jsonrpc: "2.0", id: "a", method: "add", params: [1, 2] },
        { jsonrpc: "2.0", method: "add", params: [1, 2] },
        { jsonrpc: "2.0", id: "b", method: "rejectTx" },
        { jsonrpc: "1.0", id: "c", method: "add" },
      ]),
      [
        { jsonrpc: "2.0", id: "a", result: 3 },
        {
          jsonrpc: "2.0",
          id: "b",
          error: { code: -32010, message: "nonce too low", data: { expected: 7, got: 3 } },
        },
        {
          jsonrpc: "2.0",
          id: "c",
          error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' },
        },
      ],
    );
    assert.equal((await c.request("not json")).error?.code, -32700);
    const ctx = (await c.request({ jsonrpc: "2.0", id: 2, method: "context" })).result as RpcMethodContext;
    assert.equal(ctx.transport, "ws");
    assert.match(ctx.connectionId, /^ws-\d+$/);
    c.send({ jsonrpc: "2.0", method: "add", params: [1, 1] });
    assert.ok(await c.quiet(30), "a notification gets no answer");
    c.ws.send(Buffer.from("{}"), { binary: true });
    assert.equal((await c.next()).error?.code, -32600);
    await c.close();
    await stop(s);
  });

  it("closes the connection with 1009 on a message over maxBodyBytes", async () => {
    const s = await start({ limits: { maxBodyBytes: 1024 } });
    const c = await Client.open(s.addr.wsUrl);
    assert.equal(
      (await c.request({ jsonrpc: "2.0", id: 1, method: "echo", params: ["a".repeat(900)] })).id,
      1,
    );
    c.send({ jsonrpc: "2.0", id: 2, method: "echo", params: ["a".repeat(4096)] });
    assert.equal((await c.closed).code, 1009);
    await stop(s);
  });

  it("rate-limits per connection", async () => {
    const s = await start({ limits: { requestsPerSecond: 1 } }); // burst 2
    const c = await Client.open(s.addr.wsUrl);
    const batch = [1, 2, 3].map((id) => ({ jsonrpc: "2.0", id, method: "add", params: [id, id] }));
    const answers = (await c.request(batch)) as unknown as Message[];
    assert.deepEqual(
      answers.map((m) => m.error?.code ?? m.result),
      [2, 4, -32005],
    );
    const other = await Client.open(s.addr.wsUrl);
    assert.equal((await other.request(batch[0])).result, 2, "another connection has its own bucket");
    await c.close();
    await other.close();
    await stop(s);
  });

  it("subscribes, delivers matching events, unsubscribes, and refuses unknown topics", async () => {
    const s = await start({
      topics: {
        newHeads: {},
        logs: {
          validateFilter: (filter) => {
            const f = (filter ?? {}) as { address?: unknown };
            if (f.address !== undefined && typeof f.address !== "string") {
              throw new RpcError(-32602, "filter.address must be a string");
            }
            return { address: typeof f.address === "string" ? f.address.toLowerCase() : undefined };
          },
          matches: (filter, payload) => {
            const want = (filter as { address?: string }).address;
            return want === undefined || want === (payload as { address: string }).address;
          },
        },
      },
    });
    const c = await Client.open(s.addr.wsUrl);
    const heads = (await c.request({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["newHeads"] }))
      .result as string;
    assert.match(heads, /^0x[0-9a-f]{32}$/);
    const logsA = (
      await c.request({
        jsonrpc: "2.0",
        id: 2,
        method: "weft_subscribe",
        params: ["logs", { address: "0xAA" }],
      })
    ).result as string;
    const logsAll = (await c.request({ jsonrpc: "2.0", id: 3, method: "weft_subscribe", params: ["logs"] }))
      .result as string;
    assert.equal(new Set([heads, logsA, logsAll]).size, 3);

    s.server.publish("newHeads", { number: 1 });
    assert.deepEqual(await c.next(), {
      jsonrpc: "2.0",
      method: "weft_subscription",
      params: { subscription: heads, result: { number: 1 } },
    });
    s.server.publish("logs", { address: "0xbb" });
    assert.deepEqual(await c.next(), {
      jsonrpc: "2.0",
      method: "weft_subscription",
      params: { subscription: logsAll, result: { address: "0xbb" } },
    });
    assert.ok(await c.quiet(20), "0xbb does not match the 0xaa filter");
    s.server.publish("logs", { address: "0xaa" });
    const both = [await c.next(), await c.next()].map((m) => m.params?.subscription).sort();
    assert.deepEqual(both, [logsA, logsAll].sort());

    const bad = await c.request({
      jsonrpc: "2.0",
      id: 4,
      method: "weft_subscribe",
      params: ["logs", { address: 5 }],
    });
    assert.deepEqual(bad.error, { code: -32602, message: "filter.address must be a string" });
    const unknown = await c.request({
      jsonrpc: "2.0",
      id: 5,
      method: "weft_subscribe",
      params: ["pendingTxs"],
    });
    assert.equal(unknown.error?.code, -32602);
    assert.match(unknown.error?.message ?? "", /newHeads, logs/);
    assert.deepEqual(unknown.error?.data, { topics: ["newHeads", "logs"] });
    assert.equal(
      (await c.request({ jsonrpc: "2.0", id: 6, method: "weft_subscribe", params: [] })).error?.code,
      -32602,
    );

    // Another connection cannot cancel this one's subscription.
    const other = await Client.open(s.addr.wsUrl);
    assert.equal(
      (await other.request({ jsonrpc: "2.0", id: 1, method: "weft_unsubscribe", params: [heads] })).result,
      false,
    );
    assert.equal(
      (await c.request({ jsonrpc: "2.0", id: 7, method: "weft_unsubscribe", params: [heads] })).result,
      true,
    );
    assert.equal(
      (await c.request({ jsonrpc: "2.0", id: 8, method: "weft_unsubscribe", params: [heads] })).result,
      false,
    );
    s.server.publish("newHeads", { number: 2 });
    assert.ok(await c.quiet(20), "no events after unsubscribing");
    assert.ok(await other.quiet(0));

    assert.throws(() => s.server.publish("typo", {}), /unregistered topic/);
    s.server.publish("newHeads", { big: 1n }); // logged and dropped, not thrown
    await other.close();
    await c.close();
    await stop(s);
  });

  it("never sends an event before the response that carries its subscription id", async () => {
    const s = await start({ topics: { newHeads: {} } });
    const c = await Client.open(s.addr.wsUrl);
    c.send([
      { jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["newHeads"] },
      { jsonrpc: "2.0", id: 2, method: "slowEcho", params: [] },
    ]);
    await sleep(10); // the subscription exists, the batch's response is not sent yet
    s.server.publish("newHeads", { number: 1 });
    const first = (await c.next()) as unknown as Message[];
    assert.ok(Array.isArray(first), "the batch response comes first");
    const id = first[0]?.result as string;
    assert.deepEqual(await c.next(), {
      jsonrpc: "2.0",
      method: "weft_subscription",
      params: { subscription: id, result: { number: 1 } },
    });
    await c.close();
    await stop(s);
  });

  it("limits subscriptions per connection and drops them when the connection closes", async () => {
    const s = await start({ topics: { newHeads: {} }, limits: { maxSubscriptionsPerConnection: 2 } });
    const c = await Client.open(s.addr.wsUrl);
    const sub = (id: number) => ({ jsonrpc: "2.0", id, method: "weft_subscribe", params: ["newHeads"] });
    const answers = (await c.request([sub(1), sub(2), sub(3)])) as unknown as Message[];
    assert.equal(typeof answers[0]?.result, "string");
    assert.equal(typeof answers[1]?.result, "string");
    assert.deepEqual(answers[2]?.error, {
      code: -32008,
      message: "too many subscriptions on this connection (limit 2)",
      data: { limit: 2 },
    });
    await c.close();
    await sleep(10);
    // A new connection starts from zero.
    const d = await Client.open(s.addr.wsUrl);
    assert.equal(typeof (await d.request(sub(1))).result, "string");
    await d.close();
    await stop(s);
  });

  it("disconnects a slow consumer with 1008 instead of buffering without bound", async () => {
    const s = await start({ topics: { blob: {} }, limits: { maxBufferedBytes: 256 * 1024 } });
    const c = await Client.open(s.addr.wsUrl);
    await c.request({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["blob"] });
    c.ws.pause(); // stop reading: the server's send buffer fills
    const payload = "p".repeat(256 * 1024);
    for (let i = 0; i < 400 && s.server.connections() > 0; i++) {
      s.server.publish("blob", payload);
      if (i % 20 === 19) await sleep(1);
    }
    assert.ok(
      s.logs.some(
        (l) => l.message === "closing websocket connection" && /slow consumer/.test(String(l.fields?.reason)),
      ),
    );
    c.ws.resume(); // read the backlog, then the close frame
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /slow consumer/);
    await stop(s);
  });

  it("terminates a connection that stops answering pings", async () => {
    const s = await start({ limits: { heartbeatMs: 100 } });
    const lively = await Client.open(s.addr.wsUrl);
    const dead = await Client.open(s.addr.wsUrl, { autoPong: false });
    const closed = await dead.closed;
    assert.equal(closed.code, 1006, "terminated without a close frame");
    assert.equal(lively.ws.readyState, WebSocket.OPEN);
    await lively.close();
    await stop(s);
  });

  it("refuses connections over maxConnections with 503", async () => {
    const s = await start({ limits: { maxConnections: 1 } });
    const first = await Client.open(s.addr.wsUrl);
    await assert.rejects(Client.open(s.addr.wsUrl), /503/);
    assert.equal(s.server.connections(), 1);
    await first.close();
    await stop(s);
  });

  it("close() closes WebSocket clients with 1001 and leaves no connection open", async () => {
    const s = await start({ topics: { newHeads: {} } });
    const clients = await Promise.all([Client.open(s.addr.wsUrl), Client.open(s.addr.wsUrl)]);
    await clients[0]?.request({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["newHeads"] });
    await call(s.addr.url, "add", [1, 2]); // leaves an idle keep-alive socket
    assert.ok(s.server.connections() >= 2);
    await stop(s);
    for (const c of clients) assert.deepEqual(await c.closed, { code: 1001, reason: "server shutting down" });
    assert.equal(s.server.connections(), 0);
    await assert.rejects(fetch(s.addr.url, { method: "POST", body: "{}" }));
    s.server.publish("newHeads", {}); // no subscribers left: nothing happens
  });
});

describe("rpc building blocks", () => {
  it("a token bucket holds 2× the rate and refills continuously", () => {
    let now = 0;
    const bucket = new TokenBucket(10, undefined, () => now);
    for (let i = 0; i < 20; i++) assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 100);
    now = 50;
    assert.equal(bucket.take(), 50);
    now = 100;
    assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 100);
    now = 100_000;
    assert.ok(bucket.isFull());
    assert.equal(new TokenBucket(Number.POSITIVE_INFINITY).take(), 0);
    assert.throws(() => new TokenBucket(0), RangeError);
  });

  it("keyed limiters are independent per key and forget idle keys", () => {
    let now = 0;
    const limiter = new KeyedRateLimiter(1, () => now, 1000);
    assert.equal(limiter.take("a"), 0);
    assert.equal(limiter.take("a"), 0);
    assert.ok(limiter.take("a") > 0);
    assert.equal(limiter.take("b"), 0);
    assert.equal(limiter.size(), 2);
    now = 10_000;
    assert.equal(limiter.take("c"), 0);
    assert.equal(limiter.size(), 1, "a and b were full again and got swept");
  });

  it("the parser never throws and always yields an answerable shape", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseMessage(text, 5);
        if (parsed.kind === "batch") assert.ok(parsed.items.length >= 1 && parsed.items.length <= 5);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const item = validateRequest(value);
        if (item.ok) assert.equal(typeof item.request.method, "string");
        else assert.equal(item.error.code, -32600);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects nonsensical limits", () => {
    assert.throws(() => createRpcServer({ port: 0, methods, limits: { maxBatch: 0 } }), RangeError);
    assert.throws(() => createRpcServer({ port: 0, methods, limits: { requestsPerSecond: -1 } }), RangeError);
  });
});
