/**
 * State sync where the client chooses the cut (protocol `/weft/sync/state/2`). Until session
 * 13 the server cut the state once for all, up to 16 levels (65,536 chunks), and a large state
 * spread over every chunk cost a request per chunk however few bytes it held (the attacker's
 * open finding of session 12). Now the client asks for a subtree's summary, takes whole what
 * fits its budget and cuts the rest just deep enough; the server refuses, with a typed error,
 * a cut deeper than it bounds and entries over its answer bound.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import {
  type FetchStats,
  fetchEntries,
  fetchState,
  fetchSubtree,
  serveState,
} from "../../../src/net/stateSync.js";
import { MAX_SUBTREE_DEPTH } from "../../../src/net/stateSyncMessages.js";
import { keyPath } from "../../../src/state/merkle/hashing.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import { ROOT_PREFIX, type SubtreeSummary } from "../../../src/state/merkle/subtrees.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

/** 70,000 small entries: about 1.4 MB, spread over most of the 65,536 prefixes of 16 bits. */
const entries: SnapshotEntry[] = Array.from({ length: 70_000 }, (_, i) => [
  `03${i.toString(16).padStart(10, "0")}`,
  new Uint8Array(8).fill(i % 256),
]);
const snapshot = buildSnapshot(entries);
const root = snapshot.root;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);
const refused = (code: string) => (e: unknown) =>
  e instanceof NetError && e.code === "PEER_ERROR" && e.details.code === code;

describe("state sync with the cut chosen by the client", () => {
  let nodes: P2pNode[];
  let served = 0;
  before(async () => {
    nodes = await startNodes(2, () => ({ limits: { syncRequestRate: { perSecond: 1000, burst: 1000 } } }));
    const counted = {
      root,
      index: {
        size: snapshot.index.size,
        measure: (p: Parameters<typeof snapshot.index.measure>[0]) => snapshot.index.measure(p),
        summaries: (p: Parameters<typeof snapshot.index.summaries>[0], d: number) => {
          served++;
          return snapshot.index.summaries(p, d);
        },
        entries: (p: Parameters<typeof snapshot.index.entries>[0]) => {
          served++;
          return snapshot.index.entries(p);
        },
      },
    };
    // The server answers at most 256 KiB of entries at once.
    await serveState(
      nodes[0] as P2pNode,
      { snapshot: (r) => (same(r, root) ? counted : undefined) },
      { maxEntriesBytes: 256 * 1024 },
    );
    await waitFor("the peers", () => linked(nodes));
  });
  after(async () => {
    await stopNodes(nodes);
  });

  it("a large state spread over every 16-bit prefix comes in a handful of requests", async () => {
    const prefixes16 = new Set(entries.map(([k]) => keyPath(k).slice(0, 2))).size;
    assert.ok(
      prefixes16 > 40_000,
      `${prefixes16} chunks of a 16-level cut hold entries: as many requests before`,
    );
    const [server, client] = nodes as [P2pNode, P2pNode];
    const stats: FetchStats = { subtrees: 0, entries: 0 };
    served = 0;
    const got = await fetchState(client, [server.peerId], root, { targetBytes: 256 * 1024 }, stats);
    assert.equal(got.length, entries.length);
    assert.deepEqual(stateRootFrom(got), root);
    // The root's summary, one cut 3 levels down (1.4 MB / 256 KiB), then 8 subtrees whole.
    assert.deepEqual(stats, { subtrees: 2, entries: 8 });
    assert.equal(served, 10, "the server answered as many");
  });

  it("a budget over the server's bound: refused TOO_LARGE, and the client cuts instead", async () => {
    const [server, client] = nodes as [P2pNode, P2pNode];
    const [top] = await fetchSubtree(client, server.peerId, root, ROOT_PREFIX, 0, root);
    await assert.rejects(
      fetchEntries(client, server.peerId, root, ROOT_PREFIX, top as SubtreeSummary),
      refused("TOO_LARGE"),
    );
    const stats: FetchStats = { subtrees: 0, entries: 0 };
    const got = await fetchState(client, [server.peerId], root, { targetBytes: 16 << 20 }, stats);
    assert.deepEqual(stateRootFrom(got), root);
    assert.ok(stats.entries + stats.subtrees < 40, JSON.stringify(stats));
  });

  it("a hostile depth is refused TOO_DEEP before any work", async () => {
    const [server, client] = nodes as [P2pNode, P2pNode];
    served = 0;
    for (const depth of [MAX_SUBTREE_DEPTH + 1, 16, 255])
      await assert.rejects(
        fetchSubtree(client, server.peerId, root, ROOT_PREFIX, depth, root),
        refused("TOO_DEEP"),
      );
    const deep = { bits: 250, bytes: new Uint8Array(32) };
    await assert.rejects(fetchSubtree(client, server.peerId, root, deep, 7, root), refused("TOO_DEEP"));
    assert.equal(served, 0, "no summaries computed for them");
    assert.equal(client.scores.score(server.peerId), 0, "the honest server is not blamed for refusing");
  });
});
