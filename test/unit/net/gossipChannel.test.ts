import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { consensusTransport } from "../../../src/net/gossipChannel.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import { meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

describe("the consensus transport over gossip", () => {
  it("broadcasts to every validator, and a message its validator refuses goes no further", async () => {
    const topics = chainTopics(7n);
    const nodes = await startNodes(4);
    try {
      const heard: string[][] = nodes.map(() => []);
      const transports = nodes.map((node, i) => {
        const transport = consensusTransport(node, topics, {
          validate: (bytes) => (bytes[0] === 0 ? "reject" : "accept"),
        });
        transport.onMessage((bytes, from) =>
          heard[i]?.push(
            `${bytes[0]} from ${from === nodes[i - 1]?.peerId || from === nodes[i + 1]?.peerId ? "a neighbour" : from}`,
          ),
        );
        return transport;
      });
      await waitFor("the mesh", () => meshed(nodes, topics.consensus));
      await transports[0]?.broadcast(Uint8Array.of(0, 1)); // a forged vote: node 1 refuses it
      await transports[0]?.broadcast(Uint8Array.of(5, 1));
      await waitFor("the vote everywhere", () => heard.slice(1).every((h) => h.length === 1));
      assert.deepEqual(heard, [[], ["5 from a neighbour"], ["5 from a neighbour"], ["5 from a neighbour"]]);
      assert.equal((nodes[1] as P2pNode).gossip.stats.rejected, 1);
      assert.equal((nodes[2] as P2pNode).gossip.stats.rejected, 0, "the forged vote was not forwarded");
      for (const t of transports) t.close();
    } finally {
      await stopNodes(nodes);
    }
  });
});
