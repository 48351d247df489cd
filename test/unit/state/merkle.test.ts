/** The state Merkle tree: known roots, incremental = from scratch = reference, proofs, reopen, JSON. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { concatBytes, fromHex, toHex } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { StateError } from "../../../src/state/errors.js";
import {
  bytesToDigest,
  EMPTY_HASH,
  MemoryNodeStore,
  MerkleError,
  type MerkleProof,
  MerkleTree,
  type MerkleUpdate,
  nodeId,
  proofFromJson,
  proofToJson,
  stateRootFrom,
  verifyProof,
} from "../../../src/state/merkle/index.js";
import type { WriteSet } from "../../../src/state/storage.js";

// --- A reference: the root computed naively from the sorted set of leaves, no store. ---

const bit = (path: Uint8Array, i: number) => ((path[i >> 3] as number) >> (7 - (i & 7))) & 1;
const refLeaf = (path: Uint8Array, value: Uint8Array) =>
  sha256(concatBytes(new Uint8Array([0]), path, sha256(value)));
const refNode = (left: Uint8Array, right: Uint8Array) =>
  sha256(concatBytes(new Uint8Array([1]), left, right));

function refSubtree(leaves: Array<{ path: Uint8Array; value: Uint8Array }>, depth: number): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  if (leaves.length === 1) return refLeaf(leaves[0]?.path as Uint8Array, leaves[0]?.value as Uint8Array);
  const left = leaves.filter((l) => bit(l.path, depth) === 0);
  const right = leaves.filter((l) => bit(l.path, depth) === 1);
  return refNode(refSubtree(left, depth + 1), refSubtree(right, depth + 1));
}

function refRoot(state: Map<string, Uint8Array>): string {
  const leaves = [...state].map(([key, value]) => ({ path: sha256(fromHex(key)), value }));
  leaves.sort((a, b) => Buffer.compare(a.path, b.path));
  return toHex(refSubtree(leaves, 0));
}

// --- Helpers ---

const balanceKey = (i: number) => `01${i.toString(16).padStart(40, "0")}`;
const KEYS = Array.from({ length: 12 }, (_, i) => balanceKey(i));
const pathOf = (key: string) => sha256(fromHex(key));

/** A tree over a fresh memory store; `commit` applies each update's node writes to the store. */
function freshTree() {
  const store = new MemoryNodeStore();
  const tree = new MerkleTree(store);
  const commit = (writes: WriteSet) => {
    const result = tree.update(writes);
    store.apply(result.nodeWrites);
    tree.commit(result);
    return result;
  };
  return { store, tree, commit };
}

function buildFromScratch(state: Map<string, Uint8Array>) {
  const t = freshTree();
  t.commit(new Map(state));
  return t;
}

const storeDump = (store: MemoryNodeStore) =>
  [...store.nodes].map(([id, record]) => `${id}=${toHex(record)}`).sort();

const flipBit = (bytes: Uint8Array, i = 0) => {
  const out = Uint8Array.from(bytes);
  out[i >> 3] = (out[i >> 3] as number) ^ (0x80 >> (i & 7));
  return out;
};

// --- Arbitraries: batches of writes over a small key space, so operations collide. ---

const valueArb = fc.uint8Array({ minLength: 0, maxLength: 3, max: 3 });
const opArb = fc.tuple(fc.nat({ max: KEYS.length - 1 }), fc.option(valueArb, { freq: 3 }));
const batchArb = fc.array(opArb, { minLength: 0, maxLength: 10 });
const historyArb = fc.array(batchArb, { minLength: 1, maxLength: 6 });

function toWriteSet(batch: Array<[number, Uint8Array | null]>): WriteSet {
  const writes: WriteSet = new Map();
  for (const [k, v] of batch) writes.set(KEYS[k] as string, v);
  return writes;
}

function applyToState(state: Map<string, Uint8Array>, writes: WriteSet): void {
  for (const [k, v] of writes) {
    if (v === null) state.delete(k);
    else state.set(k, v);
  }
}

