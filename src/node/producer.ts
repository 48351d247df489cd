/**
 * Producing one block: take the ready transactions from the pool (by fee, in nonce order,
 * up to the block's gas limit and size), spread each sender's apart (`blockOrder.ts`),
 * execute them with the engine, update the Merkle
 * root over the block's write set, and commit block, receipts, indexes, Merkle nodes and
 * state in one LMDB transaction. Transactions that turn out invalid at execution (their
 * account's state changed since admission) leave no effect; they are dropped from the
 * pool and not recorded in the block.
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { Receipt } from "../chain/receipt.js";
import type { Transaction } from "../chain/transaction.js";
import type { Address } from "../codec/address.js";
import type { BlockResult } from "../engine/types.js";
import { nonceKey } from "../state/keys.js";
import type { MerkleTree } from "../state/merkle/index.js";
import type { Storage } from "../state/storage.js";
import type { PendingTx } from "./admission.js";
import { nextBaseFee } from "./baseFee.js";
import { spreadBySender } from "./blockOrder.js";
import type { Mempool, PoolTx } from "./mempool/index.js";
import type { ChainDb } from "./store/chainDb.js";
import {
  type BlockExecutionStats,
  type BlockHeader,
  blockHash,
  type Hex,
  hex,
  type ReceiptJson,
  receiptsRoot,
  receiptToJson,
  type StoredBlock,
  txRoot,
  ZERO_HASH,
} from "./store/records.js";

export interface BlockExecutor {
  executeBlock(pre: Storage, txs: readonly Transaction[], ctx: BlockContext): Promise<BlockResult<Receipt>>;
  /** How the last block ran (mode, executions, aborts...), if the executor knows. */
  stats(): Omit<BlockExecutionStats, "executeMs" | "stateRootMs" | "commitMs"> | undefined;
}

export interface ProducerDeps {
  db: ChainDb;
  /** The state to execute over and commit through (the engine's attached store). */
  state: Storage;
  tree: MerkleTree;
  mempool: Mempool<PendingTx>;
  executor: BlockExecutor;
  chainId: bigint;
  feeRecipient: Address;
  minBaseFee: bigint;
  blockGasLimit: number;
  maxBlockTxs: number;
}

export interface ProducedBlock {
  block: StoredBlock;
  receipts: ReceiptJson[];
  /** Transactions dropped because they were invalid at execution, with the reason. */
  dropped: Array<{ hash: string; reason: string }>;
  /** Time of the one-transaction LMDB commit (not in the stored record: known only after it). */
  commitMs: number;
}

/** The chain's next nonce sequence of (sender, key). */
export function readSequence(state: Storage, sender: string, key: bigint): bigint {
  const raw = state.get(nonceKey(sender as Address, key));
  return raw === undefined ? 0n : new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
}

/** The context of the block after `head`: its time never goes backwards; its base fee follows `head`'s gas use. */
export function nextBlockContext(
  head: BlockHeader,
  chainId: bigint,
  feeRecipient: Address,
  minBaseFee: bigint,
  nowMs = Date.now(),
): BlockContext {
  const time = Math.max(Math.floor(nowMs / 1000), head.time);
  const parent = {
    baseFee: BigInt(head.baseFee ?? minBaseFee),
    gasUsed: head.gasUsed,
    gasLimit: head.gasLimit,
  };
  return {
    height: BigInt(head.number + 1),
    time: BigInt(time),
    chainId,
    feeRecipient,
    baseFee: nextBaseFee(parent, minBaseFee),
  };
}

/** Builds, executes and commits the next block; undefined when no transaction is ready. */
export async function produceBlock(
  deps: ProducerDeps,
  nowMs = Date.now(),
): Promise<ProducedBlock | undefined> {
  const head = deps.db.head();
  if (head === undefined) throw new Error("no genesis block: the chain database is empty");
  const nextSequence = (sender: string, key: bigint) => readSequence(deps.state, sender, key);
  // Selected by price; run with each sender's transactions spread apart (blockOrder.ts).
  const ready: PoolTx<PendingTx>[] = spreadBySender(
    deps.mempool.ready(nextSequence, { maxGas: deps.blockGasLimit, maxCount: deps.maxBlockTxs }),
    (p) => p.sender,
  );
  if (ready.length === 0) return undefined;
  const ctx: BlockContext = {
    ...nextBlockContext(head, deps.chainId, deps.feeRecipient, deps.minBaseFee, nowMs),
    // Signatures admission verified are not verified again (vm/verifiedSignatures.ts).
    preverified: new Set(ready.flatMap((p) => p.tx.verified ?? [])),
  };
  const txs: Transaction[] = ready.map((p) => ({ kind: "account", envelope: p.tx.envelope, raw: p.tx.raw }));

  const t0 = performance.now();
  const result = await deps.executor.executeBlock(deps.state, txs, ctx);
  const t1 = performance.now();
  const root = deps.tree.update(result.writeSet);
  const t2 = performance.now();

  const included: PoolTx<PendingTx>[] = [];
  const receipts: Receipt[] = [];
  const dropped: ProducedBlock["dropped"] = [];
  result.receipts.forEach((r, i) => {
    const p = ready[i] as PoolTx<PendingTx>;
    if (r.status === "invalid") dropped.push({ hash: p.hash, reason: r.invalidReason ?? "invalid" });
    else {
      included.push(p);
      receipts.push(r);
    }
  });
  const number = head.number + 1;
  const txHashes = included.map((p) => p.tx.hash);
  // Receipts before the block hash exists (the receipts root excludes it), then with it.
  const unsigned = receipts.map((r, i) =>
    receiptToJson(r, { txHash: txHashes[i] as Hex, blockNumber: number, blockHash: ZERO_HASH, txIndex: i }),
  );
  const headerFields: Omit<BlockHeader, "hash"> = {
    number,
    parentHash: head.hash,
    time: Number(ctx.time),
    chainId: deps.chainId.toString(),
    feeRecipient: deps.feeRecipient,
    stateRoot: hex(root.root),
    txRoot: txRoot(txHashes),
    receiptsRoot: receiptsRoot(unsigned),
    gasUsed: receipts.reduce((sum, r) => sum + r.gasUsed, 0),
    gasLimit: deps.blockGasLimit,
    baseFee: (ctx.baseFee ?? 0n).toString(),
    txCount: included.length,
  };
  const header: BlockHeader = { ...headerFields, hash: blockHash(headerFields) };
  const jsonReceipts = unsigned.map((r) => ({ ...r, blockHash: header.hash }));
  const stats = deps.executor.stats();
  const block: StoredBlock = {
    header,
    txHashes,
    execution: {
      ...(stats ?? {
        mode: "sequential",
        workers: 1,
        executions: txs.length,
        validationAborts: 0,
        dependencyWaits: 0,
      }),
      executeMs: t1 - t0,
      stateRootMs: t2 - t1,
    },
  };
  deps.db.stageBlock({
    block,
    rawTxs: included.map((p) => p.tx.raw),
    receipts: jsonReceipts,
    merkleWrites: root.nodeWrites,
  });
  const t3 = performance.now();
  deps.state.commit(result.writeSet);
  deps.tree.markCommitted();
  const commitMs = performance.now() - t3;
  deps.mempool.removeIncluded([...txHashes, ...dropped.map((d) => d.hash)]);
  deps.mempool.dropStale(nextSequence);
  return { block, receipts: jsonReceipts, dropped, commitMs };
}
