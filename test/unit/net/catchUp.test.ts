/** Catching up from several peers, one of which serves forged blocks. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serveBlocks } from "../../../src/net/blockSync.js";
import { catchUp } from "../../../src/net/catchUp.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import type { SyncBlock } from "../../../src/net/syncMessages.js";
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
});
