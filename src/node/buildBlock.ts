/**
 * Building one block, without committing anything: execute the candidates with the engine,
 * keep the longest prefix within the block's gas limit (on gas used, `blockCandidates.ts`)
 * and its receipts' byte bound, compute the new state root as a staged
 * Merkle update (the tree does not change), then build and encode every record (receipts,
 * header, the LMDB values). A throw at any point leaves no trace anywhere: the producer
 * (`producer.ts`) commits a built block, or finds the transaction that made building fail
 * (`blockFault.ts`).
 *
 * The gas bound. The header's gasLimit bounds the gas the block's transactions use: the
 * executors cut the block before the first transaction whose gas used takes the total past
 * it (the same `ReceiptBudget`, its `gas`), from the one execution; it and those after it
 * wait in the pool for the next block. The cut depends only on the ordered transactions and
 * the state, so a validator re-executing a proposal reaches the same one: a proposal is
 * the kept prefix, and a validator refuses one that its execution cuts.
 *
 * The receipt bound. Everything a block's receipts carry (return data, events) is stored,
 * indexed and served, so a block may hold at most `maxBlockReceiptBytes` of it
 * (`receiptBytes`). The engine applies it (a `ReceiptBudget`, `engine/types.ts`): if the
 * receipts up to transaction i cross the bound, the block is the transactions before i,
 * with the receipts and write set of just them, taken from the one execution (nothing is
 * executed again). Transaction i and those after it wait for a later block, except that i
 * is dropped (and its sender charged, `producer.ts`) if its receipt alone is over the
 * bound: it could never fit. A deferred transaction is thus executed once per block it is
 * a candidate of. The VM's per-transaction caps keep a receipt within `MAX_RECEIPT_BYTES`
 * (about 340 KiB), below the smallest bound the configuration accepts, so only a node
 * given a smaller bound in code drops any; a cut at the default 16 MiB takes some 50
 * transactions of maximal events, all paying their fees.
 *
 * Turns between stages. Building runs on the node's main thread, which also answers RPC and
 * consensus messages: between the stages (the end-of-block step, the Merkle update, the
 * receipts and header, the encoding) it waits for the next turn of the event loop
 * (`nextTurn`), and inside the Merkle update between its top subtrees once a slice of
 * `DEFAULT_SLICE_MS` has passed (`MerkleTree.updateInSlices`), so that what waits is answered between stages instead of after the whole
 * block (a block of 500 transfers held a validator's thread 10 s at load ~45). Nothing is
 * committed while it waits: the node runs block work one block at a time (`ChainNode`'s
 * `exclusive` and production chain), the tree changes only at `MerkleTree.commit`, and the
 * commit itself (`producer.ts`, `validator/chainApplication.ts`) stays one synchronous
 * stretch: LMDB transaction, then the tree, then the pool.
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { InvalidCode } from "../chain/invalidCode.js";
import { blockGasOf, type Receipt } from "../chain/receipt.js";
import {
  applyEndBlock,
  type EndBlockInput,
  type NetworkConfig,
  type SystemCall,
} from "../chain/staking/endBlock.js";
import type { Transaction } from "../chain/transaction.js";
import type { Address } from "../codec/address.js";
import { DEFAULT_SLICE_MS, nextTurn, slicePause } from "../engine/nextTurn.js";
import type { BlockResult, ReceiptBudget } from "../engine/types.js";
import type { MerkleTree, MerkleUpdate } from "../state/merkle/index.js";
import type { Storage, WriteSet } from "../state/storage.js";
import type { Vm } from "../vm/vm.js";
import type { PendingTx } from "./admission.js";
import type { PoolTx } from "./mempool/index.js";
import { pendingParties, pendingPaymaster, pendingTransaction } from "./pendingTx.js";
import { type EncodedBlock, encodeBlockInSlices } from "./store/encodeBlock.js";
import { endBlockKey, systemCallsJson } from "./store/endBlockRecord.js";
import {
  type BlockExecutionStats,
  type BlockHeader,
  blockHash,
  type Hex,
  hex,
  type ReceiptJson,
  receiptBytes,
  receiptsRootOf,
  receiptToJson,
  type StoredBlock,
  txRoot,
} from "./store/records.js";

/** Default bound on a block's receipt bytes (return data and events): 16 MiB. */
export const MAX_BLOCK_RECEIPT_BYTES = 16 * 1024 * 1024;

/** The stages of producing a block, in order (where a fault can be injected or found). */
export type ProductionStage =
  | "execute"
  | "stateRoot"
  | "records"
  | "stage"
  | "commit"
  /** After the LMDB commit took effect (the commit's forwarding to the engine's workers, say). */
  | "afterCommit"
  | "notify";

