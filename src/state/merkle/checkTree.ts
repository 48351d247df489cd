/**
 * Checks a stored tree against the state it should commit to, record by record, without
 * trusting anything the tree code would assume. From the root's position (`ROOT_ID`) it
 * walks every stored node its parent links to and reports, instead of throwing:
 * - a record that is missing or malformed, or whose hash differs from the hash its parent holds;
 * - an internal node with two empty children (the tree never stores one);
 * - a leaf stored off its own path, a leaf with no state record, a leaf whose value hash
 *   differs from the hash of the stored value (the value or the leaf was changed);
 * - a state record with no leaf; a stored node no parent links to.
 */
import type { StateKey, StateValue } from "../keys.js";
import {
  type Digest,
  digest,
  digestToBytes,
  EMPTY_DIGEST,
  INTERNAL_RECORD_BYTES,
  isLeafRecord,
  keyPath,
  LEAF_RECORD_BYTES,
  LEAF_TAG,
  leafPathOf,
  leafValueHashOf,
  leftOf,
  nodeId,
  PATH_BITS,
  ROOT_ID,
  recordDigest,
  rightOf,
} from "./hashing.js";
import type { MerkleNodeStore } from "./nodeStore.js";

/** What `checkStoredTree` found. */
export interface TreeCheck {
  /** The stored root's hash (32 bytes; zeros when there is no root record). */
  storedRoot: Uint8Array;
  /** Stored nodes reached from the root. */
  nodes: number;
  /** State records read. */
  stateRecords: number;
  /** One line per problem; empty when the stored tree matches the state exactly. */
  problems: string[];
}

const hexOf = (d: Digest): string => Buffer.from(d, "latin1").toString("hex");

/** `prefix` with bit `depth` set to `bit` (bits after it stay zero). */
function withBit(prefix: Digest, depth: number, bit: number): Digest {
  if (bit === 0) return prefix;
  const i = depth >> 3;
  const byte = prefix.charCodeAt(i) | (0x80 >> (depth & 7));
  return prefix.slice(0, i) + String.fromCharCode(byte) + prefix.slice(i + 1);
}

/**
 * Checks the tree in `store` against `state` (every key and value once). `storedIds` are
 * the ids of every record in the store, to find records no parent links to.
 * @example checkStoredTree(db.merkle, db.state.iterate(""), ids).problems // [] when intact
 */
export function checkStoredTree(
  store: MerkleNodeStore,
  state: Iterable<readonly [StateKey, StateValue]>,
  storedIds: Iterable<string>,
): TreeCheck {
  const problems: string[] = [];
  const leaves = new Map<Digest, { key: StateKey; valueHash: Digest; seen: boolean }>();
  for (const [key, value] of state) leaves.set(keyPath(key), { key, valueHash: digest(value), seen: false });
  const reached = new Set<string>();

  const visit = (id: string, depth: number, prefix: Digest, expected: Digest | undefined): Digest => {
    const record = store.get(id);
    if (record === undefined) {
      problems.push(`merkle node ${id} (depth ${depth}) is missing: its parent links to it`);
      return EMPTY_DIGEST;
    }
    reached.add(id);
    const wellFormed =
      record.length === INTERNAL_RECORD_BYTES ||
      (record.length === LEAF_RECORD_BYTES && record[0] === LEAF_TAG);
    if (!wellFormed) {
      problems.push(`merkle node ${id} is malformed: ${record.length} bytes, first byte ${record[0]}`);
      return EMPTY_DIGEST;
    }
    const hash = recordDigest(record);
    if (expected !== undefined && hash !== expected)
      problems.push(`merkle node ${id} hashes to ${hexOf(hash)}, but its parent links to ${hexOf(expected)}`);
    if (isLeafRecord(record)) {
      const path = leafPathOf(record);
      if (nodeId(path, depth) !== id)
        problems.push(`merkle leaf at ${id} is not on its own path ${hexOf(path)}`);
      const leaf = leaves.get(path);
      if (leaf === undefined)
        problems.push(`merkle leaf at ${id} (path ${hexOf(path)}) has no state record with that path`);
      else {
        leaf.seen = true;
        if (leaf.valueHash !== leafValueHashOf(record))
          problems.push(
            `state key ${leaf.key}: its stored value hashes to ${hexOf(leaf.valueHash)}, but its Merkle leaf ${id} holds ${hexOf(leafValueHashOf(record))} (the value or the leaf was changed)`,
          );
      }
      return hash;
    }
    const left = leftOf(record);
    const right = rightOf(record);
    if (left === EMPTY_DIGEST && right === EMPTY_DIGEST)
      problems.push(`merkle node ${id} is internal with two empty children`);
    if (depth + 1 >= PATH_BITS) {
      problems.push(`merkle node ${id} is internal at the deepest level`);
      return hash;
    }
    for (const [bit, child] of [
      [0, left],
      [1, right],
    ] as const) {
      if (child === EMPTY_DIGEST) continue;
      const childPrefix = withBit(prefix, depth, bit);
      visit(nodeId(childPrefix, depth + 1), depth + 1, childPrefix, child);
    }
    return hash;
  };

  const hasRoot = store.get(ROOT_ID) !== undefined;
  const root = hasRoot ? visit(ROOT_ID, 0, EMPTY_DIGEST, undefined) : EMPTY_DIGEST;
  if (!hasRoot && leaves.size > 0)
    problems.push(`the Merkle root node is missing (${leaves.size} state records)`);
  for (const leaf of leaves.values())
    if (!leaf.seen) problems.push(`state key ${leaf.key} has no leaf in the stored Merkle tree`);
  for (const id of storedIds)
    if (!reached.has(id)) problems.push(`merkle node ${id} is stored but no parent links to it`);
  return {
    storedRoot: digestToBytes(root),
    nodes: reached.size,
    stateRecords: leaves.size,
    problems,
  };
}
