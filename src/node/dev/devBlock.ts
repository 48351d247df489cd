/**
 * Dev mode's blocks: a block that carries state edits (`dev_setBalance`, `dev_setCode`,
 * `dev_setStorageAt`), an empty block (`dev_mine`), or a block of transactions run by a
 * caller-given executor (impersonated senders, whose validation is skipped). Like the
 * producer's, each commits its records, Merkle nodes and state write set in one LMDB
 * transaction, and its header's state root is the Merkle root over the stored state, so a
 * state edit is a block in the history like any other: the explorer shows it, proofs and
 * the root recomputed from the state agree. Must run inside `ChainNode.exclusive`.
 */
import { blockGasOf, type Receipt } from "../../chain/receipt.js";
import type { Transaction } from "../../chain/transaction.js";
import { encodeTx, txHash } from "../../chain/tx/envelope.js";
import type { Address } from "../../codec/address.js";
import { keccak256 } from "../../codec/hash.js";
import { executeSequential } from "../../engine/sequential.js";
import type { TxExecutor } from "../../engine/types.js";
import type { WriteSet } from "../../state/storage.js";
import type { ChainNode } from "../chainNode.js";
import { MAX_BLOCK_RECEIPT_BYTES, type ProducedBlock } from "../producer.js";
import { encodeBlock } from "../store/encodeBlock.js";
import {
  type BlockHeader,
  blockHash,
  type Hex,
  hex,
  receiptBytes,
  receiptsRoot,
  receiptToJson,
  type StoredBlock,
  txRoot,
  ZERO_HASH,
} from "../store/records.js";

export interface DevBlockContent {
  /** State edits the block makes (`null` deletes). */
  writes?: WriteSet;
  /** Account or Ethereum transactions to run with `executor`, in order (an Ethereum one's `raw` is stored as it is). */
  txs?: Array<Extract<Transaction, { kind: "account" | "eth" }>>;
  executor?: (ctx: ReturnType<ChainNode["nextBlock"]>) => TxExecutor<Transaction, Receipt>;
}

/** Commits the next block with `content` (nothing: an empty block) and tells the listeners. */
export function commitDevBlock(node: ChainNode, content: DevBlockContent = {}): ProducedBlock {
  const head = node.head();
  const ctx = node.nextBlock();
  const txs = content.txs ?? [];
  let writeSet: WriteSet = content.writes ?? new Map();
  let receipts: Receipt[] = [];
  if (txs.length > 0) {
    if (content.executor === undefined) throw new Error("commitDevBlock: transactions need an executor");
    // The producer's receipt and gas bounds (`buildBlock.ts`) hold for dev blocks too,
    // through the same budget; a dev block is not cut but refused, as its caller asked for
    // all of it.
    const max = node.options.maxBlockReceiptBytes ?? MAX_BLOCK_RECEIPT_BYTES;
    const gas = node.options.blockGasLimit;
    const result = executeSequential(content.executor(ctx), node.state, txs, {
      max,
      weight: receiptBytes,
      gas: { max: gas, used: blockGasOf },
    });
    if (result.cut !== undefined) {
      const ran = [...result.receipts, result.cut.receipt];
      const bytes = ran.reduce((sum, r) => sum + receiptBytes(r), 0);
      const used = ran.reduce((sum, r) => sum + blockGasOf(r), 0);
      throw new DevBlockError(
        bytes > max
          ? `its receipts hold ${bytes} bytes of return data and events, more than a block may (${max})`
          : `its transactions use ${used} gas, more than a block may (${gas})`,
      );
    }
    writeSet = result.writeSet;
    receipts = result.receipts;
  }
  const invalid = receipts.findIndex((r) => r.status === "invalid");
  if (invalid >= 0) throw new DevBlockError(receipts[invalid]?.invalidReason ?? "invalid transaction");

  const t0 = performance.now();
  const root = node.tree.update(writeSet);
  const stateRootMs = performance.now() - t0;
  const number = head.number + 1;
  const raws = txs.map((t) => (t.kind === "eth" ? t.raw : (t.raw ?? encodeTx(t.envelope))));
  const txHashes = txs.map((t) => hex(t.kind === "eth" ? keccak256(t.raw) : txHash(t.envelope)));
  const unsigned = receipts.map((r, i) => {
    const json = receiptToJson(r, {
      txHash: txHashes[i] as Hex,
      blockNumber: number,
      blockHash: ZERO_HASH,
      txIndex: i,
    });
    // An Ethereum transaction's sender is kept with it, as the producer keeps it.
    const tx = txs[i];
    if (tx?.kind === "eth") json.from = tx.from;
    return json;
  });
  const fields: Omit<BlockHeader, "hash"> = {
    number,
    parentHash: head.hash,
    time: Number(ctx.time),
    chainId: node.options.chainId.toString(),
    feeRecipient: node.options.feeRecipient,
    stateRoot: hex(root.root),
    txRoot: txRoot(txHashes),
    receiptsRoot: receiptsRoot(unsigned),
    gasUsed: receipts.reduce((sum, r) => sum + blockGasOf(r), 0),
    gasLimit: node.options.blockGasLimit,
    baseFee: (ctx.baseFee ?? 0n).toString(),
    txCount: txs.length,
  };
  const header: BlockHeader = { ...fields, hash: blockHash(fields) };
  const jsonReceipts = unsigned.map((r) => ({ ...r, blockHash: header.hash }));
  const block: StoredBlock = {
    header,
    txHashes,
    execution: {
      mode: "dev",
      workers: 0,
      executions: txs.length,
      validationAborts: 0,
      dependencyWaits: 0,
      executeMs: 0,
      stateRootMs,
    },
  };
  const encoded = encodeBlock({ block, rawTxs: raws, receipts: jsonReceipts, merkleWrites: root.nodeWrites });
  const t1 = performance.now();
  try {
    node.db.stageBlock(encoded);
    node.state.commit(writeSet);
  } catch (error) {
    node.db.discardStaged();
    throw error;
  }
  // Committed: only now does the Merkle update become the tree's.
  node.tree.commit(root);
  const produced: ProducedBlock = {
    block,
    receipts: jsonReceipts,
    dropped: [],
    commitMs: performance.now() - t1,
  };
  node.mempool.removeIncluded(txHashes);
  // An impersonated transaction may have used a nonce a pending one was waiting for.
  node.mempool.dropStale((sender, key) => node.nextSequence(sender as Address, key));
  node.publish(produced);
  return produced;
}

export class DevBlockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DevBlockError";
  }
}