/**
 * A test hook, passed in as an option: called as production reaches each stage, with the
 * hashes of the block's transactions; a throw is a failure at that stage.
 */
export type FaultHook = (stage: ProductionStage, txHashes: readonly string[]) => void;

export interface BlockExecutor {
  executeBlock(
    pre: Storage,
    txs: readonly Transaction[],
    ctx: BlockContext,
    budget: ReceiptBudget<Receipt>,
  ): Promise<BlockResult<Receipt>>;
  /** How the last block ran (mode, executions, aborts...), if the executor knows. */
  stats(): Omit<BlockExecutionStats, "executeMs" | "stateRootMs" | "commitMs"> | undefined;
}

/**
 * On a validator network: the end-of-block staking step (src/chain/staking/endBlock.ts),
 * run after the transactions and before the state root, with what consensus says of the
 * block (proposer, the certificate it carries, verified evidence).
 */
export interface NetworkStep {
  vm: Vm;
  config: NetworkConfig;
  input(height: number): EndBlockInput;
}

export interface BuildDeps {
  /** The state to execute over (the engine's attached store). */
  state: Storage;
  tree: MerkleTree;
  executor: BlockExecutor;
  chainId: bigint;
  feeRecipient: Address;
  blockGasLimit: number;
  maxBlockReceiptBytes: number;
  faults?: FaultHook;
  network?: NetworkStep;
}

/** A transaction left out of the block and dropped from the pool, with the reason. */
export interface DroppedTx {
  hash: string;
  /** The account that sent it. */
  sender: string;
  /** The paymaster that sponsors it, if one does. */
  paymaster?: string;
  /**
   * `invalid`: invalid at execution; `bound`: its receipt alone is over the block's bound
   * (its sender is charged in reputation); `fault`: it made the block fail (nobody is
   * charged: the failure may be the node's own).
   */
  cause: "invalid" | "bound" | "fault";
  /** With `invalid`: the check that failed, which says who is at fault (`INVALID_PARTY`). */
  code?: InvalidCode;
  reason: string;
}

/** A block ready to commit: nothing of it is written yet. */
export interface BuiltBlock {
  block: StoredBlock;
  receipts: ReceiptJson[];
  included: PoolTx<PendingTx>[];
  /** Invalid at execution, or alone over the receipt bound: dropped from the pool. */
  dropped: DroppedTx[];
  /**
   * Candidates past the cut (the block's gas used or receipt bound), the one at the cut
   * included: not in the block; they stay in the pool unless `dropped` names the first.
   */
  deferred: number;
  writeSet: WriteSet;
  merkle: MerkleUpdate;
  encoded: EncodedBlock;
  /** The end-of-block system calls, on a validator network (empty otherwise). */
  systemCalls: SystemCall[];
  /**
   * The process's CPU time (every thread: `process.cpuUsage`) while executing and while
   * computing the state root, ms: for benchmarks (`bench/budget.ts`); not stored.
   */
  cpuMs: { execute: number; stateRoot: number };
}

/** The process's CPU time since `from`, ms. */
export function cpuMsSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

