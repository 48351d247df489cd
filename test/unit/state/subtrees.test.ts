/**
 * Subtrees of a state snapshot named by path prefix (`src/state/merkle/subtrees.ts`): the
 * summaries of any cut fold to the hash above them, the entries of any subtree hash to its
 * summary, and forged summaries or entries are refused with the reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import { buildSnapshot, type SnapshotEntry } from "../../../src/state/merkle/snapshot.js";
import {
  childPrefix,
  isCanonicalPrefix,
  type PathPrefix,
  ROOT_PREFIX,
  type SubtreeSummary,
  verifyEntries,
  verifySubtree,
} from "../../../src/state/merkle/subtrees.js";

const entry = (i: number, size = 20): SnapshotEntry => [
  `03${i.toString(16).padStart(8, "0")}`,
  new Uint8Array(size).fill(i % 256),
];

/** Every entry, walked down from the root in cuts of `depth`, each answer checked. */
function walk(entries: SnapshotEntry[], depth: number): SnapshotEntry[] {
  const { root, index } = buildSnapshot(entries);
  const out: SnapshotEntry[] = [];
  const visit = (prefix: PathPrefix, summary: SubtreeSummary) => {
    if (summary.leaves <= 4) {
      const got = index.entries(prefix);
      assert.equal(verifyEntries(prefix, summary, got), undefined);
      out.push(...got);
      return;
    }
    const cut = index.summaries(prefix, depth);
    assert.equal(verifySubtree(cut, depth, summary.hash), undefined);
    cut.forEach((s, i) => {
      if (s.leaves > 0) visit(childPrefix(prefix, depth, i), s);
    });
  };
  const [top] = index.summaries(ROOT_PREFIX, 0);
  assert.equal(verifySubtree([top as SubtreeSummary], 0, root), undefined);
  if ((top as SubtreeSummary).leaves > 0) visit(ROOT_PREFIX, top as SubtreeSummary);
  return out;
}

describe("state snapshot subtrees", () => {
  for (const count of [0, 1, 2, 3, 50, 2_000]) {
    it(`${count} entries: any cut folds to the root, and the walk down gives the whole state`, () => {
      const entries = Array.from({ length: count }, (_, i) => entry(i));
      const root = stateRootFrom(entries);
      const snapshot = buildSnapshot(entries);
      assert.deepEqual(snapshot.root, root);
      for (const depth of [1, 3, 7]) {
        const got = walk(entries, depth);
        assert.equal(got.length, count);
        assert.deepEqual(stateRootFrom(got), root);
      }
      const whole = snapshot.index.measure(ROOT_PREFIX);
      assert.equal(whole.leaves, count);
      assert.equal(
        whole.bytes,
        entries.reduce((n, [k, v]) => n + 6 + k.length / 2 + v.length, 0),
      );
    });
  }

  it("refuses forged summaries, and entries changed, missing, extra, foreign or repeated", () => {
    const entries = Array.from({ length: 300 }, (_, i) => entry(i));
    const { root, index } = buildSnapshot(entries);
    const cut = index.summaries(ROOT_PREFIX, 2);
    assert.equal(verifySubtree(cut, 2, root), undefined);
    assert.match(verifySubtree(cut, 2, stateRootFrom(entries.slice(1))) ?? "", /do not fold/);
    const forged = structuredClone(cut);
    const hash = (forged[1] as SubtreeSummary).hash;
    hash[0] = (hash[0] as number) ^ 1;
    assert.match(verifySubtree(forged, 2, root) ?? "", /do not fold/);
    assert.match(verifySubtree(cut.slice(1), 2, root) ?? "", /3 summaries/);
    const empty = structuredClone(cut);
    (empty[0] as SubtreeSummary).leaves = 0;
    assert.match(verifySubtree(empty, 2, root) ?? "", /disagree/);

    const p0 = childPrefix(ROOT_PREFIX, 2, 0);
    const p1 = childPrefix(ROOT_PREFIX, 2, 1);
    const s0 = cut[0] as SubtreeSummary;
    const c0 = index.entries(p0);
    const c1 = index.entries(p1);
    const changed = c0.map(([k, v], i) => [k, i === 0 ? Uint8Array.of(...v, 1) : v] as const);
    assert.match(verifyEntries(p0, s0, changed) ?? "", /do not hash/);
    assert.notEqual(verifyEntries(p0, s0, c0.slice(1)), undefined, "missing");
    assert.match(verifyEntries(p0, s0, [...c0, c1[0] as SnapshotEntry]) ?? "", /another subtree/);
    assert.match(verifyEntries(p0, s0, [...c0, c0[0] as SnapshotEntry]) ?? "", /twice/);
    assert.match(verifyEntries(p0, s0, [["zz", new Uint8Array(1)], ...c0.slice(1)]) ?? "", /malformed/);
  });

  it("prefixes: children are canonical, and a bit set past the end is not", () => {
    const child = childPrefix(ROOT_PREFIX, 3, 5);
    assert.deepEqual(child, { bits: 3, bytes: Uint8Array.of(0b1010_0000) });
    const grandchild = childPrefix(child, 10, 1023);
    assert.deepEqual(grandchild, { bits: 13, bytes: Uint8Array.of(0b1011_1111, 0b1111_1000) });
    assert.equal(isCanonicalPrefix(grandchild), true);
    assert.equal(isCanonicalPrefix({ bits: 3, bytes: Uint8Array.of(0b1011_0000) }), false);
    assert.equal(isCanonicalPrefix({ bits: 9, bytes: Uint8Array.of(1) }), false);
    assert.equal(isCanonicalPrefix({ bits: 257, bytes: new Uint8Array(33) }), false);
  });
});
