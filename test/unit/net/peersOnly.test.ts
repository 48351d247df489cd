/**
 * Peers only (`--peers-only on`): a node reaches its configured peers at their configured
 * addresses and nowhere else. The case that leaked before: node A knows B only through a
 * proxy, identify teaches A B's direct address, the proxy is cut, and a dial of B by peer id
 * (what block sync does) must not go around it. And a stranger's connection is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import { createP2pNode, type P2pNode } from "../../../src/net/p2pNode.js";
import { PeerAllowlist } from "../../../src/net/peerAllowlist.js";
import { loadConfig } from "../../../src/node/config.js";
import { LinkProxy } from "../../e2e/harness/linkProxy.js";
import { stopNodes, waitFor } from "../../helpers/p2p.js";

const FAST = { heartbeatMs: 100, reconnect: { minMs: 100, maxMs: 500 } };

/** B listening; A dialling B only through a proxy; the proxy and both nodes returned. */
async function behindProxy(peersOnly: boolean): Promise<{ a: P2pNode; b: P2pNode; link: LinkProxy }> {
  const b = await createP2pNode(FAST);
  await b.start();
  const port = Number(multiaddr(b.multiaddrs()[0] as string).toOptions().port);
  const link = new LinkProxy(port);
  await link.start();
  const a = await createP2pNode({
    ...FAST,
    peers: [`/ip4/127.0.0.1/tcp/${link.port}/p2p/${b.peerId}`],
    peersOnly,
  });
  await a.start();
  await waitFor("A connected to B through the proxy", () => a.connectedPeers().includes(b.peerId));
  // Identify has told A where B listens (the address around the proxy).
  await waitFor("identify", () => a.libp2p.getConnections(peerIdFromString(b.peerId)).length > 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { a, b, link };
}

async function cutAndDial(a: P2pNode, b: P2pNode, link: LinkProxy): Promise<boolean> {
  link.cut();
  await waitFor("A to lose B", () => !a.connectedPeers().includes(b.peerId));
  // A few tries (a dial may race the reconnector's own dial of the cut link): any success is a leak.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await a.libp2p.dial(peerIdFromString(b.peerId), { signal: AbortSignal.timeout(15_000) });
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  return false;
}

describe("peers only", () => {
  it("without it, a dial by peer id goes around a cut link (the leak the rule closes)", async () => {
    const { a, b, link } = await behindProxy(false);
    try {
      assert.equal(await cutAndDial(a, b, link), true, "dialled B at its direct address");
    } finally {
      await stopNodes([a, b]);
      await link.close();
    }
  });

  it("with it, a cut link stays cut: no dial by peer id reaches the peer, until the link heals", async () => {
    const { a, b, link } = await behindProxy(true);
    try {
      assert.equal(await cutAndDial(a, b, link), false, "B unreachable around the proxy");
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the reconnector retries meanwhile
      assert.ok(!a.connectedPeers().includes(b.peerId));
      link.heal();
      await waitFor("A back to B through the proxy", () => a.connectedPeers().includes(b.peerId));
    } finally {
      await stopNodes([a, b]);
      await link.close();
    }
  });

  it("refuses a stranger's connection and never dials one", async () => {
    const friend = await createP2pNode(FAST);
    await friend.start();
    const guarded = await createP2pNode({
      ...FAST,
      peers: [friend.multiaddrs()[0] as string],
      peersOnly: true,
    });
    await guarded.start();
    const stranger = await createP2pNode(FAST);
    await stranger.start();
    try {
      await waitFor("the configured link", () => guarded.connectedPeers().includes(friend.peerId));
      // The stranger's side may finish its handshake before the guarded side hangs up.
      await stranger.dial(guarded.multiaddrs()[0] as string).catch(() => undefined);
      await waitFor("the stranger hung up on", () => !stranger.connectedPeers().includes(guarded.peerId));
      assert.ok(!guarded.connectedPeers().includes(stranger.peerId));
      await assert.rejects(guarded.dial(stranger.multiaddrs()[0] as string));
    } finally {
      await stopNodes([friend, guarded, stranger]);
    }
  });

  it("matches addresses by their transport part and peer id; the setting needs peers", () => {
    const id = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    const list = new PeerAllowlist([`/ip4/10.0.0.2/tcp/26656/p2p/${id}`]);
    assert.equal(list.allowsPeer(id), true);
    assert.equal(list.allowsAddress(multiaddr("/ip4/10.0.0.2/tcp/26656")), true);
    assert.equal(list.allowsAddress(multiaddr(`/ip4/10.0.0.2/tcp/26656/p2p/${id}`)), true);
    assert.equal(list.allowsAddress(multiaddr("/ip4/10.0.0.2/tcp/26657")), false);
    assert.throws(() => loadConfig({ peersOnly: "on" }, {}), /peersOnly.*needs peers/);
    assert.throws(() => loadConfig({ peersOnly: "maybe" }, {}), /expected on or off/);
    const on = loadConfig({ peersOnly: "on", peers: `/ip4/10.0.0.2/tcp/26656/p2p/${id}` }, {});
    assert.equal(on.peersOnly, true);
  });
});
