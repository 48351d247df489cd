/**
 * The authenticated state: a binary sparse Merkle tree over every (key, value) of the state.
 *
 * Layout. A key's path is `sha256(key bytes)`, 256 bits read from the most significant bit
 * of byte 0 (bit 0 = 0 goes left). The tree is compressed the Jellyfish / Diem way:
 * - an empty subtree hashes to 32 zero bytes and is not stored;
 * - a subtree holding exactly one leaf IS that leaf, placed at the shallowest depth where
 *   its path prefix is unique (no chain of single-child nodes below it);
 * - a subtree holding two or more leaves is an internal node (one side may be empty).
 * Hashes: leaf = H(0x00 ‖ path ‖ H(value)), internal = H(0x01 ‖ left ‖ right), H = SHA-256.
 * The shape, hence the root, depends only on the set of (key, value) pairs, not on history.
 *
 * Storage. Each non-empty node is one record in a `MerkleNodeStore`: a leaf is its hash
 * preimage `0x00 ‖ path ‖ H(value)` (65 bytes), an internal node is `left ‖ right` (64
 * bytes, its preimage without the 0x01 tag), so a parent record holds its children's
 * hashes and the length tells the kinds apart. A record lives under the id of its position
 * (`nodeId`: the path prefix bits down to that depth, a marker 1 bit, zero padding, as hex;
 * the root is `"80"`), so only the latest version of each position is kept. `update`
 * returns the block's node writes: new records, and `null` for positions that became empty
 * or whose leaf moved up. The store then holds exactly the current tree, nothing stale.
 *
 * Update. See batchUpdate.ts: one pass over the sorted writes, each changed node hashed once.
 *
 * Staged updates. `update` changes nothing: it computes the new root and node writes from
 * the committed tree and returns them as a `MerkleUpdate`. The caller persists
 * `nodeWrites` (for the node: in the same LMDB transaction as the state writes) and, only
 * once that commit has succeeded, calls `commit(update)`, which makes the update's root
 * the tree's. An update whose commit failed is simply dropped: the tree, its root and its
 * proofs are as before, and the next update starts from the committed tree. Updates
 * commit in order: `commit` refuses an update computed from a root that is no longer the
 * tree's (`STALE_UPDATE`). To build on an update before it is persisted (several batches,
 * one commit), pass it as `update(writes, parent)`: the new update reads `parent`'s node
 * writes over the store and carries both batches' writes.
 *
 * Nodes kept in memory. A node's children, once read from the store or built by an update,
 * stay linked to it (`treeNode.ts`), so the committed tree's recent paths are walked in
 * memory: a block's update reads the store only for nodes no recent block or proof touched,
 * and computes no node id for the others. The links are a function of each node's record,
 * so an update that is never committed leaves nothing wrong behind (its nodes are simply
 * not reachable from the committed root). At most about `cacheLimit` nodes are kept: past
 * that, loads are not kept, and `commit` drops every link once the nodes it added and those
 * loaded since the last drop are more (the next blocks load their paths again). Every record
 * read from the store is checked against the hash its parent holds (`loadNode`).
 *
 * Proofs (see proof.ts). A proof for a key lists the sibling hashes along the key's path
 * from the root's children down to where the path ends, plus the leaf found there:
 * - inclusion: the path ends in the key's own leaf (`leaf.path` = the key's path,
 *   `leaf.valueHash` = H(value)); the value itself travels next to the proof;
 * - absence: the path ends in an empty subtree (`leaf` undefined), or in the leaf of a
 *   different key sharing the prefix (`leaf` = that leaf's path and value hash).
 * A verifier rebuilds the root from the end node and the siblings and compares.
 */
