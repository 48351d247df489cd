/**
 * A tree node in memory while the tree is read or updated: its hash and its record
 * (`undefined` for an empty subtree), its children once known, and loading a child from the
 * node store.
 *
 * Children kept on their parent. An internal node's children are a function of its record
 * (their hashes are in it), so once a child is loaded or built it stays on its parent
 * (`left`, `right`): a later walk from a node it already visited follows those links and
 * reads no store and computes no node id. The tree bounds how many loaded nodes it keeps
 * this way (`NodeLoads`: past `limit`, loads are not kept; `MerkleTree.commit` drops the
 * links when there are more). Nodes an update builds keep their children whatever the
 * bound: they are the update's own records, in memory anyway.
 *
 * Checked loads. A record read from the store is checked against the hash its parent holds
 * for it (one SHA-256): a damaged record (a flipped byte inside a well-formed entry) is
 * `CORRUPT_NODE` when read, never a wrong root for the blocks built on it. Loads are rare
 * once the links hold the tree's recent paths, so the check costs little (`bench/budget.ts`).
 */
import { MerkleError } from "./errors.js";
import {
  type Digest,
  EMPTY_DIGEST,
  INTERNAL_RECORD_BYTES,
  isLeafRecord,
  LEAF_RECORD_BYTES,
  LEAF_TAG,
  leftOf,
  recordDigest,
  rightOf,
} from "./hashing.js";

/** A node: `record` is a leaf or internal record, or `undefined` for an empty subtree. */
export interface TreeNode {
  readonly hash: Digest;
  readonly record: Uint8Array | undefined;
  /** An internal node's left child, once loaded or built (see "Children kept on their parent"). */
  left: TreeNode | undefined;
  /** Its right child, likewise. */
  right: TreeNode | undefined;
}

/** A node of `hash` and `record`, with its children if known. */
export function treeNode(
  hash: Digest,
  record: Uint8Array | undefined,
  left?: TreeNode,
  right?: TreeNode,
): TreeNode {
  return { hash, record, left, right };
}

/** The empty subtree (never given children). */
export const EMPTY_NODE: TreeNode = Object.freeze(treeNode(EMPTY_DIGEST, undefined));

/** Reads a record by node id (the node store, possibly behind an overlay of pending writes). */
export type ReadNode = (id: string) => Uint8Array | undefined;

/** Throws `CORRUPT_NODE` unless `record` is a well-formed leaf or internal record. */
export function checkRecord(id: string, record: Uint8Array | undefined): Uint8Array {
  const ok =
    record instanceof Uint8Array &&
    (record.length === INTERNAL_RECORD_BYTES ||
      (record.length === LEAF_RECORD_BYTES && record[0] === LEAF_TAG));
  if (!ok) {
    const shown = record instanceof Uint8Array ? `${record.length} bytes, first ${record[0]}` : "missing";
    throw new MerkleError(
      "CORRUPT_NODE",
      `node ${id} is ${shown}: expected a ${LEAF_RECORD_BYTES}-byte leaf or ${INTERNAL_RECORD_BYTES}-byte internal record`,
    );
  }
  return record;
}

/**
 * The node whose hash is `hash` (known from its parent) at `id`: empty when the hash is
 * zero. Throws `CORRUPT_NODE` if the stored record is malformed or does not hash to `hash`.
 */
export function loadNode(read: ReadNode, hash: Digest, id: string): TreeNode {
  if (hash === EMPTY_DIGEST) return EMPTY_NODE;
  const record = checkRecord(id, read(id));
  if (recordDigest(record) !== hash)
    throw new MerkleError(
      "CORRUPT_NODE",
      `node ${id} is damaged: its record does not hash to the hash its parent holds for it`,
    );
  return treeNode(hash, record);
}

/** How many loaded nodes the tree keeps on their parents, at most (see the module comment). */
export interface NodeLoads {
  /** Nodes loaded since the links were last dropped (kept on their parents while at most `limit`). */
  held: number;
  readonly limit: number;
}

/** Child `bit` of the internal node `node` if kept on it (see the module comment). */
export function keptChild(node: TreeNode, bit: number): TreeNode | undefined {
  return bit === 0 ? node.left : node.right;
}

/**
 * Child `bit` of the internal node `node`, at position `id`, loaded (`loadNode`: checked)
 * and kept on `node` while `loads` allows. Call it when `keptChild` gives none.
 */
export function loadChild(
  read: ReadNode,
  loads: NodeLoads,
  node: TreeNode,
  bit: number,
  id: string,
): TreeNode {
  const record = node.record as Uint8Array;
  const child = loadNode(read, bit === 0 ? leftOf(record) : rightOf(record), id);
  // Counted even when not kept: an update that rebuilds this node links the new one (built
  // nodes keep their children), so the load is held all the same; the count past `limit`
  // makes the next commit drop the links (without it, blocks that only change existing keys
  // linked the whole tree, whatever the limit).
  loads.held++;
  if (loads.held <= loads.limit) {
    if (bit === 0) node.left = child;
    else node.right = child;
  }
  return child;
}

/** True when `node` is a leaf. */
export function isLeaf(node: TreeNode): boolean {
  return node.record !== undefined && isLeafRecord(node.record);
}

/** True when `node` is an internal node (a subtree with at least two leaves). */
export function isInternal(node: TreeNode): boolean {
  return node.record !== undefined && !isLeafRecord(node.record);
}
