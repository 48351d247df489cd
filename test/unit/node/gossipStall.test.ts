/**
 * The e2e stall after a partition heals, in one process: 4 validators over libp2p whose
 * connections stay open while every gossip stream between them is dead (what gossipsub is
 * left with when the connection carrying its one outbound stream to a peer closes beside
 * another connection to that peer: `src/net/gossipLinks.ts`). Consensus then hears nothing:
 * each validator rebroadcasts its own messages into dead streams and waits for the others'
 * prevotes forever. The network must commit again: the gossip link watch hangs up on each
 * peer gossip cannot reach, the peers redial, and gossip starts over.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { GossipInternals } from "../../../src/net/gossipLinks.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { waitFor } from "../../helpers/p2p.js";
import { consensusPositions, networkSpec, startValidatorHosts } from "../../helpers/validatorHosts.js";

describe("validators whose gossip streams died under open connections", () => {
  it("commit again: the dead links are found and made anew", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-gossip-stall-"));
    const v = await startValidatorHosts(root, networkSpec(4));
    const { nodes, hosts, services } = v;
    const heads = () => nodes.map((n) => n.head().number);
    try {
      await waitFor("the first blocks", () => heads().every((h) => h >= 2), 60_000);
      for (const host of hosts) {
        const pubsub = host.libp2p.services.pubsub as unknown as GossipInternals;
        for (const stream of pubsub.streamsOutbound.values())
          stream.rawStream.abort(new Error("test: the connection under this stream closed"));
      }
      const connected = hosts.map((h) => h.connectedPeers().length);
      assert.deepEqual(connected, [3, 3, 3, 3], "every validator still connected to the other three");
      const top = Math.max(...heads());
      await waitFor(
        "every validator 3 blocks further",
        () => heads().every((h) => h >= top + 3),
        90_000,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}: heads ${heads()}, heights/rounds/steps ${consensusPositions(services)}`,
        );
      });
      assert.ok(
        hosts.some((h: P2pNode) => h.gossipRepairs > 0),
        "the links were repaired by the watch",
      );
    } finally {
      await v.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
