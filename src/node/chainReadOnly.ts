/**
 * A `ChainNode`'s read-only execution (`weft_call`, `weft_estimateGas`, log queries): the
 * `ReadOnlyPool` given the node's data directory, VM, state and head, off the main thread
 * when it has workers (`readOnly/pool.ts`).
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { MerkleTree } from "../state/merkle/index.js";
import type { Storage } from "../state/storage.js";
import type { Vm } from "../vm/vm.js";
import type { BlockClock } from "./blockClock.js";
import type { ChainNodeOptions } from "./chainNodeOptions.js";
import { jobView } from "./readOnly/historicalView.js";
import { DEFAULT_READ_ONLY, ReadOnlyPool } from "./readOnly/pool.js";
import type { ChainDb } from "./store/chainDb.js";
import type { BlockHeader } from "./store/records.js";

/** What of the node read-only execution reads. */
export interface ReadOnlyChain {
  readonly options: ChainNodeOptions;
  readonly vm: Vm;
  readonly db: ChainDb;
  readonly state: Storage;
  readonly tree: MerkleTree;
  readonly clock: BlockClock;
  readonly minBaseFee: bigint;
  head(): BlockHeader;
  nextBlock(): BlockContext;
}

type Log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

/** The read-only pool of `chain`, with the settings of its options over `DEFAULT_READ_ONLY`. */
export function chainReadOnlyPool(chain: ReadOnlyChain, log: Log): ReadOnlyPool {
  const { options } = chain;
  return new ReadOnlyPool(
    {
      dataDir: options.dataDir,
      chainId: options.chainId,
      feeRecipient: options.feeRecipient,
      minBaseFee: chain.minBaseFee,
      nowMs: () => chain.clock.nowMs(),
      inline: (job) => ({
        vm: chain.vm,
        ...jobView(
          chain.db,
          chain.head(),
          job,
          options.chainId,
          (key) => chain.state.get(key),
          () => chain.nextBlock(),
        ),
      }),
      logs: () => ({ db: chain.db, read: (key) => chain.state.get(key), head: chain.head().number }),
      log,
      modules: () => chain.vm.cache.held(),
      ...(options.workerStackMb === undefined ? {} : { stackSizeMb: options.workerStackMb }),
      ...(options.workerReadFault === undefined ? {} : { readFault: options.workerReadFault }),
    },
    { ...DEFAULT_READ_ONLY, ...options.readOnly },
  );
}
