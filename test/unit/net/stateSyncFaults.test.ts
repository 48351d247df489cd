/**
 * State sync against peers that misbehave at the stream level, over real libp2p: one stalls
 * (never answers), one cuts its answer short, one announces an answer far over the bound, one
 * serves the entries of the state at another height, one leaves entries out. Each is a typed
 * error naming what went wrong; the client, given them all and one honest peer, gets the whole
 * state, every part verified, from the honest one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetError } from "../../../src/net/errors.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import {
  fetchEntries,
  fetchState,
  fetchSubtree,
  STATE_SYNC_PROTOCOL,
  serveState,
} from "../../../src/net/stateSync.js";
import { encodeEntries } from "../../../src/net/stateSyncMessages.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type StateSnapshot } from "../../../src/state/merkle/snapshot.js";
import { childPrefix, ROOT_PREFIX, type SubtreeSummary } from "../../../src/state/merkle/subtrees.js";
import { stopNodes } from "../../helpers/p2p.js";
import { withIndex } from "../../helpers/snapshots.js";
import { offerAt, startSyncPeers, syncState } from "../../helpers/syncPeers.js";

const { entries, root, snapshot } = syncState(600);
/** The same keys a block later: every value changed. */
const later = buildSnapshot(entries.map(([k, v]) => [k, Uint8Array.of(...v, 7)] as const));
const offer = (s: StateSnapshot) => offerAt(root, s);
/** The client (last) links to every server. */
const SERVERS = 6;
const isNet = (code: string) => (e: unknown) => e instanceof NetError && e.code === code;
/** An honest answer asked again while it times out: the client gives a peer 2 s, which a loaded machine can miss. */
async function honestly<T>(ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= 6 || !isNet("TIMEOUT")(error)) throw error;
    }
  }
}

describe("state sync against misbehaving peers", () => {
  let nodes: P2pNode[];
  let client: P2pNode;
  const peer = (i: number) => (nodes[i] as P2pNode).peerId;

  before(async () => {
    // The client gives a peer 2 s; the real default is 15 s.
    const peers = await startSyncPeers(SERVERS, { syncTimeoutMs: 2_000, maxSyncResponseBytes: 1 << 20 });
    ({ nodes, client } = peers);
    const at = (i: number) => nodes[i] as P2pNode;
    // 0: honest.
    await serveState(at(0), offer(snapshot));
    // 1: stalls: takes the request and never answers.
    await at(1).handle(STATE_SYNC_PROTOCOL, () => undefined);
    // 2: an entries frame announcing 1,000 bytes, then 10 of them, then the end of the stream.
    await at(2).handle(STATE_SYNC_PROTOCOL, ({ stream }) => {
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, 1_000);
      void stream.sink([head, new Uint8Array(10).fill(4)]).catch(() => undefined);
    });
    // 3: entries of 64 MiB announced (the client's bound is 1 MiB).
    await at(3).handle(STATE_SYNC_PROTOCOL, ({ stream }) => {
      const head = new Uint8Array(5);
      new DataView(head.buffer).setUint32(0, 64 << 20);
      head[4] = 4;
      void stream.sink([head]).catch(() => undefined);
    });
    // 4: the honest summaries, the entries of another height's state.
    await serveState(at(4), offer(withIndex(snapshot, { entries: (p) => later.index.entries(p) })));
    // 5: the honest summaries, every subtree empty (its entries left out).
    await serveState(at(5), offer(withIndex(snapshot, { entries: () => [] })));
    await peers.linked();
  });

  after(async () => {
    await stopNodes(nodes);
  });

  it("names each fault: timeout, truncated, too large, not the root's, missing", async () => {
    const cut = await honestly(() => fetchSubtree(client, peer(0), root, ROOT_PREFIX, 4, root));
    const index = cut.findIndex((c) => c.leaves > 1);
    const prefix = childPrefix(ROOT_PREFIX, 4, index);
    const summary = cut[index] as SubtreeSummary;
    const ask = (i: number) => fetchEntries(client, peer(i), root, prefix, summary);
    await assert.rejects(ask(1), isNet("TIMEOUT"));
    await assert.rejects(ask(2), isNet("TRUNCATED"));
    await assert.rejects(ask(3), isNet("TOO_LARGE"));
    await assert.rejects(ask(4), isNet("VERIFY"));
    await assert.rejects(ask(5), isNet("VERIFY"));
    // A stall and a cut stream are no proof of malice; the rest cost the peer.
    assert.equal(client.scores.score(peer(2)), 0);
    for (const i of [3, 4, 5]) assert.ok(client.scores.score(peer(i)) < 0, `peer ${i} penalized`);
    // The honest entries themselves encode to what was fetched.
    const good = await honestly(() => ask(0));
    assert.deepEqual(encodeEntries(good), encodeEntries(snapshot.index.entries(prefix)));
  });

  it("gets the whole state from the honest peer, the others tried once each at most per request", async () => {
    const got = await fetchState(client, [peer(1), peer(2), peer(4), peer(5), peer(0)], root, {
      targetBytes: 4_000,
    });
    assert.equal(got.length, entries.length);
    assert.deepEqual(stateRootFrom(got), root);
  });
});
