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
 *     and a sum of gas limits of `CANDIDATE_GAS_BLOCKS` blocks (a bound on the speculative
 *     work of a block whose candidates use all they reserve: the executors stop at the cut,
 *     the parallel engine may have run the rest); no transaction whose limit exceeds the
 *     block's gas limit alone (it could never be sure to fit);
 *   - the block keeps the longest prefix of them whose cumulative gas used fits the block's
 *     gas limit (`buildBlock.ts`, the executors' `ReceiptBudget.gas`); the rest stay in the
 *     pool for the next block, neither dropped nor charged.
 * The header's `gasUsed` is that prefix's, and the base fee follows it (`baseFee.ts`).
 */
import type { PendingTx } from "./admission.js";
import { spreadBySender } from "./blockOrder.js";
import type { Mempool, NextSequence, PoolTx } from "./mempool/index.js";
import { pendingPaysBaseFee } from "./pendingTx.js";

/**
 * Candidates may reserve (sum of gas limits) up to this many blocks' gas: with the block cut
 * at its gas used, reserved gas only bounds the work done on candidates that will not fit.
 */
export const CANDIDATE_GAS_BLOCKS = 2;

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
      maxGas: blockGasLimit * CANDIDATE_GAS_BLOCKS,
      maxCount: bounds.maxBlockTxs,
      // Only those whose maxFee covers the base fee, and whose limit fits a block alone
      // (the others wait in the pool).
      eligible: (p) => p.gasLimit <= blockGasLimit && pendingPaysBaseFee(p.tx, baseFee),
    }),
    (p) => p.sender,
  );
}

/**
 * Why a proposed block's transactions break the bounds the candidates of any honest proposer
 * keep (each gas limit within the block's, their sum within `CANDIDATE_GAS_BLOCKS` blocks),
 * or undefined. A validator checks it before executing anything: re-executing a proposal is
 * bounded by the same gas as building one (issue 12: a proposer sending 160 transactions of
 * 2.5e8 gas held every validator ~9 s, past its consensus timeouts, before the cut refused it).
 */
export function proposalGasProblem(gasLimits: readonly number[], blockGasLimit: number): string | undefined {
  let sum = 0;
  for (const [i, limit] of gasLimits.entries()) {
    if (limit > blockGasLimit)
      return `transaction ${i}'s gas limit ${limit} is above the block's ${blockGasLimit}`;
    sum += limit;
  }
  const most = blockGasLimit * CANDIDATE_GAS_BLOCKS;
  if (sum > most)
    return `its transactions' gas limits add up to ${sum}, above ${CANDIDATE_GAS_BLOCKS} blocks' gas (${most})`;
  return undefined;
}
