/**
 * The state root computed from scratch: from every (key, value) of a state, with no node
 * store. The leaves are sorted by path and the tree's rule is applied directly (an empty
 * subtree hashes to zeros, a subtree of one leaf is that leaf, otherwise an internal node
 * over the two halves split on the next path bit), so the result depends on nothing the
 * tree has stored. Used to check a stored tree and a head's header root against the state
 * records themselves (`weft db check`), and by failure-injection tests.
 */
import type { StateKey, StateValue } from "../keys.js";
import {
  bitAt,
  type Digest,
  digest,
  digestToBytes,
  EMPTY_DIGEST,
  internalDigest,
  keyPath,
  leafDigest,
} from "./hashing.js";

export interface Leaf {
  path: Digest;
  valueHash: Digest;
}

/**
 * The Merkle root (32 bytes; zeros for an empty state) of `entries`, each key once.
 * @example stateRootFrom(store.iterate("")) // equals a MerkleTree's root() over the same state
 */
export function stateRootFrom(entries: Iterable<readonly [StateKey, StateValue]>): Uint8Array {
  const leaves: Leaf[] = [];
  for (const [key, value] of entries) leaves.push({ path: keyPath(key), valueHash: digest(value) });
  leaves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return digestToBytes(subtreeDigest(leaves, 0, leaves.length, 0));
}

/** The hash of the subtree at `depth` holding the sorted `leaves[a, b)` (all sharing their first `depth` bits). */
export function subtreeDigest(leaves: readonly Leaf[], a: number, b: number, depth: number): Digest {
  if (b === a) return EMPTY_DIGEST;
  if (b - a === 1) {
    const leaf = leaves[a] as Leaf;
    return leafDigest(leaf.path, leaf.valueHash);
  }
  let mid = a;
  while (mid < b && bitAt((leaves[mid] as Leaf).path, depth) === 0) mid++;
  const left = subtreeDigest(leaves, a, mid, depth + 1);
  const right = subtreeDigest(leaves, mid, b, depth + 1);
  return internalDigest(left, right);
}
