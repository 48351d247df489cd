/**
 * The JSON-RPC server's building blocks on their own: the token bucket, the keyed limiter, the
 * parser's properties and limit validation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createRpcServer } from "../../../src/node/rpc/index.js";
import { parseMessage, validateRequest } from "../../../src/node/rpc/protocol.js";
import { KeyedRateLimiter, TokenBucket } from "../../../src/node/rpc/rateLimit.js";
import { methods } from "../../helpers/rpcServer.js";

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

  it("a token bucket takes several tokens at once, or none", () => {
    let now = 0;
    const bucket = new TokenBucket(10, undefined, () => now);
    assert.equal(bucket.take(15), 0);
    assert.equal(bucket.take(6), 100, "5 left: one more needs 100 ms");
    assert.equal(bucket.take(5), 0, "the refused take took nothing");
    assert.equal(bucket.take(21), Number.POSITIVE_INFINITY, "more than the burst: never");
    now = 2_000;
    assert.equal(bucket.take(20), 0);
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
