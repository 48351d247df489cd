/**
 * Going back to an earlier block (dev mode's `dev_revert`): inside the LMDB transaction
 * that also writes the state back, every block after the target loses its records (block,
 * hash, transactions, receipts, log and account index entries), the Merkle node writes
 * that restore the target's tree are applied, and the target becomes the head.
 */
import type { Database } from "lmdb";
import { addressToBytes } from "../../codec/address.js";
import { utf8 } from "../../codec/bytes.js";
import type { NodeWrites } from "../../state/merkle/index.js";
import { removeBlockTxs } from "./accountIndex.js";
import { writeNodes } from "./merklePages.js";
import { receiptRecord } from "./receiptRecord.js";
import type { StoredBlock } from "./records.js";
import { unhex } from "./records.js";

type Bin = Database<Uint8Array, Uint8Array>;

export interface RewindDbs {
  merkle: Bin;
  blocks: Bin;
  blockHashes: Bin;
  txs: Bin;
  receipts: Bin;
  logsByAddress: Bin;
  logsByTopic: Bin;
  txsByAccount: Bin;
  meta: Bin;
}

export interface Rewind {
  /** The block that becomes the head again. */
  to: number;
  /** The current head's number (blocks to+1..from are removed). */
  from: number;
  merkleWrites: NodeWrites;
}

const parse = <T>(bytes: Uint8Array | undefined): T | undefined =>
  bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString("utf8")) as T);

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

function logKey(prefix: Uint8Array, block: number, tx: number, log: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 16);
  out.set(prefix);
  const view = new DataView(out.buffer, prefix.length);
  view.setBigUint64(0, BigInt(block));
  view.setUint32(8, tx);
  view.setUint32(12, log);
  return out;
}

function blockKey(prefix: Uint8Array, block: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 8);
  out.set(prefix);
  new DataView(out.buffer).setBigUint64(prefix.length, BigInt(block));
  return out;
}

/** Removes blocks `from` down to `to + 1` and makes `to` the head; returns its header's JSON bytes. */
export function writeRewind(dbs: RewindDbs, rewind: Rewind): StoredBlock {
  for (let n = rewind.from; n > rewind.to; n--) {
    const block = parse<StoredBlock>(dbs.blocks.getBinary(u64(n)));
    if (block === undefined) continue;
    const raws: Uint8Array[] = [];
    const contracts: Array<string | undefined> = [];
    const senders: Array<string | undefined> = [];
    for (const hash of block.txHashes) {
      const stored = dbs.txs.getBinary(unhex(hash));
      if (stored === undefined) throw new Error(`block ${n} lists transaction ${hash}, which is not stored`);
      raws.push(new Uint8Array(stored.subarray(12)));
      const receipt = receiptRecord(dbs.receipts.getBinary(unhex(hash)));
      contracts.push(receipt?.contractAddress);
      senders.push(receipt?.from);
      for (const log of receipt?.logs ?? []) {
        // The block's record under each key, and the one-entry keys of the layout before (`indexGroups.ts`).
        const address = addressToBytes(log.address);
        dbs.logsByAddress.removeSync(blockKey(address, n));
        dbs.logsByAddress.removeSync(logKey(address, n, log.txIndex, log.logIndex));
        for (const topic of log.topics) {
          dbs.logsByTopic.removeSync(blockKey(unhex(topic), n));
          dbs.logsByTopic.removeSync(logKey(unhex(topic), n, log.txIndex, log.logIndex));
        }
      }
      dbs.receipts.removeSync(unhex(hash));
      dbs.txs.removeSync(unhex(hash));
    }
    removeBlockTxs(dbs.txsByAccount, n, raws, contracts, senders);
    dbs.blockHashes.removeSync(unhex(block.header.hash));
    dbs.blocks.removeSync(u64(n));
  }
  writeNodes(rewind.merkleWrites, (key) => dbs.merkle.getBinary(key) ?? undefined, {
    put: (key, value) => dbs.merkle.putSync(key, value),
    remove: (key) => dbs.merkle.removeSync(key),
  });
  const target = parse<StoredBlock>(dbs.blocks.getBinary(u64(rewind.to)));
  if (target === undefined) throw new Error(`cannot rewind to block ${rewind.to}: it is not stored`);
  dbs.meta.putSync(utf8("head"), utf8(JSON.stringify(target.header)));
  return target;
}
