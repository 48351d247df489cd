/**
 * The nodes a Merkle tree keeps linked to their parents stay about its `cacheLimit`, also
 * when blocks only change existing keys (no node added). Before, a load past the limit was
 * not kept but not counted either, and the node an update rebuilt in its place was linked
 * all the same: such blocks linked the whole tree, step by step (this test: up to 2,089 of
 * 7,315 nodes in 200 blocks of 8 writes, with a limit of 200). Roots and proofs stay those
 * of a fresh tree.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { MemoryNodeStore, MerkleTree, verifyProof } from "../../../src/state/merkle/index.js";
import type { WriteSet } from "../../../src/state/storage.js";

const key = (i: number) => `01${i.toString(16).padStart(40, "0")}`;

interface Linked {
  left: Linked | undefined;
  right: Linked | undefined;
}

/** Nodes reachable from the tree's root by the kept links (the root included). */
function linkedNodes(tree: MerkleTree): number {
  const count = (n: Linked): number =>
    1 + (n.left === undefined ? 0 : count(n.left)) + (n.right === undefined ? 0 : count(n.right));
  return count((tree as unknown as { rootNode: Linked }).rootNode);
}

describe("the Merkle tree's kept links", () => {
  it("stay about cacheLimit over blocks that only change existing keys", () => {
    const store = new MemoryNodeStore();
    const limit = 200;
    const tree = new MerkleTree(store, { cacheLimit: limit });
    const keys = 3000;
    const commit = (writes: WriteSet) => {
      const update = tree.update(writes);
      store.apply(update.nodeWrites);
      tree.commit(update);
    };
    for (let b = 0; b < 6; b++) {
      const writes: WriteSet = new Map();
      for (let i = b * 500; i < (b + 1) * 500; i++) writes.set(key(i), Uint8Array.of(i & 0xff, 1));
      commit(writes);
    }
    const nodes = store.nodes.size;
    let seed = 1;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const values = new Map<number, Uint8Array>();
    let most = 0;
    for (let round = 1; round <= 200; round++) {
      const writes: WriteSet = new Map();
      for (let j = 0; j < 8; j++) {
        const i = next() % keys;
        const v = Uint8Array.of(i & 0xff, round & 0xff, 2);
        writes.set(key(i), v);
        values.set(i, v);
      }
      commit(writes);
      most = Math.max(most, linkedNodes(tree));
    }
    assert.equal(store.nodes.size, nodes, "no node added: only existing keys changed");
    // About the limit: the loads kept (at most `limit`) and one block's rebuilt paths.
    assert.ok(most <= limit + 8 * 16, `at most ${most} nodes linked (limit ${limit}, ${nodes} in the tree)`);
    const fresh = new MerkleTree(new MemoryNodeStore(new Map(store.nodes)));
    assert.equal(toHex(tree.root()), toHex(fresh.root()));
    for (const [i, v] of values) {
      const proof = tree.prove(key(i));
      assert.deepEqual(proof, fresh.prove(key(i)));
      assert.ok(verifyProof(tree.root(), key(i), v, proof));
    }
  });
});
