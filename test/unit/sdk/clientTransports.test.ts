/**
 * The client's transports against small stub servers: HTTP retries (429, rate limiting,
 * network failures), timeouts (and no retry of a send whose fate is unknown), non-JSON
 * answers; WebSocket reconnection that restores subscriptions, and giving up.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { type WebSocket, WebSocketServer } from "ws";
import {
  http,
  RpcRequestError,
  TimeoutError,
  TransportError,
  webSocket,
} from "../../../src/sdk/client/index.js";

type Handler = (body: { id: number; method: string }, res: ServerResponse, count: number) => void;

interface Stub {
  url: string;
  /** Requests received so far (counted as they arrive). */
  count: () => number;
}

/** Runs `test` against an HTTP server answering with `handler`; always closes it. */
async function withStub(handler: Handler, test: (stub: Stub) => Promise<void>): Promise<void> {
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = ++count;
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => handler(JSON.parse(text), res, n));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await test({ url: `http://127.0.0.1:${port}`, count: () => count });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const answer = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

describe("client transports (stub servers)", () => {
  it("HTTP retries 429 and rate limiting, then answers", async () => {
    const limited = (id: number, data?: unknown) => ({
      jsonrpc: "2.0",
      id,
      error: { code: -32005, message: "rate limited", ...(data === undefined ? {} : { data }) },
    });
    await withStub(
      (body, res, n) => {
        if (n === 1) answer(res, limited(body.id), 429, { "retry-after": "0" });
        else if (n === 2) answer(res, limited(body.id, { retryAfterMs: 5 }));
        else answer(res, { jsonrpc: "2.0", id: body.id, result: "1337" });
      },
      async (stub) => {
        const transport = http(stub.url, { retries: 2, retryDelayMs: 5 });
        assert.equal(await transport.request("weft_chainId"), "1337");
        assert.equal(stub.count(), 3);
      },
    );
  });

  it("HTTP: a rate limit that outlasts the retries is an RpcRequestError; bad answers are TransportErrors", async () => {
    await withStub(
      (body, res) =>
        answer(res, {
          jsonrpc: "2.0",
          id: body.id,
          error: { code: -32005, message: "rate limited", data: { retryAfterMs: 1 } },
        }),
      async (stub) => {
        await assert.rejects(http(stub.url, { retries: 1 }).request("weft_chainId"), (e: unknown) => {
          assert.ok(e instanceof RpcRequestError);
          assert.equal(e.code, -32005);
          assert.ok(e.details.includes("attempts: 2"));
          return true;
        });
      },
    );
    await withStub(
      (_b, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>not a node</html>");
      },
      async (stub) => {
        await assert.rejects(http(stub.url).request("weft_chainId"), (e: unknown) => {
          assert.ok(e instanceof TransportError);
          assert.match(e.message, /not a JSON-RPC response/);
          assert.ok(e.details.some((d) => d.includes("<html>")));
          return true;
        });
      },
    );
  });

  it("HTTP timeouts: retried for reads, never for a send", async () => {
    await withStub(
      () => {}, // never answers
      async (stub) => {
        const transport = http(stub.url, { timeoutMs: 500, retries: 1, retryDelayMs: 5 });
        await assert.rejects(transport.request("weft_blockNumber"), TimeoutError);
        await until(() => stub.count() === 2, "a read is retried");
        await assert.rejects(transport.request("weft_sendRawTransaction", ["0x00"]), TimeoutError);
        await until(() => stub.count() >= 3, "the send arrived");
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(stub.count(), 3, "a send is not retried");
        await transport.close();
      },
    );
  });

  it("WebSocket: restores subscriptions after the connection drops, and reports giving up", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const { port } = wss.address() as AddressInfo;
    const sockets: WebSocket[] = [];
    let subscribes = 0;
    wss.on("connection", (ws) => {
      sockets.push(ws);
      ws.on("message", (data) => {
        const req = JSON.parse(data.toString()) as { id: number; method: string };
        const result = req.method === "weft_subscribe" ? `0xsub${++subscribes}` : true;
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result }));
      });
    });
    const notify = (ws: WebSocket | undefined, id: string, result: unknown) =>
      ws?.send(
        JSON.stringify({ jsonrpc: "2.0", method: "weft_subscription", params: { subscription: id, result } }),
      );
    const transport = webSocket(`ws://127.0.0.1:${port}`, { reconnect: { attempts: 3, delayMs: 20 } });
    try {
      const events: unknown[] = [];
      const errors: Error[] = [];
      const unsubscribe = await transport.subscribe?.("newHeads", undefined, {
        onEvent: (p) => events.push(p),
        onError: (e) => errors.push(e),
      });
      notify(sockets[0], "0xsub1", 1);
      await until(() => events.length === 1, "the first event");

      sockets[0]?.terminate(); // the connection drops
      await until(() => subscribes === 2, "subscribed again");
      notify(sockets[1], "0xsub2", 2);
      notify(sockets[1], "0xsub1", "stale id: ignored");
      await until(() => events.length === 2, "an event on the new subscription");
      assert.deepEqual(events, [1, 2]);
      assert.equal(errors.length, 0);

      // The server goes away for good: after the attempts, the subscriber is told.
      for (const c of wss.clients) c.terminate();
      wss.close();
      await until(() => errors.length === 1, "onError");
      assert.ok(errors[0] instanceof TransportError);
      assert.match(errors[0]?.message ?? "", /connection lost/);
      await assert.rejects(transport.request("weft_blockNumber"), TransportError);
      await unsubscribe?.();
    } finally {
      await transport.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  });
});
