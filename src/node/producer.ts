/**
 * Producing one block: take the candidates from the pool (`blockCandidates.ts`: by fee, in
 * nonce order, each sender's spread apart), build the block (`buildBlock.ts`: execute, keep
 * the prefix within the block's gas limit on gas used and its receipt bound, stage the Merkle update,
 * build and encode the records), then commit block, receipts, indexes, Merkle nodes and
 * state in one LMDB transaction, and only then make the Merkle update the tree's.
 * Transactions that turn out invalid at execution (their account's state changed since
 * admission) leave no effect; they are dropped from the pool and not recorded in the block.
 *
 * If anything fails before the commit took effect, nothing has changed (not the database,
 * not the tree, not the pool): the transaction at fault is looked for (`blockFault.ts`),
 * dropped from the pool if found, and a `BlockProductionError` says what happened; the
 * next attempt builds without it.
 */
import type { BlockContext } from "../chain/blockContext.js";
import { type InvalidParty, invalidParty } from "../chain/invalidCode.js";
import type { Address } from "../codec/address.js";
import { nonceKey } from "../state/keys.js";
import type { StateReader } from "../state/storage.js";
import type { PendingTx } from "./admission.js";
import { nextBaseFee } from "./baseFee.js";
import { selectCandidates } from "./blockCandidates.js";
import {
  BlockProductionError,
  describe as describeError,
  type FaultDeps,
  findCulprit,
  stageAndCommit,
} from "./blockFault.js";
import {
  type BuildDeps,
  type BuiltBlock,
  buildBlock,
  cpuMsSince,
  type DroppedTx,
  type ProductionStage,
} from "./buildBlock.js";
import type { Mempool, PoolTx } from "./mempool/index.js";
import { pendingPaymaster } from "./pendingTx.js";
import { type BlockSource, recentBlockHashes } from "./recentHashes.js";
import type { SenderReputation } from "./reputation.js";
import type { BlockHeader, ReceiptJson, StoredBlock } from "./store/records.js";
import { storeErrorIn } from "./store/storeError.js";

export { BlockProductionError } from "./blockFault.js";
export {
  type BlockExecutor,
  type DroppedTx,
  type FaultHook,
  MAX_BLOCK_RECEIPT_BYTES,
  type ProductionStage,
} from "./buildBlock.js";

export interface ProducerDeps extends FaultDeps {
  mempool: Mempool<PendingTx>;
  /** Charged for transactions dropped as invalid at execution, to whoever is at fault (`charge`). */
  reputation?: SenderReputation;
  minBaseFee: bigint;
  maxBlockTxs: number;
}

export interface ProducedBlock {
  block: StoredBlock;
  receipts: ReceiptJson[];
  /** Transactions dropped because they were invalid at execution (or alone over the receipt bound), with the reason. */
  dropped: DroppedTx[];
  /** Time of the one-transaction LMDB commit, to committed and flushed (not in the stored record: known only after it). */
  commitMs: number;
  /** Of `commitMs`, the main thread's part before the writes went to LMDB's write thread (gathering and issuing them). */
  commitIssueMs?: number;
  /**
   * The process's CPU time (all threads) while executing, computing the state root, and
   * committing (until flushed), ms: for benchmarks (`bench/budget.ts`).
   */
  cpuMs?: { execute: number; stateRoot: number; commit: number };
  /** Set when something failed after the block's LMDB commit took effect (the block stands; logged). */
  afterCommitError?: string;
}

/** The chain's next nonce sequence of (sender, key). */
export function readSequence(state: StateReader, sender: string, key: bigint): bigint {
  const raw = state.get(nonceKey(sender as Address, key));
  return raw === undefined ? 0n : new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
}

/**
 * The context of the block after `head`: its time never goes backwards; its base fee
 * follows `head`'s gas use; its recent hashes (BLOCKHASH) are `head`'s and its ancestors'
 * from `blocks`; its gas limit is `head`'s.
 */
export function nextBlockContext(
  head: BlockHeader,
  blocks: BlockSource,
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
    recentHashes: recentBlockHashes(blocks, head),
    gasLimit: BigInt(head.gasLimit),
  };
}

/**
 * Builds, executes and commits the next block; undefined when no transaction is ready.
 * Throws `BlockProductionError` (having changed nothing but dropping the transaction at
 * fault, if one is) when the block cannot be produced.
 */
