/**
 * The node's database: one LMDB environment holding the state, the Merkle nodes, blocks,
 * transactions, receipts, the log indexes and the head. A block commits in ONE LMDB
 * transaction: the producer stages the block's records (`stageBlock`), then commits the
 * state write set through `state.commit` (directly, or through the parallel engine's
 * attached wrapper, which forwards to it); that commit writes the state and the staged
 * records together. After a crash the database holds the whole block or none of it. The
 * records arrive already encoded (`encodeBlock.ts`), so the transaction only copies bytes;
 * a block whose production fails before its commit is forgotten with `discardStaged`.
 *
 * | database | key | value |
 * |---|---|---|
 * | `state` | state key bytes | value |
 * | `merkle` | page id (utf8) | the Merkle nodes of a page: several levels (`merklePages.ts`) |
 * | `blocks` | number u64 BE | `StoredBlock` JSON |
 * | `blockHashes` | block hash | number u64 BE |
 * | `txs` | tx hash | block u64 BE ‖ index u32 BE ‖ the raw transaction |
 * | `receipts` | tx hash | `ReceiptJson`, binary (`receiptRecord.ts`; JSON before session 16, still read) |
 * | `logsByAddress` | address ‖ block u64 | (tx u32 ‖ log u32) per log, in order (`indexGroups.ts`) |
 * | `logsByTopic` | topic ‖ block u64 | (tx u32 ‖ log u32) per log, in order |
 * | `txsByAccount` | address ‖ block u64 | tx u32 per transaction, in order (`accountIndex.ts`) |
 * | `meta` | name (utf8) | JSON (`head`, `genesis`, `merkleLayout`, `contract:<address>` verified metadata, `nextSnapshot`) |
 * | `snapshots` | id u64 BE | a dev mode snapshot (`dev/snapshots.ts` encodes it) |
 * | `changeSets`, `changeSetBlocks` | see `stateHistory.ts` | each recent block's previous values of the keys it changed |
 *
 * The state of the last `stateHistoryBlocks` blocks stays readable (`stateAt`): each block's
 * commit keeps, in the same transaction, the values its write set replaces (`stateHistory.ts`).
 *
 * Dev mode may go back to an earlier block (`stageRewind`, `rewind.ts`): the blocks after
 * it are removed in the same LMDB transaction that writes the state back.
 */
import type { Database } from "lmdb";
import { utf8 } from "../../codec/bytes.js";
import { lmdbStorage } from "../../state/lmdbStore.js";
import { accountTxPositions } from "./accountIndex.js";
import type { ChainDb, ChainDbName, OpenChainDbOptions } from "./chainDbApi.js";
import { ChainDbError, damageError, StateNotKeptError } from "./chainDbErrors.js";
import { type EncodedBlock, json, prefixed, u64 } from "./encodeBlock.js";
import { expandIndexRecord } from "./indexGroups.js";
import { checkLayout } from "./layoutCheck.js";
import { MERKLE_LAYOUT, MERKLE_LAYOUT_KEY, readNode, writeNodes } from "./merklePages.js";
import { openEnvironment } from "./openEnvironment.js";
import { PendingWrites } from "./pendingWrites.js";
import { receiptRecord } from "./receiptRecord.js";
import type { BlockHeader, Hex, StoredBlock } from "./records.js";
import { unhex } from "./records.js";
import { type Rewind, writeRewind } from "./rewind.js";
import { snapshotRecords } from "./snapshotRecords.js";
import {
  DEFAULT_STATE_HISTORY_BLOCKS,
  type HistoryDbs,
  readableFrom,
  recordHistory,
  removeHistory,
  startHistoryAt,
  valueAt,
} from "./stateHistory.js";
import { guarded, guardedIteration, guardedStorage } from "./storeError.js";

export type { ChainDb, ChainDbName, OpenChainDbOptions, SyncedPuts } from "./chainDbApi.js";
export { ChainDbError, type ChainDbErrorCode, damageError, StateNotKeptError } from "./chainDbErrors.js";

type Bin = Database<Uint8Array, Uint8Array>;

/** Where a block's records go: straight into an open transaction, or gathered (`PendingWrites`). */
interface Writer {
  put(db: Bin, key: Uint8Array, value: Uint8Array): void;
  remove(db: Bin, key: Uint8Array): void;
}

