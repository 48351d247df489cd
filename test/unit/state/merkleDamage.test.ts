/**
 * A node record damaged inside a well-formed entry (a flipped byte: right length, right
 * tag) is refused when the tree reads it (`CORRUPT_NODE`: it does not hash to the hash its
 * parent holds), never trusted into a wrong root or proof. Before the check, an update over
 * such a record gave a root that matched no state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/codec/bytes.js";
import { MemoryNodeStore, MerkleError, MerkleTree, ROOT_ID } from "../../../src/state/merkle/index.js";
import type { WriteSet } from "../../../src/state/storage.js";

const key = (i: number) => `01${i.toString(16).padStart(40, "0")}`;
const value = (i: number, round: number) => Uint8Array.of(i & 0xff, round, 7);

/** A tree of 48 keys committed to a memory store (its records), and the writes of a second block. */
function stored(): { nodes: Map<string, Uint8Array>; next: WriteSet } {
  const store = new MemoryNodeStore();
  const tree = new MerkleTree(store);
  const first: WriteSet = new Map();
  for (let i = 0; i < 48; i++) first.set(key(i), value(i, 1));
  const update = tree.update(first);
  store.apply(update.nodeWrites);
  tree.commit(update);
  const next: WriteSet = new Map();
  for (let i = 0; i < 48; i++) next.set(key(i), value(i, 2));
  return { nodes: store.nodes, next };
}

const corrupt = (error: unknown) => error instanceof MerkleError && error.code === "CORRUPT_NODE";

describe("a Merkle node record with a flipped byte", () => {
  it("is refused (CORRUPT_NODE) by an update and a proof through it, whichever node and byte", () => {
    const { nodes, next } = stored();
    const ids = [...nodes.keys()].filter((id) => id !== ROOT_ID);
    assert.ok(ids.length > 40, `${ids.length} nodes`);
    const clean = new MerkleTree(new MemoryNodeStore(new Map(nodes)));
    const expected = toHex(clean.update(next).root);
    for (const id of ids) {
      const record = nodes.get(id) as Uint8Array;
      // A leaf's tag byte (0) is left alone: a changed tag is refused by its shape already.
      for (const at of [record.length === 65 ? 1 : 0, 33, record.length - 1]) {
        const damaged = new Map(nodes);
        const copy = Uint8Array.from(record);
        copy[at] = (copy[at] as number) ^ 0x10;
        damaged.set(id, copy);
        const tree = new MerkleTree(new MemoryNodeStore(damaged));
        let root: string | undefined;
        let thrown: unknown;
        try {
          root = toHex(tree.update(next).root);
        } catch (error) {
          thrown = error;
        }
        assert.ok(
          corrupt(thrown),
          `node ${id} byte ${at}: ${thrown === undefined ? `an update gave ${root === expected ? "the right root" : `the root ${root}`}` : String(thrown)}`,
        );
        const proofs = () => {
          for (let i = 0; i < 48; i++) new MerkleTree(new MemoryNodeStore(damaged)).prove(key(i));
        };
        assert.throws(proofs, corrupt, `node ${id} byte ${at}: every proof was given`);
      }
    }
  });

  it("an undamaged store gives the same roots and proofs through the kept nodes as read afresh", () => {
    const { nodes, next } = stored();
    const store = new MemoryNodeStore(new Map(nodes));
    const kept = new MerkleTree(store);
    for (let i = 0; i < 48; i++) kept.prove(key(i)); // links every node
    const update = kept.update(next);
    assert.equal(
      toHex(update.root),
      toHex(new MerkleTree(new MemoryNodeStore(new Map(nodes))).update(next).root),
    );
    store.apply(update.nodeWrites);
    kept.commit(update);
    const fresh = new MerkleTree(store);
    for (let i = 0; i < 48; i++)
      assert.deepEqual(kept.prove(key(i)), fresh.prove(key(i)), `proof of key ${i}`);
  });
});