describe("merkle tree known roots", () => {
  it("the empty tree has the zero root and stores nothing", () => {
    const { tree, store, commit } = freshTree();
    assert.equal(toHex(tree.root()), "00".repeat(32));
    assert.deepEqual(tree.root(), EMPTY_HASH);
    const result = commit(new Map());
    assert.equal(result.nodeWrites.size, 0);
    assert.equal(store.size, 0);
  });

  it("a single key is its leaf, stored at the root id", () => {
    const { tree, store, commit } = freshTree();
    const value = new Uint8Array([1, 2, 3]);
    const result = commit(new Map([[KEYS[0] as string, value]]));
    const expected = refLeaf(pathOf(KEYS[0] as string), value);
    assert.equal(toHex(result.root), toHex(expected));
    assert.equal(toHex(tree.root()), toHex(expected));
    assert.deepEqual([...store.nodes.keys()], ["80"]);
    assert.equal(result.hashes, 3); // path, value, leaf
    const removed = commit(new Map([[KEYS[0] as string, null]]));
    assert.deepEqual([...removed.nodeWrites], [["80", null]]);
    assert.equal(toHex(tree.root()), "00".repeat(32));
    assert.equal(store.size, 0);
  });

  it("two keys split at their first differing bit, with empty siblings above", () => {
    // Find two keys whose paths agree on bits 0 and 1 and differ at bit 2.
    const paths = KEYS.map(pathOf);
    let pair: [number, number] | undefined;
    for (let i = 0; i < KEYS.length && !pair; i++)
      for (let j = i + 1; j < KEYS.length && !pair; j++) {
        const a = paths[i] as Uint8Array;
        const b = paths[j] as Uint8Array;
        if (bit(a, 0) === bit(b, 0) && bit(a, 1) === bit(b, 1) && bit(a, 2) !== bit(b, 2)) pair = [i, j];
      }
    assert.ok(pair, "no suitable pair in the key space");
    const [i, j] = pair;
    const a = paths[i] as Uint8Array;
    const va = new Uint8Array([7]);
    const vb = new Uint8Array([8]);
    const leafA = refLeaf(a, va);
    const leafB = refLeaf(paths[j] as Uint8Array, vb);
    let node = bit(a, 2) === 0 ? refNode(leafA, leafB) : refNode(leafB, leafA);
    for (const d of [1, 0]) node = bit(a, d) === 0 ? refNode(node, EMPTY_HASH) : refNode(EMPTY_HASH, node);
    const { tree, store, commit } = freshTree();
    commit(
      new Map([
        [KEYS[i] as string, va],
        [KEYS[j] as string, vb],
      ]),
    );
    assert.equal(toHex(tree.root()), toHex(node));
    assert.equal(store.size, 5); // root, depth-1, depth-2 internal nodes and two leaves
    // Deleting one collapses everything back to the other leaf at the root.
    commit(new Map([[KEYS[j] as string, null]]));
    assert.equal(toHex(tree.root()), toHex(leafA));
    assert.deepEqual([...store.nodes.keys()], ["80"]);
  });

  it("rejects a bad key or value without changing the tree", () => {
    const { tree, commit } = freshTree();
    commit(new Map([[KEYS[0] as string, new Uint8Array([1])]]));
    const before = toHex(tree.root());
    const isBad = (error: unknown) => error instanceof StateError && /BAD_(KEY|VALUE)/.test(error.code);
    assert.throws(() => tree.update(new Map([["0G", new Uint8Array([1])]])), isBad);
    assert.throws(() => tree.update(new Map([[KEYS[1] as string, "x" as unknown as Uint8Array]])), isBad);
    assert.throws(() => tree.prove("ABC"), isBad);
    assert.equal(toHex(tree.root()), before);
  });

  it("node ids encode depth and prefix bits", () => {
    const path = bytesToDigest(new Uint8Array(32).fill(0xff));
    assert.equal(nodeId(path, 0), "80");
    assert.equal(nodeId(path, 1), "c0");
    assert.equal(nodeId(path, 7), "ff");
    assert.equal(nodeId(path, 8), "ff80");
    assert.equal(nodeId(bytesToDigest(new Uint8Array(32)), 3), "10");
    assert.equal(nodeId(bytesToDigest(fromHex(`ab80${"00".repeat(30)}`)), 9), "abc0");
    assert.equal(nodeId(path, 256), `${"ff".repeat(32)}80`);
  });
});