import { checkValue } from "../errors.js";
import type { StateKey } from "../keys.js";
import type { WriteSet } from "../storage.js";
import { applyBatch, applyBatchInSlices, type BatchOutcome, type Pause } from "./batchUpdate.js";
import { MerkleError } from "./errors.js";
import {
  bitAt,
  type Digest,
  digest,
  digestToBytes,
  keyPath,
  leafPathOf,
  leafValueHashOf,
  leftOf,
  nodeId,
  ROOT_ID,
  recordDigest,
  rightOf,
} from "./hashing.js";
import type { MerkleNodeStore, NodeWrites } from "./nodeStore.js";
import type { MerkleProof } from "./proof.js";
import {
  checkRecord,
  EMPTY_NODE,
  isInternal,
  keptChild,
  loadChild,
  type NodeLoads,
  type TreeNode,
  treeNode,
} from "./treeNode.js";

/** The outcome of `MerkleTree.update`. */
export interface MerkleUpdate {
  /** The new root hash (32 bytes). */
  root: Uint8Array;
  /** Node records to persist: id → record, or `null` to delete the id (with a `parent`:
   * the parent's writes, then this batch's). The caller must not modify it. */
  nodeWrites: NodeWrites;
  /** Every SHA-256 computed: key paths, value hashes and node hashes. */
  hashes: number;
  /** The node hashes alone (leaves and internal nodes), a subset of `hashes`. */
  nodeHashes: number;
  /** Records written at positions that were empty (with a `parent`: both batches'). */
  readonly added: number;
  /** The tree's root node this update was computed from (checked by `commit`). */
  readonly base: TreeNode;
  /** The new root node (what `commit` installs). */
  readonly next: TreeNode;
}

interface SortedWrite {
  path: Digest;
  valueHash: Digest | null;
}

const byPath = (x: SortedWrite, y: SortedWrite): number => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/**
 * Nodes the tree keeps in memory by default (see "Nodes kept in memory"): ~25 MB (a node
 * with its hash string and 64-byte record, ~250 bytes).
 */
export const DEFAULT_NODE_CACHE = 100_000;

/** A sparse Merkle tree over the state, read from a node store; updates are staged until committed. */
export class MerkleTree {
  private readonly store: MerkleNodeStore;
  private rootNode: TreeNode;
  /** Nodes kept linked to their parents (see "Nodes kept in memory" above). */
  private readonly loads: NodeLoads;

  /**
   * Opens the tree stored in `store` (its root is the record at `ROOT_ID`); empty if none.
   * `cacheLimit`: about how many nodes are kept in memory (0: none besides an update's own).
   */
  constructor(store: MerkleNodeStore, options: { cacheLimit?: number } = {}) {
    this.store = store;
    this.loads = { held: 0, limit: options.cacheLimit ?? DEFAULT_NODE_CACHE };
    const record = store.get(ROOT_ID);
    this.rootNode =
      record === undefined ? EMPTY_NODE : treeNode(recordDigest(checkRecord(ROOT_ID, record)), record);
  }

  /** The committed root hash (32 bytes; 32 zero bytes for the empty tree). */
  root(): Uint8Array {
    return digestToBytes(this.rootNode.hash);
  }

  /**
   * Computes a block's writes (`null` deletes) as one batch over the committed tree, or
   * over `parent` (an update not yet committed): the new root, the node writes to persist
   * and the hash count. The tree does not change until `commit(update)`.
   */
  update(writes: WriteSet, parent?: MerkleUpdate): MerkleUpdate {
    const batch = this.batchOf(writes, parent);
    return this.updateOf(
      batch,
      applyBatch(batch.read, this.loads, batch.from, batch.paths, batch.valueHashes),
      parent,
    );
  }

  /**
   * `update`, with `pause` asked between the top subtrees (`applyBatchInSlices`): the same
   * outcome, for a caller on a thread that serves. The tree must not be committed meanwhile.
   */
  async updateInSlices(writes: WriteSet, pause: Pause, parent?: MerkleUpdate): Promise<MerkleUpdate> {
    const batch = this.batchOf(writes, parent);
    const outcome = await applyBatchInSlices(
      batch.read,
      this.loads,
      batch.from,
      batch.paths,
      batch.valueHashes,
      pause,
    );
    if (batch.from !== (parent?.next ?? this.rootNode)) throw staleUpdate("update on");
    return this.updateOf(batch, outcome, parent);
  }

