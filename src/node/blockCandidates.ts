/**
 * Which pool transactions a block is built from: the same rule for a node that makes its
 * own blocks (`producer.ts`, automine included) and a validator's proposal
 * (`validator/chainApplication.ts`).
 *
 * A block's gas limit bounds the gas its transactions USE, not the gas they reserve
 * (issue 12: three transactions with a 1e9 gas limit each, using 814k for a 1-wei
 * transfer, filled every 3e9 block while honest transactions waited, and the base fee
 * stayed at its minimum since blocks used ~0.08% of their gas). So, as Aptos's block gas
 * limit in Block-STM does:
 *   - candidates are selected by price, each flow in nonce order, up to the block's count
 *     and `MAX_BLOCK_TX_BYTES` of encoded transactions: never by their gas limits, which
 *     let six 1e9-limit transactions fill a budget of 2 blocks' limits and keep every
 *     cheaper transaction out while the base fee stayed at 1 (issue 12, attacker finding 2).
 *     No transaction whose limit exceeds the block's gas limit alone (it could never be
 *     sure to fit);
 *   - the block keeps the longest prefix of them whose cumulative gas used fits the block's
 *     gas limit (`buildBlock.ts`, the executors' `ReceiptBudget.gas`); the rest stay in the
 *     pool for the next block, neither dropped nor charged.
 * The work spent on candidates past the cut is bounded by the executors, not by selection:
 * the sequential executor stops at the cut, and the parallel engine's workers commit the
 * prefix as it becomes final and stop there (`engine/parallel/commit.ts`), running past it
 * only what they had started (at most about one transaction's gas limit per worker).
 * The header's `gasUsed` is that prefix's, and the base fee follows it (`baseFee.ts`).
 */
import type { PendingTx } from "./admission.js";
import { spreadBySender } from "./blockOrder.js";
import type { Mempool, NextSequence, PoolTx } from "./mempool/index.js";
import { pendingPaysBaseFee } from "./pendingTx.js";

/**
 * Most bytes of encoded transactions a block holds: a validator's proposal carries them in
 * one consensus message of at most 4 MiB (`net/topics.ts`), with its header fields, the
 * parent's certificate and evidence besides.
 */
export const MAX_BLOCK_TX_BYTES = 3 * 1024 * 1024;

export interface CandidateBounds {
  blockGasLimit: number;
  maxBlockTxs: number;
  baseFee: bigint;
}

/** A block's candidates, in the order they run (each sender's spread apart, `blockOrder.ts`). */
export function selectCandidates(
  mempool: Mempool<PendingTx>,
  nextSequence: NextSequence,
  bounds: CandidateBounds,
): PoolTx<PendingTx>[] {
  const { blockGasLimit, baseFee } = bounds;
  return spreadBySender(
    mempool.ready(nextSequence, {
      maxCount: bounds.maxBlockTxs,
      maxBytes: MAX_BLOCK_TX_BYTES,
      // Only those whose maxFee covers the base fee, and whose limit fits a block alone
      // (the others wait in the pool).
      eligible: (p) => p.gasLimit <= blockGasLimit && pendingPaysBaseFee(p.tx, baseFee),
    }),
    (p) => p.sender,
  );
}

/**
 * Why a proposed block's transactions break the bounds the candidates of any honest proposer
 * keep (each gas limit within the block's, at most the block's count and
 * `MAX_BLOCK_TX_BYTES`), or undefined. A validator checks it before executing anything; its
 * execution then stops at the block's cut like a proposer's (the proposal is refused if it
 * is cut), so re-executing a proposal costs what building one does: the gas of at most a
 * block and one transaction, plus what parallel workers had started past the cut (issue
 * 12: a proposer sending 160 transactions of 2.5e8 gas held every validator ~9 s, past its
 * consensus timeouts, while the parallel engine ran them all before the cut refused it).
 */
export function proposalProblem(
  txs: ReadonlyArray<{ gasLimit: number; size: number }>,
  bounds: Omit<CandidateBounds, "baseFee">,
): string | undefined {
  const { blockGasLimit, maxBlockTxs } = bounds;
  if (txs.length > maxBlockTxs)
    return `it holds ${txs.length} transactions, above the block's ${maxBlockTxs}`;
  let bytes = 0;
  for (const [i, tx] of txs.entries()) {
    if (tx.gasLimit > blockGasLimit)
      return `transaction ${i}'s gas limit ${tx.gasLimit} is above the block's ${blockGasLimit}`;
    bytes += tx.size;
  }
  if (bytes > MAX_BLOCK_TX_BYTES)
    return `its transactions take ${bytes} bytes, above a block's ${MAX_BLOCK_TX_BYTES}`;
  return undefined;
}