export async function produceBlock(
  deps: ProducerDeps,
  nowMs = Date.now(),
): Promise<ProducedBlock | undefined> {
  const head = deps.db.head();
  if (head === undefined) throw new Error("no genesis block: the chain database is empty");
  const nextSequence = (sender: string, key: bigint) => readSequence(deps.state, sender, key);
  const base = nextBlockContext(head, deps.db, deps.chainId, deps.feeRecipient, deps.minBaseFee, nowMs);
  const baseFee = base.baseFee ?? 0n;
  // The candidates (blockCandidates.ts); the block keeps those that fit its gas used.
  const ready: PoolTx<PendingTx>[] = selectCandidates(deps.mempool, nextSequence, {
    blockGasLimit: deps.blockGasLimit,
    maxBlockTxs: deps.maxBlockTxs,
    baseFee,
  });
  if (ready.length === 0) return undefined;
  const ctx: BlockContext = {
    ...base,
    // Signatures admission verified are not verified again (vm/verifiedSignatures.ts).
    preverified: new Set(ready.flatMap((p) => p.tx.verified ?? [])),
  };

  let stage: ProductionStage = "execute";
  const tracked: ProducerDeps = {
    ...deps,
    faults: (reached, hashes) => {
      stage = reached;
      deps.faults?.(reached, hashes);
    },
  };
  let commitMs = 0;
  let commitIssueMs = 0;
  let commitCpuMs = 0;
  let built: BuiltBlock | undefined;
  let afterCommitError: string | undefined;
  try {
    built = await buildBlock(tracked, head, ready, ctx);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // The call returns once the block's writes are issued to LMDB's write thread (or, with a
    // store that cannot, once committed): the main thread's share of the commit.
    const committing = stageAndCommit(tracked, built);
    commitIssueMs = performance.now() - t0;
    await committing;
    commitMs = performance.now() - t0;
    commitCpuMs = cpuMsSince(cpu0);
  } catch (error) {
    if (built !== undefined && deps.db.head()?.hash === built.block.header.hash) {
      // The LMDB commit took effect and what followed it failed: the block exists.
      afterCommitError = `after the commit: ${describeError(error)}`;
    } else {
      // A failure of the store itself is no transaction's: nothing to look for (the trials would fail too).
      const culprit =
        storeErrorIn(error) === undefined ? await findCulprit(deps, head, ready, ctx) : undefined;
      const dropped: DroppedTx | undefined =
        culprit === undefined
          ? undefined
          : {
              hash: culprit.tx.hash,
              sender: culprit.tx.sender,
              cause: "fault",
              reason: `block production failed at ${stage}: ${describeError(culprit.error)}`,
            };
      if (dropped !== undefined) deps.mempool.removeIncluded([dropped.hash]);
      throw new BlockProductionError(head.number + 1, stage, dropped, error);
    }
  }
  // Committed: from here on the block exists, so its Merkle update becomes the tree's.
  deps.tree.commit(built.merkle);
  deps.mempool.removeIncluded([...built.block.txHashes, ...built.dropped.map((d) => d.hash)]);
  deps.mempool.dropStale(nextSequence);
  if (deps.reputation !== undefined) charge(deps.reputation, deps.mempool, built);
  const produced: ProducedBlock = {
    block: built.block,
    receipts: built.receipts,
    dropped: built.dropped,
    commitMs,
    commitIssueMs,
    cpuMs: { ...built.cpuMs, commit: commitCpuMs },
  };
  if (afterCommitError !== undefined) produced.afterCommitError = afterCommitError;
  return produced;
}

export type { BuildDeps };

/**
 * Whoever is at fault for a transaction invalid at execution loses reputation, by the code
 * of the check that failed (`INVALID_PARTY`), never by its message: its sender for its own
 * fields, balance, nonce or account's validation; its paymaster when that is not a
 * contract, cannot pay or refuses; nobody for the block's base fee (selection leaves such
 * transactions in the pool anyway). The sender of one whose receipt alone is over
 * the block's bound (`bound`) is charged too; a transaction found at `fault` is not (the
 * failure may be the node's). One that becomes banned has the pending
 * transactions it sends or sponsors dropped.
 */
function charge(reputation: SenderReputation, mempool: Mempool<PendingTx>, built: BuiltBlock): void {
  // Wall-clock time (the reputation's default), not the block's, which dev mode can move.
  const banned = new Set<string>();
  for (const d of built.dropped) {
    let party: InvalidParty | undefined;
    if (d.cause === "invalid") party = d.code === undefined ? undefined : invalidParty(d.code);
    else if (d.cause === "bound") party = "sender";
    const blamed = party === "sender" ? d.sender : party === "paymaster" ? d.paymaster : undefined;
    if (blamed !== undefined && reputation.invalid(blamed) === "banned") banned.add(blamed.toLowerCase());
  }
  if (banned.size > 0)
    mempool.removeIncluded(
      mempool
        .pending()
        .filter((p) => banned.has(p.sender.toLowerCase()) || banned.has(pendingPaymaster(p.tx) ?? ""))
        .map((p) => p.hash),
    );
}
