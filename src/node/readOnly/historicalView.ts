/**
 * What a read-only job reads: the head's state and block, or, for an `eth_call` at an earlier
 * block (`EvmCallJob.block`), that block's state from the kept history (`store/stateHistory.ts`)
 * and that block's own context (its number, time, base fee and BLOCKHASH window). The same
 * function serves the main thread and the read-only workers, so both answer alike; a block
 * whose state is no longer kept (the window moved on while the job waited) is the same -32000
 * refusal the RPC layer gives (`notKeptError`).
 */
import type { BlockContext } from "../../chain/blockContext.js";
import { headBlockContext } from "../recentHashes.js";
import { type ChainDb, StateNotKeptError } from "../store/chainDb.js";
import type { BlockHeader } from "../store/records.js";
import {
  type JobError,
  type JobOutcome,
  type ReadOnlyContext,
  type ReadOnlyJob,
  runsInHeadBlock,
} from "./execute.js";

/** -32000 "historical state not kept", naming the blocks whose state the node keeps. */
export function notKeptError(error: StateNotKeptError): JobError {
  return {
    code: -32000,
    message: `historical state not kept: ${error.message}; read at a block from ${error.from} to ${error.head} or "latest"`,
    data: { keptBlocks: error.keep, oldestBlock: error.from, head: error.head, requested: error.block },
  };
}

type View = Pick<ReadOnlyContext, "read" | "block">;

/**
 * `run` on the view `makeView` makes; a view of a block no longer kept is the -32000 refusal
 * (any other failure is a fault of the node and is thrown).
 */
export function runOnView<V>(makeView: () => V, run: (view: V) => JobOutcome): JobOutcome {
  let view: V;
  try {
    view = makeView();
  } catch (error) {
    if (error instanceof StateNotKeptError) return { ok: false, error: notKeptError(error) };
    throw error;
  }
  return run(view);
}

/**
 * The state and block `job` runs on, given the head `head` (read in this thread's current
 * LMDB read transaction), the head's state `headRead` and the next block's context `next`.
 * Throws `StateNotKeptError` for an earlier block no longer kept.
 */
export function jobView(
  db: ChainDb,
  head: BlockHeader,
  job: ReadOnlyJob,
  chainId: bigint,
  headRead: (key: string) => Uint8Array | undefined,
  next: () => BlockContext,
): View {
  const at = job.kind === "evmCall" ? job.block : undefined;
  if (at !== undefined && at !== head.number) {
    const state = db.stateAt(at, head.number);
    const stored = db.block(at);
    if (stored === undefined) {
      const { from, keep } = db.readableStates(head.number);
      throw new StateNotKeptError(at, from, head.number, keep);
    }
    return { read: (key) => state.get(key), block: headBlockContext(db, stored.header, chainId) };
  }
  return { read: headRead, block: runsInHeadBlock(job) ? headBlockContext(db, head, chainId) : next() };
}
