/**
 * One block's writes applied to the tree in a single pass. The writes are sorted by path
 * and the tree is walked once from the root: a node is visited only if some write falls
 * in its subtree, and each changed node is hashed once per batch, however many writes
 * share it. Below an empty subtree or a single leaf, the new subtree is built directly
 * from the sorted leaves it will hold. Going back up, a subtree left with a single leaf
 * becomes that leaf (the leaf moves up and its old position is deleted), so the tree's
 * shape depends only on the final set of leaves.
 */
import {
  bitAt,
  childId,
  type Digest,
  EMPTY_DIGEST,
  internalRecord,
  leafPathOf,
  leafRecord,
  leafValueHashOf,
  leftOf,
  nodeId,
  recordDigest,
  rightOf,
} from "./hashing.js";
import type { NodeWrites } from "./nodeStore.js";
import {
  EMPTY_NODE,
  isInternal,
  isLeaf,
  keptChild,
  loadChild,
  type NodeLoads,
  type ReadNode,
  type TreeNode,
  treeNode,
} from "./treeNode.js";

/** A leaf of a subtree being rebuilt: its path, and its record and hash once known. */
interface PendingLeaf {
  path: Digest;
  valueHash: Digest;
  record: Uint8Array | undefined;
  hash: Digest | undefined;
}

/**
 * The outcome of a batch: the new root node, the node writes, the node hashes computed, and
 * how many records it wrote at positions that were empty (the tree's growth, at most).
 */
export interface BatchOutcome {
  root: TreeNode;
  writes: NodeWrites;
  nodeHashes: number;
  added: number;
}

/**
 * Applies sorted writes to the tree rooted at `root`. `paths` are sorted ascending and
 * distinct; `valueHashes[i]` is the hash of the new value at `paths[i]`, or `null` to delete.
 */
export function applyBatch(
  read: ReadNode,
  loads: NodeLoads,
  root: TreeNode,
  paths: readonly Digest[],
  valueHashes: readonly (Digest | null)[],
): BatchOutcome {
  const batch = new Batch(read, loads, paths, valueHashes);
  const newRoot = paths.length === 0 ? root : batch.apply(0, root, 0, paths.length);
  return { root: newRoot, writes: batch.writes, nodeHashes: batch.nodeHashes, added: batch.added };
}

/**
 * Asked between subtrees by `applyBatchInSlices`: a promise to wait for before going on (the
 * caller's slice is used up), or undefined to go on at once.
 */
export type Pause = () => Promise<void> | undefined;

/** Subtrees at this depth and above are applied one at a time, with `pause` asked between. */
const SLICED_DEPTH = 6;

/**
 * `applyBatch` with a pause asked between the subtrees of the top `SLICED_DEPTH` levels (up
 * to 64 of them), so that a caller on a thread that serves can let it serve between them.
 * The same steps in the same order over the same nodes: the outcome is `applyBatch`'s, node
 * writes in the same order, provided the nodes `read` gives do not change meanwhile.
 */
export async function applyBatchInSlices(
  read: ReadNode,
  loads: NodeLoads,
  root: TreeNode,
  paths: readonly Digest[],
  valueHashes: readonly (Digest | null)[],
  pause: Pause,
): Promise<BatchOutcome> {
  const batch = new Batch(read, loads, paths, valueHashes);
  const newRoot = paths.length === 0 ? root : await batch.applyInSlices(0, root, 0, paths.length, pause);
  return { root: newRoot, writes: batch.writes, nodeHashes: batch.nodeHashes, added: batch.added };
}

class Batch {
  readonly writes: NodeWrites = new Map();
  nodeHashes = 0;
  added = 0;

  constructor(
    private readonly read: ReadNode,
    private readonly loads: NodeLoads,
    private readonly paths: readonly Digest[],
    private readonly valueHashes: readonly (Digest | null)[],
  ) {}

  /** Applies writes [lo, hi) (all under this node) to `node` at `depth`; returns the new node. */
  apply(depth: number, node: TreeNode, lo: number, hi: number): TreeNode {
    if (isInternal(node)) return this.applyInternal(depth, node, node.record as Uint8Array, lo, hi);
    const leaves = this.mergeLeaves(node, lo, hi);
    if (leaves.length === 0 && node.record === undefined) return node;
    return this.build(depth, leaves, 0, leaves.length, nodeId(this.path(lo), depth), node.record);
  }

  private path(i: number): Digest {
    return this.paths[i] as Digest;
  }

  private hashRecord(record: Uint8Array): Digest {
    this.nodeHashes++;
    return recordDigest(record);
  }

  private applyInternal(depth: number, node: TreeNode, record: Uint8Array, lo: number, hi: number): TreeNode {
    const mid = splitSorted(this.paths, lo, hi, depth);
    let left: TreeNode | undefined;
    let right: TreeNode | undefined;
    if (mid > lo) left = this.apply(depth + 1, this.child(node, 0, depth, lo), lo, mid);
    if (hi > mid) right = this.apply(depth + 1, this.child(node, 1, depth, mid), mid, hi);
    return this.combine(depth, node, record, lo, left, right);
  }

  /** `apply`, with `pause` asked before each subtree down to `SLICED_DEPTH`. */
  async applyInSlices(
    depth: number,
    node: TreeNode,
    lo: number,
    hi: number,
    pause: Pause,
  ): Promise<TreeNode> {
    if (depth >= SLICED_DEPTH || !isInternal(node)) return this.apply(depth, node, lo, hi);
    const record = node.record as Uint8Array;
    const mid = splitSorted(this.paths, lo, hi, depth);
    let left: TreeNode | undefined;
    let right: TreeNode | undefined;
    if (mid > lo) {
      await pause();
      left = await this.applyInSlices(depth + 1, this.child(node, 0, depth, lo), lo, mid, pause);
    }
    if (hi > mid) {
      await pause();
      right = await this.applyInSlices(depth + 1, this.child(node, 1, depth, mid), mid, hi, pause);
    }
    return this.combine(depth, node, record, lo, left, right);
  }

