/**
 * State sync's client against peers that stall or inflate their hints, over real libp2p: a
 * stall is scored as in block sync (`SyncPeerBook`: the first in a row free, then 10, 20, …
 * points; asked last), across attempts when the join keeps one book; a peer that inflates the
 * bytes hints of its summaries (hashes honest, bytes × 10^6) costs no more requests than an
 * honest one: the parts' hints are bounded by the whole's, the root's is the smallest of two.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import {
  boundHints,
  type FetchStateOptions,
  type FetchStats,
  fetchState,
  STATE_SYNC_PROTOCOL,
  serveState,
} from "../../../src/net/stateSync.js";
import { SyncPeerBook } from "../../../src/net/syncPeers.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import type { StateSnapshot } from "../../../src/state/merkle/snapshot.js";
import { stopNodes } from "../../helpers/p2p.js";
import { withIndex } from "../../helpers/snapshots.js";
import { offerAt, startSyncPeers, syncState } from "../../helpers/syncPeers.js";

const { entries, root, snapshot } = syncState(600);
const offer = (s: StateSnapshot) => offerAt(root, s);
const SERVERS = 3;
const isTimeout = (e: unknown) => e instanceof NetError && e.code === "TIMEOUT";

describe("state sync: stalling peers scored, inflated hints bounded", () => {
  let nodes: P2pNode[];
  let client: P2pNode;
  const peer = (i: number) => (nodes[i] as P2pNode).peerId;
  /** Options with a book, as a variable: the walk must use the book it is given. */
  const withBook = (book: SyncPeerBook, more: FetchStateOptions = {}): FetchStateOptions => ({
    ...more,
    book,
  });

  before(async () => {
    const peers = await startSyncPeers(SERVERS, { syncTimeoutMs: 2_000 });
    ({ nodes, client } = peers);
    const at = (i: number) => nodes[i] as P2pNode;
    // 0: honest. 1: takes every request and never answers. 2: honest hashes, bytes hints × 10^6.
    await serveState(at(0), offer(snapshot));
    await at(1).handle(STATE_SYNC_PROTOCOL, () => undefined);
    const inflated = withIndex(snapshot, {
      summaries: (p, d) => snapshot.index.summaries(p, d).map((s) => ({ ...s, bytes: s.bytes * 1_000_000 })),
    });
    await serveState(at(2), offer(inflated));
    await peers.linked();
  });

  after(async () => {
    await stopNodes(nodes);
  });

  it("a peer that stalls attempt after attempt loses points (0, 10, 20), the book counting across attempts", async () => {
    const book = new SyncPeerBook(client.limits.syncTimeoutMs, { label: "state sync" });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await assert.rejects(fetchState(client, [peer(1)], root, withBook(book)), isTimeout);
      assert.equal(book.stalls(peer(1)), attempt);
    }
    // 30 points taken; the score recovers 1 a second meanwhile (three 2 s deadlines).
    assert.ok(client.scores.score(peer(1)) < -10, `score ${client.scores.score(peer(1))}`);
  });

  it("a staller among honest peers is asked once, then last: the state arrives whole", async () => {
    const book = new SyncPeerBook(client.limits.syncTimeoutMs, { label: "state sync" });
    const got = await fetchState(client, [peer(1), peer(0)], root, withBook(book, { targetBytes: 4_000 }));
    assert.equal(got.length, entries.length);
    assert.deepEqual(stateRootFrom(got), root);
    assert.equal(book.stalls(peer(1)), 1);
  });

  it("inflated bytes hints cost no more requests than honest ones, whichever peer is asked first", async () => {
    const count = async (peers: string[]) => {
      const stats: FetchStats = { subtrees: 0, entries: 0 };
      const got = await fetchState(client, peers, root, { targetBytes: 4_000 }, stats);
      assert.deepEqual(stateRootFrom(got), root);
      return stats;
    };
    const honest = await count([peer(0)]);
    for (const peers of [
      [peer(0), peer(2)],
      [peer(2), peer(0)],
    ]) {
      const mixed = await count(peers);
      // The one request more: the root's summary from a second peer.
      assert.ok(
        mixed.subtrees <= honest.subtrees + 1 && mixed.entries <= honest.entries,
        `honest ${JSON.stringify(honest)}, with the inflating peer ${JSON.stringify(mixed)}`,
      );
    }
  });

  it("boundHints: parts' hints scaled to the whole's when they add up to more", () => {
    const hash = new Uint8Array(32).fill(1);
    const cut = [
      { leaves: 3, bytes: 3_000_000, hash },
      { leaves: 1, bytes: 1_000_000, hash },
    ];
    assert.deepEqual(
      boundHints(cut, 400).map((s) => s.bytes),
      [300, 100],
    );
    assert.deepEqual(boundHints(cut, 10_000_000), cut, "hints within the whole's stay");
  });
});
