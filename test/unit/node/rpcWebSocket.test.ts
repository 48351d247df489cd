/**
 * The JSON-RPC server over WebSocket against real sockets on 127.0.0.1: calls, subscriptions,
 * slow consumers, heartbeat and shutdown.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { RpcError, type RpcMethodContext } from "../../../src/node/rpc/index.js";
import { Client, call, type Message, sleep, start, stop } from "../../helpers/rpcServer.js";

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

  it("bounds the unsent bytes of all connections together, not only each one's", async () => {
    // Attacker MEDIUM: each connection could hold 8 MiB unsent, so 256 paused connections of
    // one address held 2 GiB (1,000 connections: 8 GiB) of notifications in the node. Now a
    // connection may hold at most its share of `maxTotalBufferedBytes` (1 MiB / 4 here).
    const limits = { maxBufferedBytes: 8 * 1024 * 1024, maxTotalBufferedBytes: 1024 * 1024 };
    const s = await start({ topics: { blob: {} }, limits });
    const clients = await Promise.all([0, 1, 2, 3].map(() => Client.open(s.addr.wsUrl)));
    for (const c of clients) {
      await c.request({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["blob"] });
      c.ws.pause();
    }
    const payload = "p".repeat(64 * 1024);
    const kicked = () =>
      s.logs.filter(
        (l) => l.message === "closing websocket connection" && /slow consumer/.test(String(l.fields?.reason)),
      );
    // Kernel buffers take a few MiB per socket first; 8 MiB unsent each would take ~16 MiB per connection.
    for (let i = 0; i < 400 && kicked().length < clients.length; i++) {
      s.server.publish("blob", payload);
      if (i % 10 === 9) await sleep(1);
    }
    // Before: no kick (each connection stayed under its own 8 MiB), or one at 8 MiB.
    assert.equal(kicked().length, clients.length, `${kicked().length} of 4 closed`);
    for (const l of kicked()) assert.match(String(l.fields?.reason), /over 262144 bytes unsent/);
    for (const c of clients) {
      c.ws.resume();
      assert.equal((await c.closed).code, 1008);
    }
    await stop(s);
  });

  it("charges publishing to the client: subscriptions over its work rate are closed, another client's are not", async () => {
    // Attacker HIGH: 50 connections of one client holding 100 logs subscriptions each made
    // one transaction of 1,024 events stall the node 36 s checking filters that never
    // matched; the registry checked every filter of every connection for every event.
    const s = await start({
      topics: { logs: { matches: (filter, payload) => filter === payload, weight: () => 99 } },
      limits: { subscriptionWorkPerSecond: 1000 }, // burst 2,000 units
    });
    const subscribe = (c: Client, filter: string, n: number) =>
      c.request(
        Array.from({ length: n }, (_, id) => ({
          jsonrpc: "2.0",
          id,
          method: "weft_subscribe",
          params: ["logs", filter],
        })),
      );
    // One client over two connections: 2 x 10 filters that never match, 100 units each a check.
    const a = await Client.open(s.addr.wsUrl);
    const b = await Client.open(s.addr.wsUrl);
    await subscribe(a, "never", 10);
    await subscribe(b, "never", 10);
    // Another client (127.0.0.2): one subscription that matches, 100 + 40 units a notification.
    const honest = await Client.open(s.addr.wsUrl, { localAddress: "127.0.0.2" });
    await subscribe(honest, "x", 1);
    for (let i = 0; i < 5; i++) s.server.publish("logs", "x");
    const closes = s.logs.filter(
      (l) => l.message === "closing websocket connection" && /work units\/s/.test(String(l.fields?.reason)),
    );
    assert.equal(closes.length, 2, "both of the client's connections are closed");
    for (const c of [a, b]) {
      const closed = await c.closed;
      assert.equal(closed.code, 1008);
      assert.match(closed.reason, /subscriptions over 1000 work units\/s from this client/);
    }
    for (let i = 0; i < 5; i++) assert.equal((await honest.next()).params?.result, "x");
    await honest.close();
    await stop(s);
  });

  it("charges each notification: a subscription to everything stops at the client's rate", async () => {
    const s = await start({ topics: { blob: {} }, limits: { subscriptionWorkPerSecond: 1000 } });
    const c = await Client.open(s.addr.wsUrl);
    await c.request({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["blob"] });
    for (let i = 0; i < 200; i++) s.server.publish("blob", i);
    assert.ok(
      s.logs.some((l) => /work units\/s/.test(String(l.fields?.reason))),
      "closed for its subscriptions' work",
    );
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    let received = 0;
    for (;;) {
      const m = await c.next(50).catch(() => undefined);
      if (m === undefined) break;
      assert.equal(m.params?.result, received);
      received++;
    }
    // 41 units a notification (1 to check, 40 to send) from a burst of 2,000 (and ms of refill).
    assert.ok(received >= 48 && received < 60, `${received} notifications before the close`);
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