describe("merkle tree properties", () => {
  it("incremental batches = one batch from scratch = the reference; stores match; reopen", () => {
    fc.assert(
      fc.property(historyArb, fc.boolean(), (history, commitEachBlock) => {
        const store = new MemoryNodeStore();
        const tree = new MerkleTree(store);
        const state = new Map<string, Uint8Array>();
        // Either each batch commits, or batches build on one another and commit once.
        let staged: MerkleUpdate | undefined;
        for (const batch of history) {
          const writes = toWriteSet(batch);
          applyToState(state, writes);
          const result = tree.update(writes, staged);
          assert.equal(toHex(result.root), refRoot(state));
          assert.equal(toHex(stateRootFrom(state)), refRoot(state));
          // Each hash is of a record written by this batch: no node is hashed twice per batch.
          const written = [...result.nodeWrites.values()].filter((r) => r !== null).length;
          assert.ok(result.nodeHashes <= written, `${result.nodeHashes} node hashes, ${written} records`);
          if (commitEachBlock) {
            store.apply(result.nodeWrites);
            tree.commit(result);
          } else staged = result;
        }
        if (staged !== undefined) {
          store.apply(staged.nodeWrites);
          tree.commit(staged);
        }
        const scratch = buildFromScratch(state);
        assert.equal(toHex(tree.root()), toHex(scratch.tree.root()));
        assert.equal(toHex(tree.root()), refRoot(state));
        assert.deepEqual(storeDump(store), storeDump(scratch.store));
        // n leaves need at least n - 1 internal nodes (more where a side is empty); nothing stale.
        assert.ok(state.size === 0 ? store.size === 0 : store.size >= 2 * state.size - 1);
        assert.equal(toHex(new MerkleTree(store).root()), toHex(tree.root()));
      }),
      { numRuns: 200 },
    );
  });

  it("the node cache, of any size, changes no root, node write or proof, lost updates included", () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.constantFrom(0, 1, 3, 8, 1_000),
        (history, lostAt, cacheLimit) => {
          // `plain` has no cache; `cached` the given limit; each over its own store.
          const plainStore = new MemoryNodeStore();
          const plain = new MerkleTree(plainStore, { cacheLimit: 0 });
          const cachedStore = new MemoryNodeStore();
          const cached = new MerkleTree(cachedStore, { cacheLimit });
          history.forEach((batch, i) => {
            const writes = toWriteSet(batch);
            const a = plain.update(writes);
            const b = cached.update(writes);
            assert.equal(toHex(b.root), toHex(a.root));
            assert.deepEqual([...b.nodeWrites].sort(), [...a.nodeWrites].sort());
            // A lost block: computed by both, committed by neither (its writes never stored).
            if (lostAt[i] === true) return;
            plainStore.apply(a.nodeWrites);
            plain.commit(a);
            cachedStore.apply(b.nodeWrites);
            cached.commit(b);
          });
          assert.equal(toHex(cached.root()), toHex(plain.root()));
          for (const key of KEYS) assert.deepEqual(cached.prove(key), plain.prove(key));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the same final map through different histories gives the same root", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: KEYS.length - 1 }), { minLength: 1, maxLength: KEYS.length }),
        valueArb,
        fc.array(fc.nat({ max: KEYS.length - 1 }), { maxLength: 8 }),
        (order, value, junk) => {
          const final = new Map(
            order.map((k) => [KEYS[k] as string, concatBytes(value, new Uint8Array([k]))]),
          );
          const oneShot = buildFromScratch(final);
          // One key per block in the given order, after junk inserts that are later deleted or overwritten.
          const a = freshTree();
          for (const k of junk) a.commit(new Map([[KEYS[k] as string, new Uint8Array([9, 9])]]));
          for (const [key, v] of final) a.commit(new Map([[key, v]]));
          const stale = junk.map((k) => KEYS[k] as string).filter((key) => !final.has(key));
          a.commit(new Map(stale.map((key) => [key, null])));
          // Reverse order, with no junk.
          const b = freshTree();
          for (const [key, v] of [...final].reverse()) b.commit(new Map([[key, v]]));
          assert.equal(toHex(a.tree.root()), toHex(oneShot.tree.root()));
          assert.equal(toHex(b.tree.root()), toHex(oneShot.tree.root()));
          assert.deepEqual(storeDump(a.store), storeDump(oneShot.store));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a larger random history matches the reference and reopens", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return Math.floor((seed / 2 ** 32) * n); // the high bits: an LCG's low bits are periodic
    };
    const keys = Array.from({ length: 3000 }, (_, i) => balanceKey(i * 7919));
    const { tree, store, commit } = freshTree();
    const state = new Map<string, Uint8Array>();
    let deletes = 0;
    for (let block = 0; block < 6; block++) {
      const writes: WriteSet = new Map();
      for (let i = 0; i < 800; i++) {
        const key = keys[rand(keys.length)] as string;
        writes.set(key, rand(4) === 0 ? null : new Uint8Array([rand(256), block]));
      }
      for (const [key, value] of writes) if (value === null && state.has(key)) deletes++;
      applyToState(state, writes);
      const result = commit(writes);
      assert.ok(result.nodeHashes < result.hashes);
    }
    assert.ok(deletes > 200, `only ${deletes} deletes of present keys`);
    assert.equal(toHex(tree.root()), refRoot(state));
    assert.equal(toHex(stateRootFrom(state)), refRoot(state));
    assert.deepEqual(storeDump(store), storeDump(buildFromScratch(state).store));
    assert.equal(toHex(new MerkleTree(store).root()), toHex(tree.root()));
  });
});

