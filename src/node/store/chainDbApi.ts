/**
 * What the chain database (`chainDb.ts`, `openChainDb`) offers: the state and Merkle nodes,
 * staging and committing blocks, the block, transaction, receipt and log records, meta
 * records, dev mode's snapshots and rewinds, and past states; and how it is opened.
 */
import type { LmdbWalkDepth } from "../../state/lmdbWalk.js";
import type { MerkleNodeStore, NodeWrites } from "../../state/merkle/index.js";
import type { StateReader, Storage } from "../../state/storage.js";
import type { EncodedBlock } from "./encodeBlock.js";
import type { BlockHeader, ReceiptJson, StoredBlock } from "./records.js";

/** Where `installSynced`'s `fill` writes: a state record (raw key bytes), a Merkle node record (its id). */
export interface SyncedPuts {
  state(key: Uint8Array, value: Uint8Array): void;
  node(id: string, record: Uint8Array): void;
}

export interface ChainDb {
  /** The state; `commit` also writes the staged block, in the same transaction. */
  readonly state: Storage;
  readonly merkle: MerkleNodeStore;
  /** Stages an encoded block: the next `state.commit` writes it in the same transaction. */
  stageBlock(block: EncodedBlock): void;
  /**
   * State sync without the state in memory: in ONE transaction, removes a genesis-only
   * chain's state and Merkle nodes, lets `fill` write the synced state and its Merkle nodes
   * record by record, then writes `block` (its records, as a committed block's). If `fill` throws, nothing
   * is written: the chain stays at its genesis.
   */
  installSynced(block: EncodedBlock, fill: (put: SyncedPuts) => void): void;
  /** Forgets a staged block that will not be committed (its production failed); no-op if none. */
  discardStaged(): void;
  head(): BlockHeader | undefined;
  block(number: number): StoredBlock | undefined;
  blockNumberOf(hash: string): number | undefined;
  tx(hash: string): { blockNumber: number; index: number; raw: Uint8Array } | undefined;
  /**
   * Whether a committed block holds the transaction `hash`, 0x hex or its 32 bytes
   * (admission's duplicate check, with the bytes it hashed: nothing read or copied).
   */
  hasTx(hash: string | Uint8Array): boolean;
  receipt(hash: string): ReceiptJson | undefined;
  /** Log positions (block, tx, log) under an address or a topic, in order, within [from, to]. */
  logPositions(
    index: "address" | "topic",
    key: string,
    from: number,
    to: number,
  ): Iterable<[number, number, number]>;
  meta<T>(name: string): T | undefined;
  /** Writes one meta record now, in its own transaction (e.g. a contract's verified metadata). */
  putMeta(name: string, value: unknown): void;
  /** The meta records whose names start with `prefix` (e.g. every verified code's, `code:`), in name order. */
  metaEntries<T>(prefix: string): Array<[string, T]>;
  /** Positions (block, tx) of transactions touching `address`, newest first, before `before`. */
  accountTxs(
    address: string,
    limit: number,
    before?: { block: number; tx: number },
  ): Array<{ block: number; tx: number }>;
  /**
   * Stages going back to block `to` (dev mode): the next `state.commit` (the write set that
   * restores `to`'s state) also removes every later block and writes `merkleWrites`.
   */
  stageRewind(to: number, merkleWrites: NodeWrites): void;
  /** Dev mode's snapshots, kept across restarts: the record of snapshot `id`, undefined if none. */
  snapshot(id: number): Uint8Array | undefined;
  /** Stores snapshot `id`'s record (and `nextSnapshot` = id + 1 in meta) in one transaction. */
  putSnapshot(id: number, record: Uint8Array): void;
  /** Removes the snapshots whose ids are in `ids`. */
  removeSnapshots(ids: number[]): void;
  /** The stored snapshots' ids, in order. */
  snapshotIds(): number[];
  /** The bytes of each stored snapshot's record, by id (kept in meta `snapshotBytes` beside the records). */
  snapshotBytes(): Map<number, number>;
  /**
   * The state of block `block` as it was when `block` was the head, given the head's number
   * `head` (a reader in another thread passes the head it read). `StateNotKeptError` when the
   * database no longer (or never) held it: `readableStates` says which blocks it holds.
   */
  stateAt(block: number, head: number): StateReader;
  /** The blocks whose state `stateAt` can read: `from` … `head` (the head's number given). */
  readableStates(head: number): { from: number; head: number; keep: number };
  /** Every raw record of a named database in key order (for `checkChainDb`). */
  scan(name: ChainDbName): Iterable<{ key: Uint8Array; value: Uint8Array }>;
  /**
   * Resolves once every transaction committed so far is flushed to the disk (lmdb-js's
   * `flushed`: with its default overlapping sync a commit is visible, and survives the
   * process's death, before the file is synced; this waits for the sync too).
   */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

/** The named databases `scan` can walk. */
export type ChainDbName =
  | "state"
  | "merkle"
  | "blocks"
  | "blockHashes"
  | "txs"
  | "receipts"
  | "logsByAddress"
  | "logsByTopic"
  | "txsByAccount"
  | "meta";

export interface OpenChainDbOptions {
  mapSizeBytes?: number;
  /**
   * How much of the data file to check with plain reads before LMDB maps it (`walkLmdbFile`):
   * `roots` (default, a few pages: the meta pages, the main tree, each database's root page),
   * `full` (every page), `none` (the caller has just walked it).
   */
  walk?: LmdbWalkDepth | "none";
  /**
   * Test hook for failures while the node runs: called before each read (`read`) and inside
   * a block's LMDB transaction after its state and Merkle writes (`write`); a throw there
   * is a failure of the store at that point.
   */
  storeFaults?: (point: "read" | "write") => void;
  /**
   * Keeps up to this many recently read or committed state values in memory
   * (`state/valueCache.ts`). Only for the node's own handle, the one that commits blocks:
   * a reader in another thread or process would not see the writer's commits in its cache.
   */
  stateCacheEntries?: number;
  /**
   * How many blocks' states stay readable (`stateAt`): the head and the `stateHistoryBlocks - 1`
   * before it (default `DEFAULT_STATE_HISTORY_BLOCKS`, at least 1). Only the writer's matters.
   */
  stateHistoryBlocks?: number;
}