/** Executes `candidates` (in this order) on top of `head` and builds the block; commits nothing. */
export async function buildBlock(
  deps: BuildDeps,
  head: BlockHeader,
  candidates: readonly PoolTx<PendingTx>[],
  ctx: BlockContext,
): Promise<BuiltBlock> {
  const dropped: DroppedTx[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  deps.faults?.(
    "execute",
    candidates.map((p) => p.hash),
  );
  const txs: Transaction[] = candidates.map((p) => pendingTransaction(p.tx));
  const max = deps.maxBlockReceiptBytes;
  const gas = deps.blockGasLimit;
  const result = await deps.executor.executeBlock(deps.state, txs, ctx, {
    max,
    weight: receiptBytes,
    gas: { max: gas, used: blockGasOf },
  });
  let run = candidates;
  let deferred = 0;
  if (result.cut !== undefined) {
    run = candidates.slice(0, result.cut.at);
    deferred = candidates.length - result.cut.at;
    const bytes = receiptBytes(result.cut.receipt);
    const used = blockGasOf(result.cut.receipt);
    // One whose receipt alone is over a bound can never fit: dropped, not deferred, or
    // every later block would execute it again. (Selection takes no transaction whose gas
    // limit exceeds the block's, so only a proposal from elsewhere can hold one over gas.)
    const p = candidates[result.cut.at] as PoolTx<PendingTx>;
    if (bytes > max) {
      const reason = `its receipt holds ${bytes} bytes of return data and events, more than a whole block may (${max})`;
      dropped.push({ hash: p.hash, sender: p.sender, cause: "bound", reason });
    } else if (used > gas) {
      const reason = `it used ${used} gas, more than a whole block may (${gas})`;
      dropped.push({ hash: p.hash, sender: p.sender, cause: "bound", reason });
    }
  }
  const t1 = performance.now();
  const executeCpu = cpuMsSince(cpu0);
  const cpu1 = process.cpuUsage();

  const included: PoolTx<PendingTx>[] = [];
  const receipts: Receipt[] = [];
  result.receipts.forEach((r, i) => {
    const p = run[i] as PoolTx<PendingTx>;
    if (r.status === "invalid") {
      const paymaster = pendingPaymaster(p.tx);
      dropped.push({
        hash: p.hash,
        sender: p.sender,
        ...(paymaster === undefined ? {} : { paymaster }),
        cause: "invalid",
        ...(r.invalidCode === undefined ? {} : { code: r.invalidCode }),
        reason: r.invalidReason ?? "invalid",
      });
    } else {
      included.push(p);
      receipts.push(r);
    }
  });
  const txHashes = included.map((p) => p.tx.hash);
  deps.faults?.("stateRoot", txHashes);
  let writeSet = result.writeSet;
  let systemCalls: SystemCall[] = [];
  if (deps.network !== undefined) {
    const step = deps.network;
    const end = applyEndBlock(step.vm, ctx, deps.state, writeSet, step.config, step.input(head.number + 1));
    writeSet = end.writeSet;
    systemCalls = end.calls;
    await nextTurn();
  }
  const merkle = await deps.tree.updateInSlices(writeSet, slicePause(DEFAULT_SLICE_MS));
  const t2 = performance.now();
  const stateRootCpu = cpuMsSince(cpu1);
  await nextTurn();

  deps.faults?.("records", txHashes);
  const number = head.number + 1;
  // The receipts root is hashed from the receipts themselves (it excludes the block hash);
  // their JSON is built once the block hash exists.
  const headerFields: Omit<BlockHeader, "hash"> = {
    number,
    parentHash: head.hash,
    time: Number(ctx.time),
    chainId: deps.chainId.toString(),
    feeRecipient: deps.feeRecipient,
    stateRoot: hex(merkle.root),
    txRoot: txRoot(txHashes),
    receiptsRoot: receiptsRootOf(receipts, txHashes),
    gasUsed: receipts.reduce((sum, r) => sum + blockGasOf(r), 0),
    gasLimit: deps.blockGasLimit,
    baseFee: (ctx.baseFee ?? 0n).toString(),
    txCount: included.length,
  };
  const header: BlockHeader = { ...headerFields, hash: blockHash(headerFields) };
  const jsonReceipts = receipts.map((r, i) => {
    const json = receiptToJson(r, {
      txHash: txHashes[i] as Hex,
      blockNumber: number,
      blockHash: header.hash,
      txIndex: i,
    });
    // An Ethereum transaction's recovered sender is kept with it: reads never recover again.
    const eth = (included[i] as PoolTx<PendingTx>).tx.eth;
    if (eth !== undefined) json.from = eth.from;
    return json;
  });
  await nextTurn();
  const stats = deps.executor.stats();
  const block: StoredBlock = {
    header,
    txHashes,
    execution: {
      ...(stats ?? {
        mode: "sequential",
        workers: 1,
        executions: result.cut === undefined ? candidates.length : result.cut.at + 1,
        validationAborts: 0,
        dependencyWaits: 0,
      }),
      executeMs: t1 - t0,
      stateRootMs: t2 - t1,
    },
  };
  const encoded = await encodeBlockInSlices(
    {
      block,
      rawTxs: included.map((p) => p.tx.raw),
      parties: included.map((p, i) => pendingParties(p.tx, jsonReceipts[i]?.contractAddress)),
      receipts: jsonReceipts,
      merkleWrites: merkle.nodeWrites,
      beforeCommit: () => deps.faults?.("commit", txHashes),
      ...(deps.network === undefined
        ? {}
        : { meta: { [endBlockKey(number)]: systemCallsJson(systemCalls) } }),
    },
    slicePause(DEFAULT_SLICE_MS),
  );
  await nextTurn();
  return {
    block,
    receipts: jsonReceipts,
    included,
    dropped,
    deferred,
    writeSet,
    merkle,
    encoded,
    systemCalls,
    cpuMs: { execute: executeCpu, stateRoot: stateRootCpu },
  };
}
