import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { linked, meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const TOPIC = "/weft/test/things/1";
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe("gossip over real libp2p nodes", () => {
  const started: P2pNode[][] = [];
  after(async () => {
    for (const nodes of started) await stopNodes(nodes);
  });

  it("a message published at one end of a line of 4 nodes reaches every node, once", async () => {
    const nodes = await startNodes(4);
    started.push(nodes);
    const seen: string[][] = nodes.map(() => []);
    for (const [i, node] of nodes.entries())
      node.gossip.register(TOPIC, {
        maxBytes: 1024,
        validate: () => "accept",
        onMessage: (data) => seen[i]?.push(str(data)),
      });
    await waitFor("the line to connect", () => linked(nodes));
    await waitFor("the topic's mesh", () => meshed(nodes, TOPIC));
    const first = nodes[0] as P2pNode;
    await first.gossip.publish(TOPIC, text("hello"));
    await waitFor("every node to hear it", () => seen.slice(1).every((s) => s.length === 1));
    assert.deepEqual(seen, [[], ["hello"], ["hello"], ["hello"]]);
    // The same payload again, from any node, is a duplicate: nobody hears it twice.
    assert.equal(await first.gossip.publish(TOPIC, text("hello")), 0);
    assert.equal(await (nodes[3] as P2pNode).gossip.publish(TOPIC, text("hello")), 0);
    await first.gossip.publish(TOPIC, text("bye"));
    await waitFor("the next message", () => seen.slice(1).every((s) => s.length === 2));
    assert.deepEqual(seen, [[], ["hello", "bye"], ["hello", "bye"], ["hello", "bye"]]);
  });

  it("a message the validator rejects is not forwarded, and its sender is scored down and banned", async () => {
    const nodes = await startNodes(3, () => ({ scoring: { banThreshold: -60, banMs: 60_000 } }));
    started.push(nodes);
    const [hostile, middle, far] = nodes as [P2pNode, P2pNode, P2pNode];
    const seen: string[][] = nodes.map(() => []);
    for (const [i, node] of nodes.entries())
      node.gossip.register(TOPIC, {
        maxBytes: 1024,
        validate: (data) => (str(data).startsWith("bad") ? "reject" : "accept"),
        onMessage: (data) => seen[i]?.push(str(data)),
      });
    await waitFor("the line to connect", () => linked(nodes));
    await waitFor("the topic's mesh", () => meshed(nodes, TOPIC));
    await hostile.gossip.publish(TOPIC, text("good 1"));
    await waitFor("the good message", () => seen[2]?.length === 1);
    for (const n of [1, 2, 3]) await hostile.gossip.publish(TOPIC, text(`bad ${n}`));
    await waitFor("the hostile peer's ban", () => middle.scores.isBanned(hostile.peerId));
    await waitFor(
      "the hostile peer's disconnection",
      () => !middle.connectedPeers().includes(hostile.peerId),
    );
    assert.deepEqual(seen[1], ["good 1"]);
    assert.deepEqual(seen[2], ["good 1"]);
    assert.equal(middle.gossip.stats.rejected >= 3, true);
    assert.equal(far.gossip.stats.rejected, 0, "nothing rejected was forwarded");
    assert.ok(middle.scores.score(hostile.peerId) <= -60);
    // A banned peer cannot come back while the ban lasts: the gater refuses its connection, and
    // the middle node does not dial it either (its reconnection skips banned peers).
    await hostile.dial(middle.multiaddrs()[0] as string).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(middle.connectedPeers().includes(hostile.peerId), false);
  });

  it("a message over the topic's size is rejected before validation", async () => {
    const nodes = await startNodes(2);
    started.push(nodes);
    const [sender, receiver] = nodes as [P2pNode, P2pNode];
    let validated = 0;
    receiver.gossip.register(TOPIC, {
      maxBytes: 100,
      validate: () => {
        validated++;
        return "accept";
      },
    });
    sender.gossip.register(TOPIC, { maxBytes: 10_000, validate: () => "accept" });
    await waitFor("the topic's peers", () => sender.gossip.peers(TOPIC).length > 0);
    await sender.gossip.publish(TOPIC, new Uint8Array(500));
    await waitFor("the rejection", () => receiver.gossip.stats.rejected === 1);
    assert.equal(validated, 0);
    assert.ok(receiver.scores.score(sender.peerId) < 0);
  });
});
