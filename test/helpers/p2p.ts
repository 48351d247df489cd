/** Test helpers: real libp2p nodes on 127.0.0.1 (port 0), started in a chosen topology and stopped together. */
import { createP2pNode, type P2pNode, type P2pNodeOptions } from "../../src/net/p2pNode.js";

/** Polls `check` every 25 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts `count` nodes; node i keeps connected to the nodes `links(i)` names (indexes of
 * earlier nodes). Default: a line, each node to the one before it.
 */
export async function startNodes(
  count: number,
  options: (i: number) => P2pNodeOptions = () => ({}),
  links: (i: number) => number[] = (i) => (i === 0 ? [] : [i - 1]),
): Promise<P2pNode[]> {
  const nodes: P2pNode[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const peers = links(i).map((j) => (nodes[j] as P2pNode).multiaddrs()[0] as string);
      const node = await createP2pNode({
        heartbeatMs: 100,
        reconnect: { minMs: 100, maxMs: 1000 },
        ...options(i),
        peers,
      });
      await node.start();
      nodes.push(node);
    }
  } catch (error) {
    await stopNodes(nodes);
    throw error;
  }
  return nodes;
}

export async function stopNodes(nodes: P2pNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.stop()));
}

/** True when every pair named by `links` is connected. */
export function linked(
  nodes: P2pNode[],
  links: (i: number) => number[] = (i) => (i === 0 ? [] : [i - 1]),
): boolean {
  return nodes.every((node, i) =>
    links(i).every((j) => node.connectedPeers().includes((nodes[j] as P2pNode).peerId)),
  );
}

/** True when every pair named by `links` is in each other's mesh for `topic` (gossip then flows both ways). */
export function meshed(
  nodes: P2pNode[],
  topic: string,
  links: (i: number) => number[] = (i) => (i === 0 ? [] : [i - 1]),
): boolean {
  return nodes.every((node, i) =>
    links(i).every((j) => {
      const other = nodes[j] as P2pNode;
      return (
        node.gossip.meshPeers(topic).includes(other.peerId) &&
        other.gossip.meshPeers(topic).includes(node.peerId)
      );
    }),
  );
}
