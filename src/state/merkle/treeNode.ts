/**
 * A tree node in memory while the tree is read or updated: its hash and its record
 * (`undefined` for an empty subtree), and loading a child from the node store.
 */
import { MerkleError } from "./errors.js";
import {
  type Digest,
  EMPTY_DIGEST,
  INTERNAL_RECORD_BYTES,
  isLeafRecord,
  LEAF_RECORD_BYTES,
  LEAF_TAG,
} from "./hashing.js";

/** A node: `record` is a leaf or internal record, or `undefined` for an empty subtree. */
export interface TreeNode {
  readonly hash: Digest;
  readonly record: Uint8Array | undefined;
}

/** The empty subtree. */
export const EMPTY_NODE: TreeNode = { hash: EMPTY_DIGEST, record: undefined };

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

/** The node whose hash is `hash` (known from its parent) at `id`: empty when the hash is zero. */
export function loadNode(read: ReadNode, hash: Digest, id: string): TreeNode {
  if (hash === EMPTY_DIGEST) return EMPTY_NODE;
  return { hash, record: checkRecord(id, read(id)) };
}

/** True when `node` is a leaf. */
export function isLeaf(node: TreeNode): boolean {
  return node.record !== undefined && isLeafRecord(node.record);
}

/** True when `node` is an internal node (a subtree with at least two leaves). */
export function isInternal(node: TreeNode): boolean {
  return node.record !== undefined && !isLeafRecord(node.record);
}