describe("merkle proofs", () => {
  function checkAllProofs(tree: MerkleTree, state: Map<string, Uint8Array>) {
    const root = tree.root();
    for (const key of KEYS) {
      const proof = tree.prove(key);
      const again = proofFromJson(JSON.stringify(proofToJson(proof)));
      assert.deepEqual(again, proof);
      const value = state.get(key);
      if (value !== undefined) {
        assert.ok(verifyProof(root, key, value, proof), "inclusion proof verifies");
        assert.ok(verifyProof(root, key, value, again), "parsed inclusion proof verifies");
        assert.ok(!verifyProof(root, key, concatBytes(value, new Uint8Array([0])), proof), "wrong value");
        assert.ok(!verifyProof(root, key, undefined, proof), "inclusion proof is no absence proof");
      } else {
        assert.ok(verifyProof(root, key, undefined, proof), "absence proof verifies");
        assert.ok(verifyProof(root, key, undefined, again), "parsed absence proof verifies");
        assert.ok(!verifyProof(root, key, new Uint8Array(), proof), "absence proof proves no value");
        for (const [present, v] of state) {
          assert.ok(!verifyProof(root, present, undefined, proof), "absence proof of a present key");
          // An absence proof ending in another key's leaf is that key's inclusion proof; any other is not.
          const endsInPresent = proof.leaf !== undefined && toHex(proof.leaf.path) === toHex(pathOf(present));
          assert.equal(verifyProof(root, present, v, proof), endsInPresent, "absence proof as inclusion");
        }
      }
      assert.ok(!verifyProof(flipBit(root, 255), key, value, proof), "wrong root");
      proof.siblings.forEach((_, i) => {
        const siblings = proof.siblings.map((s, j) => (j === i ? flipBit(s, 7) : s));
        assert.ok(!verifyProof(root, key, value, { ...proof, siblings }), `tampered sibling ${i}`);
      });
      if (proof.siblings.length > 0) {
        const shorter = { ...proof, siblings: proof.siblings.slice(1) };
        assert.ok(!verifyProof(root, key, value, shorter), "dropped sibling");
      }
      if (proof.leaf !== undefined) {
        const leaf = { ...proof.leaf, valueHash: flipBit(proof.leaf.valueHash) };
        assert.ok(!verifyProof(root, key, value, { ...proof, leaf }), "tampered leaf");
      }
    }
  }

  it("every key has a proof that verifies and tampering fails; proofs survive reopen", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { tree, store, commit } = freshTree();
        const state = new Map<string, Uint8Array>();
        for (const batch of history) {
          const writes = toWriteSet(batch);
          applyToState(state, writes);
          commit(writes);
        }
        checkAllProofs(tree, state);
        const reopened = new MerkleTree(store);
        for (const key of KEYS) assert.deepEqual(reopened.prove(key), tree.prove(key));
      }),
      { numRuns: 60 },
    );
  });

  it("a staged update changes nothing until it is committed; a stale one is refused", () => {
    const { store, tree, commit } = freshTree();
    const state = new Map(KEYS.slice(0, 7).map((k, i) => [k, new Uint8Array([i])]));
    commit(new Map(state));
    const before = toHex(tree.root());
    const proofsBefore = KEYS.map((k) => tree.prove(k));
    const storedBefore = storeDump(store);
    // A block's update whose commit fails: computed, never committed.
    const lost = tree.update(
      new Map([
        [KEYS[8] as string, new Uint8Array([9])],
        [KEYS[0] as string, null],
      ]),
    );
    assert.notEqual(toHex(lost.root), before);
    assert.equal(toHex(tree.root()), before);
    assert.deepEqual(
      KEYS.map((k) => tree.prove(k)),
      proofsBefore,
    );
    assert.deepEqual(storeDump(store), storedBefore);
    checkAllProofs(tree, state);
    // The next block starts from the committed tree, not from the lost update.
    const next = new Map([[KEYS[9] as string, new Uint8Array([1])]]);
    commit(next);
    applyToState(state, next);
    assert.equal(toHex(tree.root()), refRoot(state));
    // The lost update was computed from an older root: committing it now is refused.
    assert.throws(
      () => tree.commit(lost),
      (e: unknown) => e instanceof MerkleError && e.code === "STALE_UPDATE",
    );
    assert.equal(toHex(tree.root()), refRoot(state));
  });

  it("rejects malformed proof JSON with a typed error", () => {
    const h = "ab".repeat(32);
    const bad: unknown[] = [
      "not json",
      "[]",
      42,
      null,
      {},
      { leaf: null },
      { siblings: [] },
      { leaf: null, siblings: "ab" },
      { leaf: null, siblings: ["zz"] },
      { leaf: null, siblings: [h.toUpperCase()] },
      { leaf: null, siblings: [h.slice(2)] },
      { leaf: null, siblings: Array(257).fill(h) },
      { leaf: { path: h }, siblings: [] },
      { leaf: [h, h], siblings: [] },
      { leaf: { path: h, valueHash: 5 }, siblings: [] },
    ];
    for (const input of bad) {
      assert.throws(
        () => proofFromJson(input),
        (error: unknown) => error instanceof MerkleError && error.code === "BAD_PROOF_JSON",
        `accepted ${JSON.stringify(input)?.slice(0, 60)}`,
      );
    }
    const ok: MerkleProof = proofFromJson({ leaf: { path: h, valueHash: h }, siblings: [h] });
    assert.equal(toHex(ok.siblings[0] as Uint8Array), h);
  });

  it("reports a corrupt node record with a typed error", () => {
    const store = new MemoryNodeStore(new Map([["80", new Uint8Array(10)]]));
    assert.throws(
      () => new MerkleTree(store),
      (error: unknown) => error instanceof MerkleError && error.code === "CORRUPT_NODE",
    );
  });
});
