/**
 * The full check of a chain database (`weft db check`, and the node's `--check-db full`
 * at startup). Opening a chain only compares the stored root node with the head's state
 * root; this reads every record and recomputes what it can:
 * - the state root from every state record, from scratch (`stateRootFrom`), against the
 *   head's header and the stored tree's root;
 * - every stored Merkle node's hash links and every leaf against its state value
 *   (`checkStoredTree`);
 * - every block: its stored hash recomputed, its parent hash = the previous block's hash,
 *   its chain id, the hash index, the tx root from its transaction hashes, each
 *   transaction's hash from its raw bytes and position, each receipt, the receipts root
 *   and the gas used;
 * - the indexes: for every log of every receipt an entry under its address and one under
 *   each topic, for every transaction one under each account it touches, and no other entry;
 * - that nothing is stored beyond the head (blocks, transactions, receipts, hashes).
 * A state-synced chain (meta `stateSync`) holds block 0, then the headers of the 256 blocks up
 * to its sync height without their transactions: the blocks between are not missing, and those
 * headers are checked for their hashes and links only.
 * Every problem is collected (none throws), so one run lists all the damage: a record that
 * does not decode (a field of the wrong type, hex that is not hex; a head record that is no
 * header; a state or Merkle node key that is not one) is reported as damage naming its table
 * and key (in hex), and the check goes on past it (without a head, to the state and its tree).
 * A head number beyond the stored blocks is one problem, not one per missing block. A damaged
 * page LMDB cannot read (`isLmdbDamage`, or a `StoreError`) ends the check there, reported as a problem.
 */

import { BLOCKHASH_WINDOW } from "../../chain/evmBlock.js";
import { keccak256 } from "../../codec/hash.js";
import { isLmdbDamage } from "../../state/lmdbHeader.js";
import { partiesOf } from "./accountIndex.js";
import type { ChainDb } from "./chainDb.js";
import { checkTree, undecodable } from "./checkDbState.js";
import { expandIndexRecord } from "./indexGroups.js";
import {
  type BlockHeader,
  blockHash,
  hex,
  type ReceiptJson,
  receiptHash,
  receiptsRoot,
  receiptsRootV1,
  type StoredBlock,
  txRoot,
  ZERO_HASH,
} from "./records.js";
import { storeErrorIn } from "./storeError.js";

/** Index keys (hex) the stored blocks call for: log indexes by address and topic, transactions by account. */
interface IndexKeys {
  address: Set<string>;
  topic: Set<string>;
  account: Set<string>;
}