  /** The batch of `writes` sorted by path, over the committed tree or `parent`. */
  private batchOf(writes: WriteSet, parent: MerkleUpdate | undefined) {
    if (parent !== undefined && parent.base !== this.rootNode) throw staleUpdate("update on");
    const sorted: SortedWrite[] = [];
    let hashes = 0;
    for (const [key, value] of writes) {
      if (value !== null) checkValue(key, value);
      sorted.push({ path: keyPath(key), valueHash: value === null ? null : digest(value) });
      hashes += value === null ? 1 : 2;
    }
    sorted.sort(byPath);
    const overlay = parent?.nodeWrites;
    const read =
      overlay === undefined
        ? this.readStored
        : (id: string): Uint8Array | undefined => {
            const record = overlay.get(id);
            return record === undefined ? this.readStored(id) : (record ?? undefined);
          };
    return {
      hashes,
      read,
      base: this.rootNode,
      from: parent?.next ?? this.rootNode,
      paths: sorted.map((w) => w.path),
      valueHashes: sorted.map((w) => w.valueHash),
    };
  }

  private updateOf(
    batch: ReturnType<MerkleTree["batchOf"]>,
    outcome: BatchOutcome,
    parent: MerkleUpdate | undefined,
  ): MerkleUpdate {
    const overlay = parent?.nodeWrites;
    let nodeWrites = outcome.writes;
    if (overlay !== undefined) {
      nodeWrites = new Map(overlay);
      for (const [id, record] of outcome.writes) nodeWrites.set(id, record);
    }
    return {
      root: digestToBytes(outcome.root.hash),
      nodeWrites,
      hashes: batch.hashes + outcome.nodeHashes,
      nodeHashes: outcome.nodeHashes,
      added: (parent?.added ?? 0) + outcome.added,
      base: batch.base,
      next: outcome.root,
    };
  }

  /**
   * Makes `update` the tree's state. Call it only once `update.nodeWrites` are in the store
   * (for the node: after the LMDB commit succeeded). Throws `STALE_UPDATE` if the update was
   * computed from another root than the tree's (a lost or reordered commit).
   */
  commit(update: MerkleUpdate): void {
    if (update.base !== this.rootNode) throw staleUpdate("commit of");
    this.rootNode = update.next;
    this.loads.held += update.added;
    if (this.loads.held > this.loads.limit) {
      // Too many kept: the root without its links (the old nodes become garbage).
      this.rootNode = treeNode(update.next.hash, update.next.record);
      this.loads.held = 0;
    }
  }

  /** A committed record, from the store. */
  private readonly readStored = (id: string): Uint8Array | undefined => this.store.get(id);

  /** A proof that `key` is present (with its value hash) or absent, against `root()`. */
  prove(key: StateKey): MerkleProof {
    const path = keyPath(key);
    const siblings: Uint8Array[] = [];
    let node = this.rootNode;
    let depth = 0;
    while (isInternal(node)) {
      const record = node.record as Uint8Array;
      const left = leftOf(record);
      const right = rightOf(record);
      const bit = bitAt(path, depth);
      siblings.push(digestToBytes(bit === 0 ? right : left));
      depth++;
      node = keptChild(node, bit) ?? loadChild(this.readStored, this.loads, node, bit, nodeId(path, depth));
    }
    const record = node.record;
    const leaf =
      record === undefined
        ? undefined
        : {
            path: digestToBytes(leafPathOf(record)),
            valueHash: digestToBytes(leafValueHashOf(record)),
          };
    return { leaf, siblings };
  }
}

function staleUpdate(what: string): MerkleError {
  return new MerkleError(
    "STALE_UPDATE",
    `${what} an update computed from a root that is no longer the tree's: updates commit in order, each after the one it was computed from`,
  );
}
