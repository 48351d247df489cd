/**
 * A snapshot of the authenticated state, served to nodes that sync the state from peers
 * instead of replaying the chain (`net/stateSync.ts`). It is the state's entries indexed by
 * path (`subtrees.ts`): a client asks for the summaries of any subtree, cut as deep as it
 * chooses, and for the entries of a subtree that fits its budget, and checks each answer
 * against the hash above it, down from the certified state root.
 *
 * @example
 * const snapshot = buildSnapshot(store.iterate(""));
 * snapshot.root; // the state root, as the tree computes it
 * snapshot.index.summaries(ROOT_PREFIX, 4); // 16 summaries that fold to it (`verifySubtree`)
 */
import { type SubtreeEntry, SubtreeIndex, type SubtreeSource } from "./subtrees.js";

export type SnapshotEntry = SubtreeEntry;

export interface StateSnapshot {
  readonly root: Uint8Array;
  readonly index: SubtreeSource;
}

/** Indexes the state `entries` (each key once) for serving. */
export function buildSnapshot(entries: Iterable<SnapshotEntry>): StateSnapshot {
  const index = new SubtreeIndex(entries);
  return { root: index.root(), index };
}