/** What `checkChainDb` read and found. */
export interface DbCheckReport {
  ok: boolean;
  /** The head block's number (undefined for an empty database). */
  head: number | undefined;
  checked: { stateRecords: number; merkleNodes: number; blocks: number; txs: number; receipts: number };
  /** One line per problem found. */
  problems: string[];
  ms: number;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const count = (records: Iterable<unknown>): number => {
  let n = 0;
  for (const _ of records) n++;
  return n;
};

/**
 * Reads every record of `db` and reports every inconsistency (see the module comment).
 * @example const report = checkChainDb(openChainDb(dir)); if (!report.ok) console.log(report.problems);
 */
export function checkChainDb(db: ChainDb): DbCheckReport {
  const started = performance.now();
  const problems: string[] = [];
  const checked = { stateRecords: 0, merkleNodes: 0, blocks: 0, txs: 0, receipts: 0 };
  let head: number | undefined;
  try {
    head = checkAll(db, problems, checked);
  } catch (error) {
    const store = storeErrorIn(error);
    if (store !== undefined) problems.push(`${store.message} (the check stopped there)`);
    else if (isLmdbDamage(error))
      problems.push(`the data file is damaged: LMDB reports ${error.message} (the check stopped there)`);
    else throw error;
  }
  return { ok: problems.length === 0, head, checked, problems, ms: performance.now() - started };
}

/** The checks of `checkChainDb`, adding to `problems` and `checked`; returns the head's number. */
function checkAll(db: ChainDb, problems: string[], checked: DbCheckReport["checked"]): number | undefined {
  const guard = <T>(what: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push(`${what} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const head = guard("the head record", () => db.head());
  if (head === undefined) {
    for (const name of ["state", "merkle", "blocks", "txs"] as const)
      if (count(db.scan(name)) > 0)
        problems.push(`there is no head block, but the ${name} database has records`);
    return undefined;
  }

  const shape = headShapeProblem(head);
  if (shape !== undefined) {
    // Without a head, nothing says which blocks and which root the chain should have.
    problems.push(undecodable("meta", Buffer.from("head").toString("hex"), shape));
    checkTree(db, problems, checked);
    return undefined;
  }
  const tree = checkTree(db, problems, checked);
  const fromScratch = tree.fromScratch;
  if (fromScratch !== head.stateRoot)
    problems.push(
      `state root recomputed from the ${checked.stateRecords} state records is ${fromScratch}, but head block ${head.number} says ${head.stateRoot}`,
    );
  if (hex(tree.storedRoot) !== head.stateRoot)
    problems.push(
      `the stored Merkle root is ${hex(tree.storedRoot)}, but head block ${head.number} says ${head.stateRoot}`,
    );

  const indexKeys: IndexKeys = { address: new Set(), topic: new Set(), account: new Set() };
  const chain = checkBlocks(db, head, problems, guard, indexKeys);
  checkIndex(db, "logsByAddress", indexKeys.address, problems, "log");
  checkIndex(db, "logsByTopic", indexKeys.topic, problems, "log");
  checkIndex(db, "txsByAccount", indexKeys.account, problems, "transaction");
  checked.blocks = chain.blocks;
  checked.txs = chain.txs;
  checked.receipts = chain.receipts;
  const stored = { blocks: count(db.scan("blocks")), hashes: count(db.scan("blockHashes")) };
  const storedTxs = count(db.scan("txs"));
  const storedReceipts = count(db.scan("receipts"));
  // A state-synced chain has no blocks between genesis and its header window (`chain.absent`).
  const expected = head.number + 1 - chain.absent;
  if (stored.blocks !== expected)
    problems.push(
      `${stored.blocks} blocks are stored for a chain of ${head.number + 1} (head ${head.number}${chain.absent > 0 ? `, ${chain.absent} before a state sync not kept` : ""})`,
    );
  if (stored.hashes !== expected)
    problems.push(`${stored.hashes} block hashes are indexed for ${expected} stored blocks`);
  if (storedTxs !== chain.txs)
    problems.push(`${storedTxs} transactions are stored, the blocks hold ${chain.txs}`);
  if (storedReceipts !== chain.txs)
    problems.push(`${storedReceipts} receipts are stored, the blocks hold ${chain.txs} transactions`);
  return head.number;
}

/** What makes `head` no block header (a record of the wrong shape), or undefined. */
function headShapeProblem(head: unknown): string | undefined {
  if (typeof head !== "object" || head === null || Array.isArray(head))
    return `it is ${JSON.stringify(head)?.slice(0, 40)}, not a block header`;
  const h = head as Record<string, unknown>;
  if (!Number.isSafeInteger(h.number) || (h.number as number) < 0)
    return `its number ${JSON.stringify(h.number)?.slice(0, 40)} is not a block number`;
  for (const field of ["hash", "parentHash", "stateRoot", "txRoot", "receiptsRoot"])
    if (typeof h[field] !== "string" || !HASH.test(h[field] as string))
      return `its ${field} ${JSON.stringify(h[field])?.slice(0, 80)} is not a 32-byte hex hash`;
  return undefined;
}

/** Walks blocks 0..head, checking each one's links, roots, transactions and receipts. */
function checkBlocks(
  db: ChainDb,
  head: BlockHeader,
  problems: string[],
  guard: <T>(what: string, read: () => T) => T | undefined,
  indexKeys: IndexKeys,
): { blocks: number; txs: number; receipts: number; absent: number } {
  const chainId = guard("the genesis record", () => db.meta<{ chainId: string }>("genesis"))?.chainId;
  if (chainId === undefined) problems.push("the genesis record is missing");
  // State sync (`node/stateSyncJoin.ts`) keeps block 0, then the headers (no transactions) of
  // the 256 blocks up to its height: the blocks between are absent, those headers linked only.
  const synced = guard("the state sync record", () => db.meta<{ height: number }>("stateSync"))?.height;
  const headersFrom = synced === undefined ? 1 : Math.max(1, synced - (BLOCKHASH_WINDOW - 1));
  const absent = headersFrom - 1;
  let parent: string = ZERO_HASH;
  let blocks = 0;
  let txs = 0;
  let found = 0;
  // A head far beyond the stored blocks (a damaged number) is one problem, not one per block.
  const storedBlocks = count(db.scan("blocks")) + absent;
  const last = Math.min(head.number, storedBlocks);
  if (last < head.number)
    problems.push(`blocks ${last + 1} to ${head.number} are missing (head is ${head.number})`);
  for (let n = 0; n <= last; n++) {
    if (n >= 1 && n < headersFrom) {
      parent = "";
      continue;
    }
    const block = guard<StoredBlock | undefined>(`block ${n}`, () => db.block(n));
    if (block === undefined) {
      problems.push(`block ${n} is missing (head is ${head.number})`);
      parent = "";
      continue;
    }
    blocks++;
    try {
      parent = checkBlock(block, n, parent);
    } catch (error) {
      if (storeErrorIn(error) !== undefined || isLmdbDamage(error)) throw error;
      problems.push(undecodable("blocks", n.toString(16).padStart(16, "0"), error));
      parent = "";
    }
  }
  return { blocks, txs, receipts: found, absent };

  /** Checks one decoded block; returns its hash (the next block's parent). */
  function checkBlock(block: StoredBlock, n: number, parent: string): string {
    const h = block.header;
    if (h.number !== n) problems.push(`block ${n} is stored with number ${h.number}`);
    if (chainId !== undefined && h.chainId !== chainId)
      problems.push(`block ${n} is of chain ${h.chainId}, the genesis record says ${chainId}`);
    const recomputed = blockHash(h);
    if (recomputed !== h.hash)
      problems.push(`block ${n}: its header hashes to ${recomputed}, not its hash ${h.hash}`);
    if (parent !== "" && h.parentHash !== parent)
      problems.push(`block ${n}: parent hash ${h.parentHash}, but block ${n - 1} is ${parent}`);
    if (db.blockNumberOf(h.hash) !== n) problems.push(`block ${n}: its hash ${h.hash} is not indexed to it`);
    if (n === head.number && JSON.stringify(h) !== JSON.stringify(head))
      problems.push(`the head record differs from stored block ${n}'s header`);
    if (synced !== undefined && n >= headersFrom && n <= synced) {
      if (block.txHashes.length > 0) problems.push(`block ${n}, below the state sync, lists transactions`);
      return h.hash;
    }
    if (h.txCount !== block.txHashes.length)
      problems.push(`block ${n}: tx count ${h.txCount}, but it lists ${block.txHashes.length} transactions`);
    if (txRoot(block.txHashes) !== h.txRoot)
      problems.push(`block ${n}: its transactions do not hash to its tx root`);
    const receipts: ReceiptJson[] = [];
    /** False (with the problem added) when `decode` of the record under `key` throws. */
    const decodes = (table: string, key: string, decode: () => unknown): boolean => {
      try {
        decode();
        return true;
      } catch (error) {
        problems.push(undecodable(table, key.replace(/^0x/, "").toLowerCase(), error));
        return false;
      }
    };
    block.txHashes.forEach((txHash, i) => {
      txs++;
      const tx = guard(`transaction ${txHash}`, () => db.tx(txHash));
      if (tx === undefined) problems.push(`block ${n}: transaction ${i} (${txHash}) is missing`);
      else {
        if (tx.blockNumber !== n || tx.index !== i)
          problems.push(
            `transaction ${txHash} is stored at block ${tx.blockNumber} index ${tx.index}, not ${n}/${i}`,
          );
        if (hex(keccak256(tx.raw)) !== txHash)
          problems.push(`transaction ${txHash}: its stored bytes hash differently`);
      }
      const reported = problems.length;
      const receipt = guard(`receipt ${txHash}`, () => db.receipt(txHash));
      // A record that cannot be read is reported as such (above), not as missing too.
      if (receipt === undefined) {
        if (problems.length === reported)
          problems.push(`block ${n}: the receipt of transaction ${i} (${txHash}) is missing`);
      } else if (decodes("receipts", txHash, () => receiptHash(receipt))) {
        found++;
        receipts.push(receipt);
        for (const log of receipt.logs ?? []) {
          const at = logPosition(n, log.txIndex, log.logIndex);
          indexKeys.address.add(`${log.address.slice(2).toLowerCase()}${at}`);
          for (const topic of log.topics)
            indexKeys.topic.add(`${topic.replace(/^0x/, "").toLowerCase()}${at}`);
        }
        if (tx !== undefined) {
          const parties = guard(`transaction ${txHash}'s accounts`, () =>
            partiesOf(tx.raw, receipt.contractAddress, receipt.from),
          );
          const at = `${n.toString(16).padStart(16, "0")}${i.toString(16).padStart(8, "0")}`;
          for (const who of parties ?? []) indexKeys.account.add(`${who.slice(2).toLowerCase()}${at}`);
        }
        const where = receipt.txHash === txHash && receipt.blockNumber === n && receipt.txIndex === i;
        if (!where || receipt.blockHash !== h.hash)
          problems.push(`receipt of ${txHash} names another transaction, block or position`);
      }
    });
    if (receipts.length === block.txHashes.length) {
      // Block 0 (genesis) has no receipts and a zero receipts root.
      const expected = n === 0 && receipts.length === 0 ? ZERO_HASH : receiptsRoot(receipts);
      if (expected !== h.receiptsRoot && !legacyReceiptsRoot(receipts, h.receiptsRoot))
        problems.push(`block ${n}: its receipts do not hash to its receipts root`);
      const gas = receipts.reduce((sum, r) => sum + (r.blockGas ?? r.gasUsed), 0);
      if (gas !== h.gasUsed)
        problems.push(`block ${n}: gas used ${h.gasUsed}, its receipts add up to ${gas}`);
    }
    return h.hash;
  }
}

/** A log's position in an index key (block u64 ‖ tx u32 ‖ log u32), as hex. */
function logPosition(block: number, tx: number, log: number): string {
  return `${block.toString(16).padStart(16, "0")}${tx.toString(16).padStart(8, "0")}${log.toString(16).padStart(8, "0")}`;
}

/**
 * Compares an index with the entries the stored transactions and logs call for (hex keys
 * of one entry each: key ‖ block ‖ position), both ways. A stored record is expanded into
 * its entries (`expandIndexRecord`: a block's record, or a one-entry key of the layout
 * before); a record of neither shape is damage.
 */
function checkIndex(
  db: ChainDb,
  name: "logsByAddress" | "logsByTopic" | "txsByAccount",
  expected: Set<string>,
  problems: string[],
  what: string,
): void {
  const keyLength = name === "logsByTopic" ? 32 : 20;
  const width = name === "txsByAccount" ? 1 : 2;
  let extra = 0;
  for (const { key, value } of db.scan(name)) {
    const entries = expandIndexRecord(key, value, keyLength, width);
    if (entries === undefined) {
      problems.push(
        undecodable(
          name,
          Buffer.from(key).toString("hex"),
          `neither a block's record nor an entry of ${what}s`,
        ),
      );
      continue;
    }
    const prefix = Buffer.from(key.subarray(0, keyLength)).toString("hex");
    for (const [block, ...words] of entries) {
      const at = `${(block as number).toString(16).padStart(16, "0")}${words.map((w) => w.toString(16).padStart(8, "0")).join("")}`;
      if (!expected.delete(`${prefix}${at}`)) extra++;
    }
  }
  if (extra > 0) problems.push(`${name} has ${extra} entries no stored ${what} calls for`);
  for (const missing of expected) problems.push(`${name} lacks the entry ${missing} of a stored ${what}`);
}

/** True for a block stored before the receipts root v2 whose receipts match its v1 root. */
function legacyReceiptsRoot(receipts: readonly ReceiptJson[], root: string): boolean {
  try {
    return receiptsRootV1(receipts) === root;
  } catch {
    return false; // too large for one string: it cannot be a v1 block's
  }
}
