/**
 * A block's records encoded to the bytes the chain database writes, before anything is
 * written. Encoding is where an oversized record would fail (a JSON string past V8's
 * limit, say), so it happens while the block is being built, where a failure leaves no
 * trace; the LMDB transaction then only copies bytes (`chainDb.ts`).
 */
import { type Address, addressToBytes } from "../../codec/address.js";
import { utf8 } from "../../codec/bytes.js";
import type { NodeWrites } from "../../state/merkle/index.js";
import { accountIndexRecords, partiesOf } from "./accountIndex.js";
import { IndexGroups } from "./indexGroups.js";
import { encodeReceiptRecord } from "./receiptRecord.js";
import type { BlockHeader, LogJson, ReceiptJson, StoredBlock } from "./records.js";
import { unhex } from "./records.js";

/** Everything a block commits besides the state write set. */
export interface BlockCommit {
  block: StoredBlock;
  /** Raw encoded transactions, in block order (same order as `block.txHashes`). */
  rawTxs: Uint8Array[];
  /** The accounts each transaction touches (`node/pendingTx.ts` `pendingParties`), when the caller has them (else the raw transactions are decoded again for the account index). */
  parties?: ReadonlyArray<readonly string[]>;
  receipts: ReceiptJson[];
  merkleWrites: NodeWrites;
  /** Extra meta records to write (e.g. the genesis description). */
  meta?: Record<string, unknown>;
  /**
   * Runs inside the LMDB transaction after every write, before it commits: a throw aborts
   * the transaction (tests inject a commit failure with it).
   */
  beforeCommit?: () => void;
}

/** A key and the bytes stored under it. */
export type Put = [key: Uint8Array, value: Uint8Array];

/** A block's records as the bytes of each named database (see the table in chainDb.ts). */
export interface EncodedBlock {
  header: BlockHeader;
  blocks: Put;
  blockHashes: Put;
  txs: Put[];
  receipts: Put[];
  /** The log indexes' records (one per address or topic: `indexGroups.ts`). */
  logsByAddress: Put[];
  logsByTopic: Put[];
  merkleWrites: NodeWrites;
  /** The meta records, `head` last. */
  meta: Put[];
  /** The account transaction index's records (`accountIndex.ts`, one per account). */
  accountIndex: Put[];
  /** State sync only: the headers below a synced block (`ChainDb.installSynced`), their block and hash records. */
  earlier?: Array<{ blocks: Put; blockHashes: Put }>;
  beforeCommit?: () => void;
}

export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** A log's position key: block u64 ‖ tx u32 ‖ log u32, big-endian. */
export function position(block: number, tx: number, log: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(block));
  view.setUint32(8, tx);
  view.setUint32(12, log);
  return out;
}

export function prefixed(prefix: Uint8Array, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + rest.length);
  out.set(prefix);
  out.set(rest, prefix.length);
  return out;
}

/**
 * A value's JSON as UTF-8 bytes. `Buffer.from` encodes ~1.7x faster than a TextEncoder for
 * record-sized strings (a receipt's ~700 bytes); the bytes are the same.
 */
export const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");

const addressBytes = (id: string): Uint8Array => addressToBytes(id as Address);

/** Adds a log's entries to the log indexes of its block: under its address, under each topic. */
export function addLogEntries(byAddress: IndexGroups, byTopic: IndexGroups, log: LogJson): void {
  byAddress.add(log.address.toLowerCase(), addressBytes, log.txIndex, log.logIndex);
  for (const topic of log.topics) byTopic.add(topic.toLowerCase(), unhex, log.txIndex, log.logIndex);
}

/** Encodes every record of `commit`; throws (writing nothing anywhere) if one cannot be. */
export function encodeBlock(commit: BlockCommit): EncodedBlock {
  const steps = encodeSteps(commit);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * `encodeBlock` on a thread that also serves: `pause` is asked between transactions (a
 * receipt, a transaction's accounts) and its promise, when it gives one, awaited
 * (`engine/nextTurn.ts` `slicePause`). The same steps in the same order: the same records.
 */
export async function encodeBlockInSlices(
  commit: BlockCommit,
  pause: () => Promise<void> | undefined,
): Promise<EncodedBlock> {
  const steps = encodeSteps(commit);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    const wait = pause();
    if (wait !== undefined) await wait;
  }
}

/** The encoding, yielding after each transaction's receipt and each transaction's accounts. */
function* encodeSteps(commit: BlockCommit): Generator<void, EncodedBlock> {
  const { block } = commit;
  const n = block.header.number;
  // A transaction's hash keys both its record and its receipt's: decoded from hex once.
  const hashKeys = block.txHashes.map(unhex);
  const number = u64(n);
  const txs: Put[] = hashKeys.map((key, i) => {
    const raw = commit.rawTxs[i] as Uint8Array;
    const value = new Uint8Array(12 + raw.length);
    value.set(number);
    value[8] = i >>> 24;
    value[9] = i >>> 16;
    value[10] = i >>> 8;
    value[11] = i;
    value.set(raw, 12);
    return [key, value];
  });
  const receipts: Put[] = [];
  const byAddress = new IndexGroups(2);
  const byTopic = new IndexGroups(2);
  for (const [i, receipt] of commit.receipts.entries()) {
    const key = receipt.txHash === block.txHashes[i] ? (hashKeys[i] as Uint8Array) : unhex(receipt.txHash);
    receipts.push([key, encodeReceiptRecord(receipt)]);
    for (const log of receipt.logs) addLogEntries(byAddress, byTopic, log);
    yield;
  }
  const parties: Array<readonly string[]> = [];
  for (const [i, raw] of commit.rawTxs.entries()) {
    const given = commit.parties?.[i];
    parties.push(given ?? partiesOf(raw, commit.receipts[i]?.contractAddress, commit.receipts[i]?.from));
    yield;
  }
  const meta: Put[] = Object.entries(commit.meta ?? {}).map(([name, value]) => [utf8(name), json(value)]);
  meta.push([utf8("head"), json(block.header)]);
  const encoded: EncodedBlock = {
    header: block.header,
    blocks: [u64(n), json(block)],
    blockHashes: [unhex(block.header.hash), u64(n)],
    txs,
    receipts,
    logsByAddress: byAddress.records(n),
    logsByTopic: byTopic.records(n),
    merkleWrites: commit.merkleWrites,
    meta,
    accountIndex: accountIndexRecords(n, parties),
  };
  if (commit.beforeCommit !== undefined) encoded.beforeCommit = commit.beforeCommit;
  return encoded;
}
