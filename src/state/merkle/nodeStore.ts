/**
 * Where tree nodes live. The tree only reads through `MerkleNodeStore`; every `update`
 * returns the node writes of the block, which the caller commits (for the node: in the
 * same atomic transaction as the state writes). `MemoryNodeStore` keeps them in a Map.
 */

/** Node writes of one update: node id → record, or `null` when the node no longer exists. */
export type NodeWrites = Map<string, Uint8Array | null>;

/**
 * Read access to persisted nodes by id (see `nodeId`). Only the latest version of each
 * position is kept. `get` must return an array the tree may hold on to (not a reused buffer).
 */
export interface MerkleNodeStore {
  get(id: string): Uint8Array | undefined;
}

/** A node store in memory, for tests, benchmarks and a node that does not persist yet. */
export class MemoryNodeStore implements MerkleNodeStore {
  readonly nodes: Map<string, Uint8Array>;

  constructor(nodes: Map<string, Uint8Array> = new Map()) {
    this.nodes = nodes;
  }

  /** The record stored under `id`, if any. */
  get(id: string): Uint8Array | undefined {
    return this.nodes.get(id);
  }

  /** Applies the node writes of an update: records are set, `null` deletes. */
  apply(nodeWrites: NodeWrites): void {
    for (const [id, record] of nodeWrites) {
      if (record === null) this.nodes.delete(id);
      else this.nodes.set(id, record);
    }
  }

  /** Number of stored nodes. */
  get size(): number {
    return this.nodes.size;
  }
}
