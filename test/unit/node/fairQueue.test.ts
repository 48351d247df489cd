/**
 * The read-only pool's line (`fairQueue.ts`): the client ranked highest (the most budget
 * left) goes first, among equals turns go round the clients one job each, a
 * client runs at most its share of jobs at once, and the bounds per client and in all
 * refuse with the limit named, without losing or reordering what was queued; at the bound
 * in all, a client with fewer waiting takes the place of the longest queue's newest job;
 * among clients ranked equal, the one served least recently goes first.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FairQueue } from "../../../src/node/readOnly/fairQueue.js";

describe("FairQueue", () => {
  it("serves one job per client in turn, whatever each client queued", () => {
    const q = new FairQueue<string>({ maxQueue: 100, maxQueuePerClient: 100, maxRunningPerClient: 100 });
    for (let i = 1; i <= 5; i++) q.add("net-a", `a${i}`);
    q.add("net-b", "b1");
    q.add("net-c", "c1");
    q.add("net-b", "b2");
    const order: string[] = [];
    for (let next = q.take(); next !== undefined; next = q.take()) order.push(next.item);
    assert.deepEqual(order, ["a1", "b1", "c1", "a2", "b2", "a3", "a4", "a5"]);
    assert.equal(q.size, 0);
  });

  it("serves the client ranked highest first: one that has run little before one just charged", () => {
    const q = new FairQueue<string>({ maxQueue: 100, maxQueuePerClient: 100, maxRunningPerClient: 100 });
    const left = new Map([
      ["heavy", 200],
      ["light", 1_900],
    ]);
    for (let i = 1; i <= 3; i++) q.add("heavy", `h${i}`);
    q.add("light", "l1");
    q.add("light", "l2");
    const rank = (client: string) => left.get(client) ?? 2_000;
    assert.equal(q.take(rank)?.item, "l1", "light waited behind three of heavy's, yet goes first");
    q.add("new", "n1"); // never charged: the whole burst
    assert.equal(q.take(rank)?.item, "n1");
    assert.equal(q.take(rank)?.item, "l2");
    left.set("heavy", 2_000); // refilled
    assert.deepEqual([q.take(rank)?.item, q.take(rank)?.item, q.take(rank)?.item], ["h1", "h2", "h3"]);
    assert.equal(q.take(rank), undefined);
  });

  it("runs at most maxRunningPerClient jobs of a client at once, and skips it meanwhile", () => {
    const q = new FairQueue<string>({ maxQueue: 100, maxQueuePerClient: 100, maxRunningPerClient: 1 });
    q.add("a", "a1");
    q.add("a", "a2");
    assert.deepEqual(q.take(), { client: "a", item: "a1" });
    assert.equal(q.take(), undefined, "a2 waits while a1 runs");
    q.add("b", "b1");
    assert.deepEqual(q.take(), { client: "b", item: "b1" }, "another client is not held up");
    q.done("a");
    assert.deepEqual(q.take(), { client: "a", item: "a2" });
    q.done("a");
    q.done("b");
    assert.equal(q.clients(), 0, "nothing is kept for clients with nothing waiting or running");
  });

  it("refuses beyond the bounds per client and in all, naming the bound", () => {
    const displaced: Array<[string, number]> = [];
    const q = new FairQueue<number>({ maxQueue: 3, maxQueuePerClient: 2, maxRunningPerClient: 1 }, (c, n) =>
      displaced.push([c, n]),
    );
    assert.equal(q.add("a", 1), undefined);
    assert.equal(q.add("a", 2), undefined);
    assert.deepEqual(q.add("a", 3), { limit: "callQueuePerClient", max: 2 });
    assert.equal(q.add("b", 4), undefined);
    assert.equal(q.add("c", 5), undefined, "c has fewer waiting than a: a's newest gives its place");
    assert.deepEqual(displaced, [["a", 2]]);
    assert.deepEqual(q.add("d", 6), { limit: "callQueue", max: 3 }, "every queue as short as d's would be");
    assert.deepEqual(q.add("a", 7), { limit: "callQueue", max: 3 });
    assert.equal(q.size, 3);
    assert.deepEqual(q.drain().sort(), [1, 4, 5]);
    assert.equal(q.size, 0);
    assert.equal(q.add("d", 6), undefined, "room again once drained");
  });

  // Attacker finding (session 12): a host with 256 IPv6 /64s (a /56) keeps one slow call
  // waiting from each, sent again as soon as it is answered. Their budgets refill to full
  // between turns, so every client ranked the same, and a newcomer's call, put at the back
  // of the turns, waited for all 256 (about 25 s of 200 ms calls on two workers).
  it("serves a client that calls now and then before many networks that each keep a call waiting", () => {
    const q = new FairQueue<string>({ maxQueue: 1_000, maxQueuePerClient: 100, maxRunningPerClient: 1 });
    const serveAndResend = () => {
      const next = q.take();
      assert.ok(next !== undefined);
      q.done(next.client);
      if (next.item !== "honest") q.add(next.client, next.item);
      return next.item;
    };
    for (let i = 0; i < 256; i++) q.add(`2001:db8:0:${i.toString(16)}::/64`, `attacker ${i}`);
    for (let k = 0; k < 600; k++) serveAndResend();
    assert.equal(q.add("198.51.100.0/24", "honest"), undefined);
    const before: string[] = [];
    for (let item = serveAndResend(); item !== "honest"; item = serveAndResend()) before.push(item);
    assert.deepEqual(before, [], `${before.length} attacker calls were served first`);
    // Among the attacker's networks, turns still go round: 256 takes serve each once.
    const round = new Set(Array.from({ length: 256 }, serveAndResend));
    assert.equal(round.size, 256);
  });

  // Attacker finding (session 12): ten networks (ten IPv6 /64s of one host's /60, or ten
  // /24s), each within its own bound of 100, filled the default line of 1,000 and every
  // other client was refused -32005 "callQueue" while their calls waited.
  it("keeps a place for a newcomer when a few networks fill the whole line", () => {
    const displaced: Array<[string, string]> = [];
    const q = new FairQueue<string>(
      { maxQueue: 1_000, maxQueuePerClient: 100, maxRunningPerClient: 1 },
      (c, j) => displaced.push([c, j]),
    );
    for (let net = 0; net < 10; net++)
      for (let i = 0; i < 100; i++) assert.equal(q.add(`2001:db8:0:${net}::/64`, `n${net}-${i}`), undefined);
    assert.equal(q.size, 1_000);
    assert.deepEqual(q.add("2001:db8:0:3::/64", "more"), { limit: "callQueuePerClient", max: 100 });
    assert.equal(q.add("198.51.100.0/24", "honest"), undefined, "an honest network is not refused");
    assert.equal(displaced.length, 1);
    assert.equal(displaced[0]?.[1], `n${0}-99`, "the newest call of a longest queue gave its place");
    assert.equal(q.size, 1_000);
    // The newcomer is served in its turn, in the first round.
    const served: string[] = [];
    for (let k = 0; k < 11; k++) {
      const next = q.take();
      assert.ok(next !== undefined);
      served.push(next.item);
      q.done(next.client);
    }
    assert.ok(served.includes("honest"), served.join(","));
  });
});
