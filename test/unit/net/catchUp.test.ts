/** Catching up from several peers, one of which serves forged blocks. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BLOCK_SYNC_PROTOCOL, serveBlocks } from "../../../src/net/blockSync.js";
import { catchUp } from "../../../src/net/catchUp.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import type { SyncBlock } from "../../../src/net/syncMessages.js";
import { SyncPeerBook } from "../../../src/net/syncPeers.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const block = (height: number, forged = false): SyncBlock => ({
  height,
  block: Uint8Array.of(height % 256, height >> 8),
  certificate: Uint8Array.of(forged ? 0 : 1),
});
const links = (i: number) => (i === 3 ? [0, 1, 2] : []);

describe("catching up", () => {
  it("applies every block up to the best peer's head; a forging peer is skipped and scored down", async () => {
    const nodes = await startNodes(4, () => ({ limits: { maxSyncBlocks: 16 } }), links);
    try {
      const [forger, short, full, joiner] = nodes as [P2pNode, P2pNode, P2pNode, P2pNode];
      await serveBlocks(forger, { block: (h) => (h < 300 ? block(h, h >= 20) : undefined) });
      await serveBlocks(short, { block: (h) => (h < 50 ? block(h) : undefined) });
      await serveBlocks(full, { block: (h) => (h < 120 ? block(h) : undefined) });
      await waitFor("the peers", () => linked(nodes, links));
      const applied: number[] = [];
      const result = await catchUp(joiner, [forger.peerId, short.peerId, full.peerId], 0, async (b) => {
        if (b.certificate[0] !== 1) throw new Error("the certificate does not verify");
        assert.equal(b.height, applied.length, "in order, none skipped");
        applied.push(b.height);
      });
      assert.equal(result.height, 120);
      assert.equal(result.applied, 120);
      assert.deepEqual(
        applied,
        Array.from({ length: 120 }, (_, i) => i),
      );
      assert.ok((result.faults.get(forger.peerId) ?? 0) >= 1);
      assert.ok(joiner.scores.score(forger.peerId) < 0);
      assert.equal(joiner.scores.score(full.peerId), 0);
    } finally {
      await stopNodes(nodes);
    }
  });

  it("asks a stalling peer last, once a catch-up, with a deadline set by the honest peers; bans it for stalling in a row", async () => {
    // Before session 17 the peers were asked strictly in turn with the full deadline and a
    // stall cost nothing: the staller was asked every third batch (a timeout each time) and
    // never banned.
    const nodes = await startNodes(
      4,
      (i) => ({ limits: { maxSyncBlocks: 16, ...(i === 3 ? { syncTimeoutMs: 4_000 } : {}) } }),
      links,
    );
    try {
      const [staller, honestA, honestB, joiner] = nodes as [P2pNode, P2pNode, P2pNode, P2pNode];
      let asked = 0;
      // Accepts each request and never answers (the stream stays open).
      await staller.handle(BLOCK_SYNC_PROTOCOL, () => void asked++, 64);
      await serveBlocks(honestA, { block: (h) => (h < 120 ? block(h) : undefined) });
      await serveBlocks(honestB, { block: (h) => (h < 120 ? block(h) : undefined) });
      await waitFor("the peers", () => linked(nodes, links));
      const book = new SyncPeerBook(joiner.limits.syncTimeoutMs, { floorMs: 200, factor: 2 });
      const peers = [staller.peerId, honestA.peerId, honestB.peerId];
      const applied: number[] = [];
      const apply = async (b: SyncBlock) => {
        assert.equal(b.height, applied.length, "in order, none skipped");
        applied.push(b.height);
      };
      const first = await catchUp(joiner, peers, 0, apply, undefined, book);
      assert.equal(first.height, 120);
      assert.equal(
        asked,
        2,
        "asked first (nothing known of it yet), then once more when the honest peers had nothing new",
      );
      assert.ok(
        book.deadline(honestA.peerId) < joiner.limits.syncTimeoutMs,
        "a deadline shorter than the limit",
      );
      assert.ok(joiner.scores.score(staller.peerId) < 0, "a second stall in a row costs points");
      assert.ok(!joiner.scores.isBanned(staller.peerId));
      // Each later catch-up (the node at the head) asks it once more; its stalls in a row add up to a ban.
      let runs = 1;
      while (!joiner.scores.isBanned(staller.peerId) && runs < 8) {
        const again = await catchUp(joiner, peers, 120, apply, undefined, book);
        assert.equal(again.height, 120);
        runs++;
      }
      assert.ok(joiner.scores.isBanned(staller.peerId), `score ${joiner.scores.score(staller.peerId)}`);
      assert.equal(asked, 5, "banned at its fifth stall in a row");
      assert.equal(runs, 4);
      assert.equal(joiner.scores.score(honestA.peerId), 0);
      assert.equal(joiner.scores.score(honestB.peerId), 0);
      // Banned, it is asked no more.
      await catchUp(joiner, peers, 120, apply, undefined, book);
      assert.equal(asked, 5);
    } finally {
      await stopNodes(nodes);
    }
  });

  it("an honest peer slow once is not scored down: it answers within the longer deadline it gets next", async () => {
    const nodes = await startNodes(
      3,
      (i) => ({ limits: { maxSyncBlocks: 16, ...(i === 2 ? { syncTimeoutMs: 4_000 } : {}) } }),
      (i) => (i === 2 ? [0, 1] : []),
    );
    try {
      const [slow, honest, joiner] = nodes as [P2pNode, P2pNode, P2pNode];
      let slowOnce = true;
      await serveBlocks(slow, {
        async block(h) {
          if (h >= 200) return undefined;
          if (h === 64 && slowOnce) {
            slowOnce = false;
            await new Promise((resolve) => setTimeout(resolve, 4_500)); // past the whole limit
          }
          return block(h);
        },
      });
      await serveBlocks(honest, { block: (h) => (h < 64 ? block(h) : undefined) });
      await waitFor("the peers", () => linked(nodes, (i) => (i === 2 ? [0, 1] : [])));
      const book = new SyncPeerBook(joiner.limits.syncTimeoutMs, { floorMs: 200 });
      let next = 0;
      const apply = async (b: SyncBlock) => {
        assert.equal(b.height, next++);
      };
      const peers = [slow.peerId, honest.peerId];
      const first = await catchUp(joiner, peers, 0, apply, undefined, book);
      assert.equal(first.height, 64, "the slow peer's answer for 64.. stalled; the other has no more");
      assert.equal(book.stalls(slow.peerId), 1);
      const second = await catchUp(joiner, peers, first.height, apply, undefined, book);
      assert.equal(second.height, 200, "the next catch-up got the blocks only it has");
      assert.equal(book.stalls(slow.peerId), 0);
      assert.equal(joiner.scores.score(slow.peerId), 0);
      assert.equal(joiner.scores.isBanned(slow.peerId), false);
    } finally {
      await stopNodes(nodes);
    }
  });
});
