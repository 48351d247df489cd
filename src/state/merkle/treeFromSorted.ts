/**
 * The Merkle tree's node records built from leaves sorted by path, each record handed to
 * `put` as soon as it is made, with the same ids and records `MerkleTree.update` stores
 * (`tree.ts`: a subtree of one leaf is that leaf at the shallowest depth where its prefix is
 * unique, two or more an internal node `left ‖ right`, an empty one nothing). For installing a
 * whole state at once without a tree in memory (state sync, `node/stateSyncSpool.ts`): the
 * leaves are built part by part, each part a subtree under a prefix of `BUCKET_BITS` bits
 * (`writeSubtree`), then the levels above them from the parts' summaries (`writeTop`).
 */
import {
  bitAt,
  type Digest,
  EMPTY_DIGEST,
  internalDigest,
  internalRecord,
  leafDigest,
  leafRecord,
  nodeId,
} from "./hashing.js";
import type { Leaf } from "./rootFromState.js";

/** Receives a node record under its id (`nodeId`). */
export type PutNode = (id: string, record: Uint8Array) => void;

/** Two leaves of one path: two entries of one key (a state never has them). */
export class DuplicatePathError extends Error {
  constructor(depth: number) {
    super(`two leaves share a path (found at depth ${depth}): a key given twice`);
    this.name = "DuplicatePathError";
  }
}

/**
 * Writes the subtree at `depth` holding the sorted `leaves[a, b)` (all sharing their first
 * `depth` bits, at least one) and returns its hash.
 */
export function writeSubtree(
  leaves: readonly Leaf[],
  a: number,
  b: number,
  depth: number,
  put: PutNode,
): Digest {
  const first = leaves[a] as Leaf;
  if (b - a === 1) {
    put(nodeId(first.path, depth), leafRecord(first.path, first.valueHash));
    return leafDigest(first.path, first.valueHash);
  }
  if (depth >= 256) throw new DuplicatePathError(depth);
  let mid = a;
  while (mid < b && bitAt((leaves[mid] as Leaf).path, depth) === 0) mid++;
  const left = mid > a ? writeSubtree(leaves, a, mid, depth + 1, put) : EMPTY_DIGEST;
  const right = mid < b ? writeSubtree(leaves, mid, b, depth + 1, put) : EMPTY_DIGEST;
  put(nodeId(first.path, depth), internalRecord(left, right));
  return internalDigest(left, right);
}

/** A part of the state under one `bits`-bit prefix, as the levels above it need it. */
export interface PartSummary {
  leaves: number;
  /** Its subtree's hash (already written) when it holds two leaves or more. */
  hash: Digest;
  /** Its one leaf when it holds exactly one (written by `writeTop`, higher up if alone). */
  leaf?: Leaf;
}

/**
 * Writes the levels above the parts (`parts[i]` is the subtree under the `bits`-bit prefix
 * `i`, `parts.length` = 2^bits, bits ≤ 8) and returns the root hash (zeros when empty).
 */
export function writeTop(parts: readonly PartSummary[], bits: number, put: PutNode): Digest {
  if (bits > 8 || parts.length !== 1 << bits) throw new RangeError(`${parts.length} parts of ${bits} bits`);
  const prefixPath = (i: number) => String.fromCharCode(i << (8 - bits)) + "\0".repeat(31);
  const count = (lo: number, hi: number) => {
    let n = 0;
    for (let i = lo; i < hi; i++) n += (parts[i] as PartSummary).leaves;
    return n;
  };
  const level = (lo: number, hi: number, depth: number): Digest => {
    const n = count(lo, hi);
    if (n === 0) return EMPTY_DIGEST;
    if (n === 1) {
      const leaf = parts.slice(lo, hi).find((p) => p.leaves === 1)?.leaf as Leaf;
      put(nodeId(leaf.path, depth), leafRecord(leaf.path, leaf.valueHash));
      return leafDigest(leaf.path, leaf.valueHash);
    }
    if (depth === bits) return (parts[lo] as PartSummary).hash;
    const mid = (lo + hi) >> 1;
    const left = level(lo, mid, depth + 1);
    const right = level(mid, hi, depth + 1);
    put(nodeId(prefixPath(lo), depth), internalRecord(left, right));
    return internalDigest(left, right);
  };
  return level(0, parts.length, 0);
}
