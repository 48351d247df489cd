/**
 * A batch of slow synchronous methods does not hold the event loop for its whole length: after
 * every `BATCH_SLICE_MS` of work the dispatcher gives it a turn, so a validator's consensus
 * messages and timers run between the elements (before: a batch of 100 weft_validators held a
 * validator's main thread 26 s and it missed 13 blocks in a row). Ordering only: each element
 * works longer than the slice, so a turn is due before the next one whatever the machine's speed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BATCH_SLICE_MS, RpcDispatcher } from "../../../src/node/rpc/dispatch.js";

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: a synchronous method's work
  }
}

describe("rpc: a batch gives the event loop turns", () => {
  it("a timer set by the first element runs before the last element starts; answers keep their order", async () => {
    const events: string[] = [];
    const dispatcher = new RpcDispatcher({
      methods: {
        slow(params) {
          const [n] = params as [number];
          events.push(`start ${n}`);
          if (n === 0) setImmediate(() => events.push("turn"));
          busy(BATCH_SLICE_MS * 2);
          return n;
        },
      },
      maxBatch: 100,
      maxResponseBytes: 1 << 20,
      log: () => {},
    });
    const batch = [0, 1, 2].map((n) => ({ jsonrpc: "2.0", id: n, method: "slow", params: [n] }));
    const result = await dispatcher.handle(
      JSON.stringify(batch),
      { transport: "http", connectionId: "http-1", remoteAddress: "127.0.0.1" },
      () => 0,
      {},
    );
    assert.deepEqual(
      JSON.parse(result.body as string).map((r: { result: number }) => r.result),
      [0, 1, 2],
    );
    assert.ok(
      events.indexOf("turn") >= 0 && events.indexOf("turn") < events.indexOf("start 2"),
      events.join(", "),
    );
    assert.deepEqual(
      events.filter((e) => e !== "turn"),
      ["start 0", "start 1", "start 2"],
    );
  });
});
