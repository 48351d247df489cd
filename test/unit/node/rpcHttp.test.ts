/**
 * The JSON-RPC server over HTTP against real sockets on 127.0.0.1: single/batch/notification
 * semantics, error mapping, limits, routes and CORS.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { RpcError, type RpcMethodContext } from "../../../src/node/rpc/index.js";
import { call, type Message, methods, post, rawPost, sleep, start, stop } from "../../helpers/rpcServer.js";

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

  it("answers a 2 MiB body with 413 and the limit to a client that sends it all before reading", async () => {
    // Before: the 413 went out while the client was still sending and the node closed the
    // connection under it: a client that reads only after sending (as Python's http.client)
    // got a broken pipe or a reset instead of the answer.
    const s = await start();
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "echo",
      params: ["x".repeat(2 * 1024 * 1024)],
    });
    for (const framing of ["chunked", "length"] as const) {
      const res = await sendAllThenRead(s.addr.url, body, framing);
      assert.match(res, /^HTTP\/1\.1 413 /, `${framing}: ${res.slice(0, 200)}`);
      const error = (JSON.parse(res.slice(res.indexOf("\r\n\r\n") + 4)) as Message).error;
      assert.equal(error?.code, -32006);
      assert.deepEqual(error?.data, { maxBodyBytes: 1024 * 1024 });
      assert.match(error?.message ?? "", /over the node's limit of 1048576 bytes/);
    }
    assert.equal((await call(s.addr.url, "echo", ["ok"])).error, undefined);
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
        "/explorer": (_req, res) => {
          res.end("explorer");
        },
      },
    });
    const metrics = await fetch(`${s.addr.url}/metrics?format=prom`);
    assert.equal(metrics.status, 200);
    assert.equal(await metrics.text(), "metrics for /metrics?format=prom");
    assert.equal(metrics.headers.get("access-control-allow-origin"), "*");
    const root = await fetch(s.addr.url);
    assert.equal(root.status, 405);
    assert.match(await root.text(), /POST.*The explorer is at \/explorer/);
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

/**
 * POSTs `body` over a raw socket, writing all of it (in 64 KiB pieces, chunked or with a
 * content-length) before reading anything, with a pause after 1.2 MiB, and answers what came
 * back, or the error's code.
 */
function sendAllThenRead(url: string, body: string, framing: "chunked" | "length"): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.pause();
    let failed: string | undefined;
    socket.on("error", (e: NodeJS.ErrnoException) => {
      failed ??= e.code ?? e.message;
    });
    socket.on("connect", async () => {
      const head =
        framing === "chunked" ? "transfer-encoding: chunked" : `content-length: ${Buffer.byteLength(body)}`;
      const write = (data: string) =>
        new Promise<void>((done) =>
          socket.write(data, (e) => {
            if (e) failed ??= (e as NodeJS.ErrnoException).code ?? e.message;
            done();
          }),
        );
      await write(
        `POST / HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n${head}\r\n\r\n`,
      );
      for (let i = 0; i < body.length && failed === undefined; i += 65_536) {
        const piece = body.slice(i, i + 65_536);
        await write(framing === "chunked" ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece);
        // Past the limit, a pause (as a slow link makes): the node had answered and closed by then.
        if (i === 18 * 65_536) await sleep(300);
      }
      if (framing === "chunked" && failed === undefined) await write("0\r\n\r\n");
      let answer = "";
      socket.on("data", (c: Buffer) => {
        answer += c.toString();
      });
      socket.on("close", () => resolve(failed === undefined || answer !== "" ? answer : `error ${failed}`));
      socket.resume();
    });
  });
}
