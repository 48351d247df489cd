/** Peer limits over real libp2p nodes: connections in all, gossip messages per peer; and a clean stop. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import { meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const TOPIC = "/weft/test/limits/1";

describe("peer limits", () => {
  it("a node never keeps more than maxConnections connections", async () => {
    const nodes = await startNodes(
      5,
      (i) => (i === 0 ? { limits: { maxConnections: 2 } } : {}),
      (i) => (i === 0 ? [] : [0]),
    );
    try {
      const hub = nodes[0] as P2pNode;
      // Every spoke dials the hub (and keeps redialling): the hub prunes down to its limit.
      await waitFor("the spokes' dials", () =>
        nodes.slice(1).some((n) => n.connectedPeers().includes(hub.peerId)),
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(
        hub.libp2p.getConnections().length <= 2,
        `hub has ${hub.libp2p.getConnections().length} connections`,
      );
      assert.ok(hub.connectedPeers().length >= 1);
    } finally {
      await stopNodes(nodes);
    }
  });

  it("gossip over a peer's message rate is ignored, not forwarded, and costs the peer points", async () => {
    const nodes = await startNodes(3, (i) =>
      i === 1 ? { limits: { gossipRate: { perSecond: 0.001, burst: 5 } } } : {},
    );
    try {
      const [sender, limited, far] = nodes as [P2pNode, P2pNode, P2pNode];
      const heard = [0, 0, 0];
      for (const [i, node] of nodes.entries())
        node.gossip.register(TOPIC, {
          maxBytes: 100,
          validate: () => "accept",
          onMessage: () => {
            heard[i] = (heard[i] ?? 0) + 1;
          },
        });
      await waitFor("the mesh", () => meshed(nodes, TOPIC));
      for (let n = 0; n < 10; n++) await sender.gossip.publish(TOPIC, Uint8Array.of(n));
      await waitFor(
        "the limited node to judge all 10",
        () => limited.gossip.stats.accepted + limited.gossip.stats.ignored === 10,
      );
      assert.equal(limited.gossip.stats.accepted, 5);
      assert.equal(limited.gossip.stats.ignored, 5);
      await waitFor("the far node to hear the 5", () => heard[2] === 5);
      assert.equal(far.gossip.stats.accepted, 5, "what was ignored was not forwarded");
      assert.ok(limited.scores.score(sender.peerId) < 0);
    } finally {
      await stopNodes(nodes);
    }
  });

  it("stop closes every connection and the node can be stopped before it started", async () => {
    const idle = await createP2pNode();
    await idle.stop();
    const nodes = await startNodes(2);
    await waitFor("the link", () => (nodes[1] as P2pNode).connectedPeers().length === 1);
    await stopNodes(nodes);
    for (const node of nodes) assert.equal(node.libp2p.getConnections().length, 0);
    await assert.rejects(
      (nodes[0] as P2pNode).dial((nodes[1] as P2pNode).multiaddrs()[0] ?? ""),
      /not started/,
    );
  });
});