const parse = <T>(bytes: Uint8Array | undefined): T | undefined =>
  bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString("utf8")) as T);

/** Opens (creating if needed) the chain database in `dir`. */
export function openChainDb(dir: string, options: OpenChainDbOptions = {}): ChainDb {
  const root = openEnvironment(dir, options);
  const sub = (name: string): Bin => {
    try {
      return root.openDB({ name, keyEncoding: "binary", encoding: "binary" }) as Bin;
    } catch (error) {
      void root.close();
      throw damageError(dir, error) ?? error;
    }
  };
  const stateDb = sub("state");
  const merkleDb = sub("merkle");
  const blocks = sub("blocks");
  const blockHashes = sub("blockHashes");
  const txs = sub("txs");
  const receipts = sub("receipts");
  const logsByAddress = sub("logsByAddress");
  const logsByTopic = sub("logsByTopic");
  const metaDb = sub("meta");
  const txsByAccount = sub("txsByAccount");
  const history = sub("changeSets");
  const historyBlocks = sub("changeSetBlocks");
  const historyDbs: HistoryDbs = { state: stateDb, history, historyBlocks, meta: metaDb };
  const keep = Math.max(1, Math.floor(options.stateHistoryBlocks ?? DEFAULT_STATE_HISTORY_BLOCKS));
  const databases: Record<ChainDbName, Bin> = {
    state: stateDb,
    merkle: merkleDb,
    blocks,
    blockHashes,
    txs,
    receipts,
    logsByAddress,
    logsByTopic,
    txsByAccount,
    meta: metaDb,
  };
  let staged: EncodedBlock | undefined;
  let rewind: Rewind | undefined;
  /** True while an asynchronous commit is on lmdb-js's write thread: nothing else may be staged. */
  let committing = false;
  let headCache: BlockHeader | undefined;
  try {
    headCache = parse<BlockHeader>(metaDb.getBinary(utf8("head")));
  } catch (error) {
    void root.close();
    const damage = damageError(dir, error);
    if (damage !== undefined) throw damage;
    throw new ChainDbError(
      "CORRUPT_RECORD",
      `the head record in ${dir} is not valid JSON: ${String(error)}`,
      {
        cause: error,
      },
    );
  }

  try {
    checkLayout(dir, { meta: metaDb, merkle: merkleDb, blocks }, headCache !== undefined);
  } catch (error) {
    void root.close();
    throw error;
  }

  /** The synchronous writes of an open `transactionSync`. */
  const direct: Writer = {
    put: (db, key, value) => db.putSync(key, value),
    remove: (db, key) => db.removeSync(key),
  };
  /** A Merkle page as committed, or as the open synchronous transaction holds it (a buffer reused by the next read). */
  const readPage = (key: Uint8Array) => merkleDb.getBinaryFast(key) ?? undefined;
  const writeStaged = (block: EncodedBlock, out: Writer = direct): void => {
    // Each page the block's node writes touch is read (as committed) and written once.
    writeNodes(block.merkleWrites, readPage, {
      put: (key, value) => out.put(merkleDb, key, value),
      remove: (key) => out.remove(merkleDb, key),
    });
    if (block.header.number === 0) out.put(metaDb, utf8(MERKLE_LAYOUT_KEY), json(MERKLE_LAYOUT));
    options.storeFaults?.("write");
    out.put(blocks, ...block.blocks);
    out.put(blockHashes, ...block.blockHashes);
    for (const earlier of block.earlier ?? []) {
      out.put(blocks, ...earlier.blocks);
      out.put(blockHashes, ...earlier.blockHashes);
    }
    for (const put of block.txs) out.put(txs, ...put);
    for (const put of block.accountIndex) out.put(txsByAccount, ...put);
    for (const put of block.receipts) out.put(receipts, ...put);
    for (const put of block.logsByAddress) out.put(logsByAddress, ...put);
    for (const put of block.logsByTopic) out.put(logsByTopic, ...put);
    for (const put of block.meta) out.put(metaDb, ...put);
    block.beforeCommit?.();
  };

  // Reads and commits while the node runs: an LMDB failure is a `StoreError` naming `dir`.
  const beforeRead = options.storeFaults === undefined ? undefined : () => options.storeFaults?.("read");
  const read = <T>(operation: string, run: () => T): T =>
    guarded(dir, operation, () => {
      beforeRead?.();
      return run();
    });
  const stateStore = lmdbStorage(stateDb, `${dir} (state)`, {
    ...(options.stateCacheEntries === undefined ? {} : { cacheEntries: options.stateCacheEntries }),
    transaction: (apply, writes, before) => {
      const commit = staged;
      const back = rewind;
      staged = undefined;
      rewind = undefined;
      let rewound: StoredBlock | undefined;
      const dbs = { merkle: merkleDb, blocks, blockHashes, txs, receipts, logsByAddress, logsByTopic };
      root.transactionSync(() => {
        // Before `apply`: the history keeps the values the block's writes replace.
        if (commit !== undefined) recordHistory(historyDbs, commit.header.number, writes, keep, before);
        apply();
        if (commit !== undefined) writeStaged(commit);
        if (back !== undefined) {
          rewound = writeRewind({ ...dbs, txsByAccount, meta: metaDb }, back);
          removeHistory(historyDbs, back.from, back.to);
        }
      });
      if (commit !== undefined) headCache = commit.header;
      if (rewound !== undefined) headCache = rewound.header;
    },
    // The same transaction written by lmdb-js's write thread: everything is gathered here
    // first (history, records, fault hooks: a throw leaves nothing written), then issued in
    // one batch, one LMDB transaction. The head moves once it has committed.
    transactionAsync: async (issue, writes, before) => {
      if (rewind !== undefined) {
        throw new ChainDbError("STAGE", "a rewind commits synchronously (state.commit)");
      }
      const commit = staged;
      staged = undefined;
      const pending = new PendingWrites();
      if (commit !== undefined) {
        const views = {
          state: stateDb,
          history: pending.view(history),
          historyBlocks: pending.view(historyBlocks),
          meta: pending.view(metaDb),
        };
        recordHistory(views, commit.header.number, writes, keep, before);
        writeStaged(commit, pending);
      }
      committing = true;
      try {
        await root.batch(() => {
          issue();
          pending.issue();
        });
      } finally {
        committing = false;
      }
      if (commit !== undefined) headCache = commit.header;
    },
  });
  const state = guardedStorage(dir, stateStore, beforeRead);
  const meta = <T>(name: string) =>
    read(`reading the ${name} record`, () => parse<T>(metaDb.getBinary(utf8(name))));

  return {
    state,
    merkle: {
      get: (id) =>
        read("a Merkle node read", () => readNode((key) => merkleDb.getBinaryFast(key) ?? undefined, id)),
    },
    stageBlock(block) {
      if (staged !== undefined || committing)
        throw new ChainDbError("STAGE", "a block is already staged and not committed");
      const head = headCache;
      const expected = head === undefined ? 0 : head.number + 1;
      if (block.header.number !== expected)
        throw new ChainDbError("STAGE", `block ${block.header.number} staged, expected ${expected}`);
      staged = block;
    },
    installSynced(block, fill) {
      if (staged !== undefined || rewind !== undefined || committing)
        throw new ChainDbError("STAGE", "a block or a rewind is already staged and not committed");
      if (headCache?.number !== 0 || block.header.number < 1)
        throw new ChainDbError(
          "STAGE",
          `a synced block ${block.header.number} installed on a chain at ${headCache?.number}: only a genesis chain takes one`,
        );
      // The state store's value cache would still hold genesis values.
      if (options.stateCacheEntries !== undefined)
        throw new ChainDbError(
          "STAGE",
          "a synced state is installed only on a database opened without a state cache",
        );
      const copies = (db: Bin) => [...db.getKeys({})].map((k) => Uint8Array.from(k));
      guarded(dir, "installing a synced state", () =>
        root.transactionSync(() => {
          for (const key of copies(stateDb)) stateDb.removeSync(key);
          for (const key of copies(merkleDb)) merkleDb.removeSync(key);
          // Nodes gathered and written a batch of pages at a time (`merklePages.ts`).
          let nodes: Map<string, Uint8Array | null> = new Map();
          const writeNodesSync = () => {
            writeNodes(nodes, readPage, {
              put: (key, value) => merkleDb.putSync(key, value),
              remove: (key) => merkleDb.removeSync(key),
            });
            nodes = new Map();
          };
          fill({
            state: (key, value) => stateDb.putSync(key, value),
            node: (id, record) => {
              nodes.set(id, record);
              if (nodes.size >= 50_000) writeNodesSync();
            },
          });
          writeNodesSync();
          startHistoryAt(historyDbs, block.header.number);
          writeStaged(block);
        }),
      );
      headCache = block.header;
    },
    discardStaged() {
      staged = undefined;
    },
    head: () => headCache,
    block: (number) =>
      read(`reading block ${number}`, () => parse<StoredBlock>(blocks.getBinary(u64(number)))),
    blockNumberOf(hash) {
      const raw = read("a block hash lookup", () => blockHashes.getBinary(unhex(hash)));
      return raw === undefined
        ? undefined
        : Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0));
    },
    tx(hash) {
      const raw = read("a transaction read", () => txs.getBinary(unhex(hash)));
      if (raw === undefined) return undefined;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return {
        blockNumber: Number(view.getBigUint64(0)),
        index: view.getUint32(8),
        raw: new Uint8Array(raw.subarray(12)),
      };
    },
    hasTx: (hash) =>
      read("a transaction lookup", () => txs.doesExist(typeof hash === "string" ? unhex(hash) : hash)),
    receipt: (hash) => read("a receipt read", () => receiptRecord(receipts.getBinary(unhex(hash)))),
    *logPositions(index, key, from, to) {
      const db = index === "address" ? logsByAddress : logsByTopic;
      const prefix = unhex(key);
      const start = prefixed(prefix, u64(from));
      const end = prefixed(prefix, u64(to + 1));
      for (const { key: k, value } of guardedIteration(dir, "a log index scan", () =>
        db.getRange({ start, end }),
      )) {
        // Expanded before yielding: the range may reuse the record's buffers.
        const entries = expandIndexRecord(k, value, prefix.length, 2);
        for (const entry of entries ?? []) yield entry as [number, number, number];
      }
    },
    meta,
    putMeta(name, value) {
      guarded(dir, `writing the ${name} record`, () => metaDb.putSync(utf8(name), json(value)));
    },
    metaEntries: <T>(prefix: string) =>
      read(`reading the ${prefix}* records`, () => {
        const start = utf8(prefix);
        const out: Array<[string, T]> = [];
        for (const { key, value } of metaDb.getRange({ start })) {
          const name = new TextDecoder().decode(key);
          if (!name.startsWith(prefix)) break;
          out.push([name, parse<T>(value) as T]);
        }
        return out;
      }),
    accountTxs: (address, limit, before) =>
      read("an account index scan", () => accountTxPositions(txsByAccount, address, limit, before)),
    stageRewind(to, merkleWrites) {
      const head = headCache;
      if (staged !== undefined || rewind !== undefined || committing)
        throw new ChainDbError("STAGE", "a block or a rewind is already staged and not committed");
      if (head === undefined || to < 0 || to > head.number)
        throw new ChainDbError("STAGE", `cannot go back to block ${to}: the head is ${head?.number}`);
      rewind = { to, from: head.number, merkleWrites };
    },
    ...snapshotRecords(root, metaDb, meta),
    readableStates(head) {
      const from = read("a state history read", () => readableFrom(historyDbs, head));
      return { from, head, keep };
    },
    stateAt(block, head) {
      const { from } = this.readableStates(head);
      if (block < from || block > head) throw new StateNotKeptError(block, from, head, keep);
      if (block === head) return { get: (key) => state.get(key) };
      return {
        get: (key) =>
          read("a state history read", () =>
            valueAt({ history, meta: metaDb }, key, block, head, (k) => state.get(k)),
          ),
      };
    },
    *scan(name) {
      // Copies: the range may hand out buffers it reuses.
      for (const { key, value } of guardedIteration(dir, `a scan of ${name}`, () =>
        databases[name].getRange({}),
      ))
        yield { key: Uint8Array.from(key), value: Uint8Array.from(value) };
    },
    flushed: () => Promise.resolve(root.flushed).then(() => undefined),
    async close() {
      state.close();
      await root.close();
    },
  };
}

export type { BlockCommit, EncodedBlock } from "./encodeBlock.js";
export type { Hex };
