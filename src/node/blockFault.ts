/**
 * When a block fails to build or commit, finding the transaction at fault.
 *
 * A failed attempt has changed nothing (the Merkle update is staged, the records are
 * encoded before the LMDB transaction, a failed transaction aborts, a staged block is
 * discarded), so the producer can try again with fewer transactions. A trial ("dry run")
 * goes through every stage of production, the LMDB transaction included, and aborts that
 * transaction at its very end, so it writes nothing. Then:
 * 1. if the whole block passes a trial, the failure did not come from its contents (a disk
 *    error, say): nothing is dropped, and the next attempt retries;
 * 2. if the empty block fails too, no transaction is at fault either;
 * 3. otherwise the failing block is bisected by prefixes: with prefix [0, lo) passing and
 *    [0, hi) failing, try the middle, until hi = lo + 1. Transaction hi - 1 makes a block
 *    that builds fail: it is the one at fault, and is dropped from the pool with the error.
 * Prefixes, not subsets, because a transaction's outcome depends on those before it. This
 * costs about log2(n) + 2 trials, only when a block fails.
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { PendingTx } from "./admission.js";
import {
  type BuildDeps,
  type BuiltBlock,
  buildBlock,
  type DroppedTx,
  type ProductionStage,
} from "./buildBlock.js";
import type { PoolTx } from "./mempool/index.js";
import type { ChainDb } from "./store/chainDb.js";
import type { BlockHeader } from "./store/records.js";
import { storeErrorIn } from "./store/storeError.js";

export interface FaultDeps extends BuildDeps {
  db: ChainDb;
}

/** Thrown by `produceBlock` when a block could not be produced; the chain is unchanged. */
export class BlockProductionError extends Error {
  readonly code = "BLOCK_FAILED" as const;
  constructor(
    /** The number the block would have had. */
    readonly number: number,
    /** The stage that failed. */
    readonly stage: ProductionStage,
    /** The transaction found at fault and dropped from the pool, if one was. */
    readonly culprit: DroppedTx | undefined,
    cause: unknown,
  ) {
    super(
      `block ${number} failed at ${stage}: ${describe(cause)}; ${
        culprit === undefined
          ? "no transaction is at fault (the block builds when tried again without committing): retrying"
          : `dropped transaction ${culprit.hash}, at fault`
      }`,
      { cause },
    );
    this.name = "BlockProductionError";
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Stages and commits a built block in one LMDB transaction; on failure the staged block is
 * discarded. The transaction is written on lmdb-js's write thread when the state store can
 * (`Storage.commitAsync`), the main thread free meanwhile; this resolves only once the block
 * is committed and flushed to the disk (`ChainDb.flushed`), so that nothing acknowledges,
 * announces or votes on a block the disk does not hold.
 */
export async function stageAndCommit(deps: FaultDeps, built: BuiltBlock): Promise<void> {
  if (deps.state.commitAsync === undefined) {
    stageAndCommitSync(deps, built);
    return;
  }
  try {
    deps.faults?.("stage", built.block.txHashes);
    deps.db.stageBlock(built.encoded);
    await deps.state.commitAsync(built.writeSet);
  } catch (error) {
    deps.db.discardStaged();
    throw error;
  }
  await deps.db.flushed();
  deps.faults?.("afterCommit", built.block.txHashes);
}

/** `stageAndCommit` on this thread, in one synchronous stretch (trial blocks, whose transaction is aborted). */
export function stageAndCommitSync(deps: FaultDeps, built: BuiltBlock): void {
  try {
    deps.faults?.("stage", built.block.txHashes);
    deps.db.stageBlock(built.encoded);
    deps.state.commit(built.writeSet);
    deps.faults?.("afterCommit", built.block.txHashes);
  } catch (error) {
    deps.db.discardStaged();
    throw error;
  }
}

const ABORT = new Error("trial block: the LMDB transaction is aborted on purpose");

function isAbort(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e === ABORT) return true;
  return false;
}

/** Produces the block of `txs` up to the end of its LMDB transaction, then aborts it. Returns the failure, if any. */
export async function tryBlock(
  deps: FaultDeps,
  head: BlockHeader,
  txs: readonly PoolTx<PendingTx>[],
  ctx: BlockContext,
): Promise<unknown> {
  try {
    const built = await buildBlock(deps, head, txs, ctx);
    const commitHook = built.encoded.beforeCommit;
    built.encoded.beforeCommit = () => {
      commitHook?.();
      throw ABORT;
    };
    stageAndCommitSync(deps, built);
  } catch (error) {
    return isAbort(error) ? undefined : error;
  }
  // Unreachable: the abort always throws. Reported rather than assumed.
  return new Error("a trial block committed: its LMDB transaction was not aborted");
}

/**
 * The transaction at fault for a block of `txs` that failed, and the error it causes;
 * undefined when the failure does not come from a transaction (see the module comment).
 */
export function findCulprit(
  deps: FaultDeps,
  head: BlockHeader,
  txs: readonly PoolTx<PendingTx>[],
  ctx: BlockContext,
): Promise<{ tx: PoolTx<PendingTx>; error: unknown } | undefined> {
  return bisect((prefix) => tryBlock(deps, head, prefix, ctx), txs);
}

/** The module comment's search, with `trial` answering a prefix's failure (undefined: it passes). */
async function bisect(
  trial: (txs: readonly PoolTx<PendingTx>[]) => Promise<unknown>,
  txs: readonly PoolTx<PendingTx>[],
): Promise<{ tx: PoolTx<PendingTx>; error: unknown } | undefined> {
  let error = await trial(txs);
  if (error === undefined) return undefined;
  if ((await trial([])) !== undefined) return undefined;
  let lo = 0;
  let hi = txs.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const failure = await trial(txs.slice(0, mid));
    if (failure === undefined) lo = mid;
    else {
      hi = mid;
      error = failure;
    }
  }
  return { tx: txs[hi - 1] as PoolTx<PendingTx>, error };
}

