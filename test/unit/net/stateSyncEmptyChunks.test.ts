/**
 * State sync against a peer that cuts a small state as finely as it may (attacker finding,
 * session 12): the peer giving the manifest chooses its depth, up to 16 (65,536 chunks), and
 * the client asked for every chunk, empty or not, one request each, so 40 entries cost as
 * many requests as the cut has chunks. An empty chunk is known from the manifest (zero
 * leaves, zero hash, folded to the root): it is no longer asked for.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { fetchState, serveState } from "../../../src/net/stateSync.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import { linked, startNodes, stopNodes, waitFor } from "../../helpers/p2p.js";

const entries: SnapshotEntry[] = Array.from({ length: 40 }, (_, i) => [
  `03${(i * 7919).toString(16).padStart(10, "0")}`,
  new Uint8Array(8 + i).fill(i),
]);
const bytes = entries.reduce((n, [k, v]) => n + k.length / 2 + v.length, 0);
/** Cut 10 levels deep (1,024 chunks, at most 40 of them holding anything): bounded on the old code too. */
const fine = buildSnapshot(entries, { targetChunkBytes: bytes / 1024 });
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

describe("state sync of a finely cut snapshot", () => {
  let nodes: P2pNode[];
  let chunkRequests = 0;
  before(async () => {
    nodes = await startNodes(2, () => ({
      limits: { syncRequestRate: { perSecond: 100_000, burst: 100_000 } },
    }));
    await serveState(nodes[0] as P2pNode, {
      snapshot: (r) => {
        if (!same(r, fine.root)) return undefined;
        return {
          ...fine,
          chunk: (i) => {
            chunkRequests++;
            return fine.chunk(i);
          },
        };
      },
    });
    await waitFor("the peers", () => linked(nodes));
  });
  after(async () => {
    await stopNodes(nodes);
  });

  it("asks only for the chunks that hold entries, and gets the whole state", async () => {
    assert.equal(fine.manifest.depth, 10);
    const full = fine.manifest.chunks.filter((c) => c.leaves > 0).length;
    assert.ok(full <= entries.length);
    const [server, client] = nodes as [P2pNode, P2pNode];
    const got = await fetchState(client, [server.peerId], stateRootFrom(entries));
    assert.equal(got.length, entries.length);
    assert.deepEqual(stateRootFrom(got), fine.root);
    assert.equal(chunkRequests, full, `${chunkRequests} chunk requests for ${full} chunks holding entries`);
  });
});
