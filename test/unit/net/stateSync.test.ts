/**
 * State sync over real libp2p nodes: a new node fetches the state at a given root in
 * verified parts from an honest peer and a hostile one that tampers with entries, and a
 * liar's summaries of another state are refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { type FetchStats, fetchState, fetchSubtree, serveState } from "../../../src/net/stateSync.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry, type StateSnapshot } from "../../../src/state/merkle/snapshot.js";
import { ROOT_PREFIX } from "../../../src/state/merkle/subtrees.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";
import { withIndex } from "../../helpers/snapshots.js";

const entries: SnapshotEntry[] = Array.from({ length: 3_000 }, (_, i) => [
  `03${(i * 7919).toString(16).padStart(10, "0")}`,
  new Uint8Array(8 + (i % 40)).fill(i % 256),
]);
const root = stateRootFrom(entries);
const snapshot = buildSnapshot(entries);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);
const links = (i: number) => (i === 3 ? [0, 1, 2] : []);

/** A snapshot whose subtrees each have one value changed (its summaries are the honest ones). */
const tampered: StateSnapshot = withIndex(snapshot, {
  entries: (p) =>
    snapshot.index.entries(p).map(([k, v], j) => [k, j === 0 ? Uint8Array.of(...v, 1) : v] as const),
});
/** Another state's summaries, offered under our root. */
const forged: StateSnapshot = buildSnapshot(entries.slice(1));

describe("state sync", () => {
  let nodes: P2pNode[];
  let hostile: P2pNode;
  let liar: P2pNode;
  let client: P2pNode;
  const honest: string[] = [];

  before(async () => {
    // 0 honest, 1 tampers with chunks, 2 forges manifests, 3 syncs from all three.
    nodes = await startNodes(
      4,
      () => ({ limits: { syncRequestRate: { perSecond: 1000, burst: 1000 } } }),
      links,
    );
    hostile = nodes[1] as P2pNode;
    liar = nodes[2] as P2pNode;
    client = nodes[3] as P2pNode;
    await serveState(nodes[0] as P2pNode, { snapshot: (r) => (same(r, root) ? snapshot : undefined) });
    await serveState(hostile, { snapshot: (r) => (same(r, root) ? tampered : undefined) });
    await serveState(liar, { snapshot: (r) => (same(r, root) ? forged : undefined) });
    honest.push((nodes[0] as P2pNode).peerId);
    await waitFor("the peers", () => linked(nodes, links));
  });

  after(async () => {
    await stopNodes(nodes);
  });

  it("fetches the whole state at a root, every part verified, though a peer tampers with its entries", async () => {
    const stats: FetchStats = { subtrees: 0, entries: 0 };
    const got = await fetchState(client, [hostile.peerId, ...honest], root, { targetBytes: 4_000 }, stats);
    assert.ok(stats.entries >= 16, `${stats.entries} entries requests`);
    assert.equal(got.length, entries.length);
    assert.deepEqual(stateRootFrom(got), root);
    const byKey = new Map(entries);
    for (const [key, value] of got) assert.deepEqual(value, byKey.get(key));
    assert.ok(client.scores.isBanned(hostile.peerId) || client.scores.score(hostile.peerId) < 0);
    assert.equal(client.scores.score(honest[0] as string), 0);
  });

  it("forged summaries, an unknown root and no honest peer are typed errors", async () => {
    await assert.rejects(
      fetchSubtree(client, liar.peerId, root, ROOT_PREFIX, 4, root),
      (e: unknown) => e instanceof NetError && e.code === "VERIFY",
    );
    assert.ok(client.scores.score(liar.peerId) < 0);
    await assert.rejects(
      fetchSubtree(client, honest[0] as string, new Uint8Array(32).fill(9), ROOT_PREFIX, 0, root),
      (e: unknown) => e instanceof NetError && e.code === "PEER_ERROR" && e.details.code === "UNKNOWN_ROOT",
    );
    await assert.rejects(fetchState(client, [liar.peerId], root), (e: unknown) => e instanceof NetError);
  });
});