/** Most transactions one proposal drops as at fault before it gives up (each costs ~log2(n) + 2 builds). */
export const MAX_PROPOSAL_CULPRITS = 8;

/**
 * A validator's proposal (`validator/chainApplication.ts`): builds the block of `txs`,
 * committing nothing. When that fails, the transaction at fault is found by building
 * prefixes (the module comment's search, up to the build: a proposal is not committed
 * here), handed to `drop` (out of the pool, with the error) and the block built again
 * without it, up to `MAX_PROPOSAL_CULPRITS` times; then, or when no transaction is at fault
 * (a store failure, an empty block failing), the failure is thrown. Before, one transaction
 * whose execution threw failed every proposal of every validator holding it, round after
 * round, until it left the pools.
 */
export async function buildProposal(
  deps: BuildDeps,
  head: BlockHeader,
  txs: readonly PoolTx<PendingTx>[],
  ctx: BlockContext,
  drop: (tx: PoolTx<PendingTx>, error: unknown) => void,
): Promise<BuiltBlock> {
  const trial = async (prefix: readonly PoolTx<PendingTx>[]): Promise<unknown> => {
    try {
      await buildBlock(deps, head, prefix, ctx);
      return undefined;
    } catch (error) {
      return error;
    }
  };
  let candidates = txs;
  for (let found = 0; ; found++) {
    let failure: unknown;
    try {
      return await buildBlock(deps, head, candidates, ctx);
    } catch (error) {
      failure = error;
    }
    if (found >= MAX_PROPOSAL_CULPRITS || storeErrorIn(failure) !== undefined) throw failure;
    const culprit = await bisect(trial, candidates);
    if (culprit === undefined) throw failure;
    drop(culprit.tx, culprit.error);
    candidates = candidates.filter((p) => p !== culprit.tx);
  }
}
