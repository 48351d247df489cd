/** The state and the peers of the state-sync client tests: a known state, servers and a client linked to each. */
import type { NetLimits } from "../../src/net/limits.js";
import type { P2pNode } from "../../src/net/p2pNode.js";
import { stateRootFrom } from "../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry, type StateSnapshot } from "../../src/state/merkle/snapshot.js";
import { linked, startNodes, waitFor } from "./p2p.js";

/** `count` entries (keys spread over the tree, values of 8-47 bytes), their root and snapshot. */
export function syncState(count: number): {
  entries: SnapshotEntry[];
  root: Uint8Array;
  snapshot: StateSnapshot;
} {
  const entries: SnapshotEntry[] = Array.from({ length: count }, (_, i) => [
    `03${(i * 7919).toString(16).padStart(10, "0")}`,
    new Uint8Array(8 + (i % 40)).fill(i % 256),
  ]);
  return { entries, root: stateRootFrom(entries), snapshot: buildSnapshot(entries) };
}

/** What `serveState` is given: `snapshot` at `root`, nothing at any other root. */
export function offerAt(root: Uint8Array, snapshot: StateSnapshot) {
  return { snapshot: (r: Uint8Array) => (Buffer.from(r).equals(root) ? snapshot : undefined) };
}

/**
 * `servers` nodes and a client, the last, that links to each of them; every node takes 1,000
 * sync requests a second, the client has `clientLimits` too. `linked()` waits until the
 * client is connected to every server (call it once the servers serve).
 */
export async function startSyncPeers(
  servers: number,
  clientLimits: Partial<NetLimits>,
): Promise<{ nodes: P2pNode[]; client: P2pNode; linked: () => Promise<void> }> {
  const links = (i: number) => (i === servers ? Array.from({ length: servers }, (_, j) => j) : []);
  const nodes = await startNodes(
    servers + 1,
    (i) => ({
      limits: { syncRequestRate: { perSecond: 1000, burst: 1000 }, ...(i === servers ? clientLimits : {}) },
    }),
    links,
  );
  return {
    nodes,
    client: nodes[servers] as P2pNode,
    linked: () => waitFor("the peers", () => linked(nodes, links), 30_000),
  };
}