  /** The old child on side `bit` of the internal node `node` at `depth`, where write `at` goes. */
  private child(node: TreeNode, bit: 0 | 1, depth: number, at: number): TreeNode {
    return (
      keptChild(node, bit) ?? loadChild(this.read, this.loads, node, bit, nodeId(this.path(at), depth + 1))
    );
  }

  /** The internal node `node` (its `record`) at `depth` after its sides became `left` and `right` (undefined: unchanged). */
  private combine(
    depth: number,
    node: TreeNode,
    record: Uint8Array,
    lo: number,
    left: TreeNode | undefined,
    right: TreeNode | undefined,
  ): TreeNode {
    const oldLeft = leftOf(record);
    const oldRight = rightOf(record);
    const leftHash = left?.hash ?? oldLeft;
    const rightHash = right?.hash ?? oldRight;
    if (leftHash === oldLeft && rightHash === oldRight) return node;

    const path = this.path(lo);
    const id = nodeId(path, depth);
    const leftEmpty = leftHash === EMPTY_DIGEST;
    const rightEmpty = rightHash === EMPTY_DIGEST;
    if (leftEmpty && rightEmpty) {
      this.writes.set(id, null);
      return EMPTY_NODE;
    }
    if (leftEmpty || rightEmpty) {
      // One side is empty: if the other side is a single leaf, that leaf moves up here.
      const otherBit = leftEmpty ? 1 : 0;
      const otherId = childId(path, depth, otherBit);
      const other =
        (leftEmpty ? right : left) ??
        keptChild(node, otherBit) ??
        loadChild(this.read, this.loads, node, otherBit, otherId);
      if (isLeaf(other)) {
        this.writes.set(otherId, null);
        this.writes.set(id, other.record as Uint8Array);
        return other;
      }
    }
    const newRecord = internalRecord(leftHash, rightHash);
    this.writes.set(id, newRecord);
    return treeNode(
      this.hashRecord(newRecord),
      newRecord,
      left ?? keptChild(node, 0),
      right ?? keptChild(node, 1),
    );
  }

  /** The leaves a subtree holding at most the leaf `node` will hold after writes [lo, hi), sorted. */
  private mergeLeaves(node: TreeNode, lo: number, hi: number): PendingLeaf[] {
    const leaves: PendingLeaf[] = [];
    let existing: PendingLeaf | undefined =
      node.record === undefined
        ? undefined
        : {
            path: leafPathOf(node.record),
            valueHash: leafValueHashOf(node.record),
            record: node.record,
            hash: node.hash,
          };
    for (let i = lo; i < hi; i++) {
      const path = this.path(i);
      const valueHash = this.valueHashes[i] as Digest | null;
      if (existing !== undefined) {
        if (existing.path < path) {
          leaves.push(existing);
          existing = undefined;
        } else if (existing.path === path) {
          // A write to the existing leaf: kept as is if the value is unchanged.
          if (valueHash !== null) {
            const same = existing.valueHash === valueHash;
            leaves.push(same ? existing : { path, valueHash, record: undefined, hash: undefined });
          }
          existing = undefined;
          continue;
        }
      }
      if (valueHash !== null) leaves.push({ path, valueHash, record: undefined, hash: undefined });
    }
    if (existing !== undefined) leaves.push(existing);
    return leaves;
  }

  /**
   * Builds the subtree of `leaves[a, b)` at `depth` (position `id`), where the old subtree
   * was `oldRecord` (a leaf, or nothing). Positions below an old leaf were empty.
   */
  private build(
    depth: number,
    leaves: PendingLeaf[],
    a: number,
    b: number,
    id: string,
    oldRecord: Uint8Array | undefined,
  ): TreeNode {
    if (b === a) {
      if (oldRecord !== undefined) this.writes.set(id, null);
      return EMPTY_NODE;
    }
    if (b - a === 1) {
      const leaf = leaves[a] as PendingLeaf;
      const record = leaf.record ?? leafRecord(leaf.path, leaf.valueHash);
      const leafHash = leaf.hash ?? this.hashRecord(record);
      if (record !== oldRecord) this.writes.set(id, record);
      if (oldRecord === undefined) this.added++;
      return treeNode(leafHash, record);
    }
    let mid = a;
    while (mid < b && bitAt((leaves[mid] as PendingLeaf).path, depth) === 0) mid++;
    const left =
      mid > a
        ? this.build(depth + 1, leaves, a, mid, nodeId((leaves[a] as PendingLeaf).path, depth + 1), undefined)
        : EMPTY_NODE;
    const right =
      b > mid
        ? this.build(
            depth + 1,
            leaves,
            mid,
            b,
            nodeId((leaves[mid] as PendingLeaf).path, depth + 1),
            undefined,
          )
        : EMPTY_NODE;
    const record = internalRecord(left.hash, right.hash);
    this.writes.set(id, record);
    if (oldRecord === undefined) this.added++;
    return treeNode(this.hashRecord(record), record, left, right);
  }
}

/** First index in sorted `paths[lo, hi)` whose bit `depth` is 1 (`hi` if none). */
function splitSorted(paths: readonly Digest[], lo: number, hi: number, depth: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (bitAt(paths[m] as Digest, depth) === 0) a = m + 1;
    else b = m;
  }
  return a;
}
