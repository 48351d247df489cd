import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import {
  buildSnapshot,
  manifestRoot,
  type SnapshotEntry,
  verifyChunk,
  verifyManifest,
} from "../../../src/state/merkle/snapshot.js";

const entry = (i: number, size = 20): SnapshotEntry => [
  `03${i.toString(16).padStart(8, "0")}`,
  new Uint8Array(size).fill(i % 256),
];

describe("state snapshots in chunks", () => {
  for (const count of [0, 1, 2, 3, 50, 2_000]) {
    it(`${count} entries: the manifest folds to the state root and every chunk verifies`, () => {
      const entries = Array.from({ length: count }, (_, i) => entry(i));
      const root = stateRootFrom(entries);
      const snapshot = buildSnapshot(entries, { targetChunkBytes: 1_000 });
      assert.deepEqual(snapshot.root, root);
      assert.equal(verifyManifest(snapshot.manifest, root), true);
      const all: SnapshotEntry[] = [];
      for (let i = 0; i < snapshot.manifest.chunks.length; i++) {
        const chunk = snapshot.chunk(i);
        assert.equal(verifyChunk(snapshot.manifest, i, chunk), undefined);
        all.push(...chunk);
      }
      assert.equal(all.length, count);
      assert.deepEqual(stateRootFrom(all), root);
      if (count === 2_000) assert.ok(snapshot.manifest.depth >= 5, `depth ${snapshot.manifest.depth}`);
    });
  }

  it("refuses a forged manifest, and chunks with a changed, missing, extra or foreign entry", () => {
    const entries = Array.from({ length: 300 }, (_, i) => entry(i));
    const root = stateRootFrom(entries);
    const { manifest, chunk } = buildSnapshot(entries, { targetChunkBytes: 2_000 });
    assert.ok(manifest.chunks.length >= 4);
    const other = stateRootFrom(entries.slice(1));
    assert.equal(verifyManifest(manifest, other), false, "another root");
    const forged = structuredClone(manifest);
    const hash = (forged.chunks[1] as { hash: Uint8Array }).hash;
    hash[0] = (hash[0] as number) ^ 1;
    assert.equal(verifyManifest(forged, root), false, "a chunk hash changed");
    assert.equal(verifyManifest({ ...manifest, depth: 40 }, root), false);
    const c0 = chunk(0);
    const c1 = chunk(1);
    const changed = c0.map(([k, v], i) => [k, i === 0 ? Uint8Array.of(...v, 1) : v] as const);
    assert.match(verifyChunk(manifest, 0, changed) ?? "", /do not hash/);
    assert.notEqual(verifyChunk(manifest, 0, c0.slice(1)), undefined, "missing");
    assert.match(verifyChunk(manifest, 0, [...c0, c1[0] as SnapshotEntry]) ?? "", /another chunk/);
    assert.match(verifyChunk(manifest, 0, [...c0, c0[0] as SnapshotEntry]) ?? "", /twice/);
    assert.match(verifyChunk(manifest, 0, [["zz", new Uint8Array(1)], ...c0.slice(1)]) ?? "", /malformed/);
    assert.deepEqual(manifestRoot(manifest), root);
  });
});
