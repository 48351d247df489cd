/**
 * Gossip must reach a peer as long as a connection to it is open. gossipsub keeps one
 * outbound stream per peer until libp2p reports the peer gone; with two connections to a
 * peer (both sides dialled at once, as after a partition heals) and the one carrying that
 * stream closed, libp2p reports nothing, and every later message to the peer went into the
 * dead stream. Validators then sat connected and deaf to each other (the e2e stall after a
 * 2/2 partition at load 30+). `GossipLinkWatch` (`src/net/gossipLinks.ts`) sees the dead
 * stream and hangs up, and gossip starts over on a fresh connection.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Connection } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import type { GossipInternals } from "../../../src/net/gossipLinks.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { linked, meshed, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const TOPIC = "/weft/test/links/1";
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function internals(node: P2pNode): GossipInternals {
  return node.libp2p.services.pubsub as unknown as GossipInternals;
}

function openConnections(from: P2pNode, to: P2pNode): Connection[] {
  return from.libp2p.getConnections(peerIdFromString(to.peerId)).filter((c) => c.status === "open");
}

/** Publishes fresh messages tagged `tag` from `from` until `heard` holds one of them, or `timeoutMs` passes. */
async function deliver(from: P2pNode, heard: string[], tag: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (let n = 0; Date.now() < until; n++) {
    await from.gossip.publish(TOPIC, text(`${tag} ${n}`)).catch(() => 0);
    if (heard.some((m) => m.startsWith(`${tag} `))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe("gossip links", () => {
  const started: P2pNode[][] = [];
  after(async () => {
    for (const nodes of started) await stopNodes(nodes);
  });

  it("a peer whose gossip stream died with one of two connections is reached again", async () => {
    const nodes = await startNodes(2, () => ({
      gossipWatch: { intervalMs: 200, strikes: 2, minAgeMs: 1_000 },
    }));
    started.push(nodes);
    const [a, b] = nodes as [P2pNode, P2pNode];
    const heard: string[][] = [[], []];
    for (const [i, node] of nodes.entries())
      node.gossip.register(TOPIC, {
        maxBytes: 1024,
        validate: () => "accept",
        onMessage: (data) => heard[i]?.push(str(data)),
      });
    await waitFor("the link", () => linked(nodes));
    await waitFor("the topic's mesh", () => meshed(nodes, TOPIC));
    const bHeard = heard[1] as string[];
    assert.ok(await deliver(a, bHeard, "before", 10_000), "gossip flows before the fault");

    // A second connection, as when both sides dial at once; then the one carrying a's
    // gossip stream to b closes, and the other stays open.
    await a.libp2p.dial(multiaddr(b.multiaddrs()[0] as string), { force: true });
    await waitFor("two connections", () => openConnections(a, b).length === 2);
    const stream = internals(a).streamsOutbound.get(b.peerId)?.rawStream;
    assert.ok(stream, "a has a gossip stream to b");
    const carrying = openConnections(a, b).find((c) => c.streams.includes(stream));
    assert.ok(carrying, "the stream is on one of the connections");
    await carrying.close();
    assert.equal(openConnections(a, b).length, 1, "one connection left open");

    assert.ok(
      await deliver(a, bHeard, "after", 20_000),
      "gossip reaches b again while a connection to it is open",
    );
    assert.ok(a.gossipRepairs + b.gossipRepairs >= 1, "the watch hung up on the unreachable peer");
    // Both ends connected again, with live gossip streams each way.
    const links = async () => (await Promise.all([a.gossipLinks(), b.gossipLinks()])).flat();
    let seen = await links();
    const healthy = () => seen.length === 2 && seen.every((l) => l.broken === undefined);
    for (const until = Date.now() + 15_000; !healthy() && Date.now() < until; seen = await links())
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      seen.map((l) => l.broken),
      [undefined, undefined],
    );
  });
});
