/**
 * The Merkle update in slices (`MerkleTree.updateInSlices`): the node's block building asks a
 * pause between the top subtrees so that its main thread answers RPC and consensus during a
 * large update. Its outcome must be `update`'s exactly: root, node writes (in the same
 * order), hash counts, and the same trees once committed, over histories of blocks with
 * inserts, changes and deletes, committed block by block or staged on a parent.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRandom } from "../../../src/codec/seededRandom.js";
import { nextTurn } from "../../../src/engine/nextTurn.js";
import {
  MemoryNodeStore,
  MerkleError,
  MerkleTree,
  type MerkleUpdate,
} from "../../../src/state/merkle/index.js";
import type { WriteSet } from "../../../src/state/storage.js";

const keyOf = (n: number) => `03${n.toString(16).padStart(8, "0")}`;

/** A block of `size` writes over keys [0, keys): new values, changes and deletes. */
function block(random: () => number, size: number, keys: number): WriteSet {
  const writes: WriteSet = new Map();
  for (let i = 0; i < size; i++) {
    const key = keyOf(Math.floor(random() * keys));
    writes.set(key, random() < 0.15 ? null : new Uint8Array([Math.floor(random() * 256), i & 0xff, 7]));
  }
  return writes;
}

const same = (a: MerkleUpdate, b: MerkleUpdate) => {
  assert.deepEqual(a.root, b.root);
  assert.deepEqual([...a.nodeWrites], [...b.nodeWrites]);
  assert.equal(a.hashes, b.hashes);
  assert.equal(a.nodeHashes, b.nodeHashes);
};

describe("Merkle update in slices", () => {
  for (const staged of [false, true])
    it(`gives update's root, node writes and counts (${staged ? "staged on a parent" : "committed each block"})`, async () => {
      const random = seededRandom(staged ? 17 : 16);
      const plain = { store: new MemoryNodeStore(), tree: undefined as unknown as MerkleTree };
      const sliced = { store: new MemoryNodeStore(), tree: undefined as unknown as MerkleTree };
      plain.tree = new MerkleTree(plain.store, { cacheLimit: 500 });
      sliced.tree = new MerkleTree(sliced.store, { cacheLimit: 500 });
      let pauses = 0;
      let parents: [MerkleUpdate, MerkleUpdate] | undefined;
      for (let b = 0; b < 12; b++) {
        const writes = block(random, b === 0 ? 3_000 : 400, 5_000);
        const expected = plain.tree.update(writes, parents?.[0]);
        const actual = await sliced.tree.updateInSlices(
          writes,
          () => {
            pauses++;
            return nextTurn();
          },
          parents?.[1],
        );
        same(actual, expected);
        if (staged && b % 3 !== 2) {
          parents = [expected, actual];
          continue;
        }
        parents = undefined;
        plain.store.apply(expected.nodeWrites);
        plain.tree.commit(expected);
        sliced.store.apply(actual.nodeWrites);
        sliced.tree.commit(actual);
        assert.deepEqual(sliced.tree.root(), plain.tree.root());
      }
      assert.ok(pauses > 12 * 8, `${pauses} pauses in 12 updates`);
    });

  it("refuses to finish over a tree committed meanwhile (STALE_UPDATE)", async () => {
    const store = new MemoryNodeStore();
    const tree = new MerkleTree(store);
    const first = tree.update(block(seededRandom(3), 200, 1_000));
    store.apply(first.nodeWrites);
    tree.commit(first);
    let other: MerkleUpdate | undefined;
    const pending = tree.updateInSlices(block(seededRandom(4), 200, 1_000), () => {
      if (other === undefined) {
        other = tree.update(block(seededRandom(5), 10, 1_000));
        store.apply(other.nodeWrites);
        tree.commit(other);
      }
      return undefined;
    });
    await assert.rejects(pending, (e: unknown) => e instanceof MerkleError && e.code === "STALE_UPDATE");
  });
});
