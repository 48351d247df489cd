/**
 * What the parallel engine (`engine.ts`, `createParallelEngine`) is made with and offers:
 * its options, the engine itself, each block's statistics, and the error of a worker that
 * could not start.
 */
import type { StateReader, Storage } from "../../state/storage.js";
import type { BlockExecutor, BlockResult, ReceiptBudget } from "../types.js";
import type { ContentionRule, ExecutorFactory, ExecutorModuleSpec } from "./protocol.js";
import type { Capacity } from "./shared.js";
import type { SpeedRuleOptions } from "./speedRule.js";
import type { BlockTrace } from "./trace.js";

export interface ParallelEngineOptions<T = unknown, R = unknown, C = unknown> {
  /** Worker threads (default: one per core). */
  workers?: number;
  executor: ExecutorModuleSpec;
  /** Blocks with fewer transactions run sequentially (default 128: below it 2 workers lost to sequential in bench/engine.ts, "small blocks"). */
  minParallelTxs?: number;
  capacity?: Partial<Capacity>;
  /** Hand a block that proves too contended to the sequential executor (default on; `false` for tests). */
  contention?: ContentionRule | false;
  /** Record each parallel block's task timeline and conflict keys in `lastStats.trace` (default off). */
  trace?: boolean;
  /** Run blocks sequentially while that has measured faster (`speedRule.ts`; default off). */
  speed?: Partial<SpeedRuleOptions> | boolean;
  /** The main thread's executor (default: the executor module's, made with its options). */
  local?: ExecutorFactory<T, R, C>;
  /**
   * A block run sequentially on the calling thread gives the event loop a turn after each
   * transaction that ends this long after the last turn, ms (default `DEFAULT_SLICE_MS`).
   */
  sliceMs?: number;
  /** V8 stack of each worker, MiB (default `WORKER_STACK_MB`; smaller only to test a refusal). */
  stackSizeMb?: number;
}

/** A worker could not start: the error it caught, with its code and details (a VmFault's, say). */
export class EngineStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: string[],
  ) {
    super(message);
    this.name = "EngineStartError";
  }
}

export interface BlockStats {
  /**
   * `sequential-slower`: the speed rule measured parallel slower for recent blocks;
   * `sequential-probe`: the speed rule measuring sequential (a baseline, or a periodic check).
   */
  mode:
    | "parallel"
    | "sequential-small"
    | "sequential-contended"
    | "sequential-slower"
    | "sequential-probe"
    | "sequential-fallback";
  txs: number;
  /** Executions started (first runs, re-runs, and runs cut short by a dependency). */
  executions: number;
  validations: number;
  validationAborts: number;
  dependencyWaits: number;
  /** Parallel runs: incarnations stopped early because their reads went out of date (`worker.ts`). */
  earlyStops?: number;
  /**
   * Parallel runs the workers cut (`commit.ts`): the transactions below this had had execution
   * tasks handed out when the cut was found. None at or above it ever executes: past the cut,
   * only what was handed out before runs (the scheduler hands out nothing at or past the limit).
   */
  handedOutAtCut?: number;
  /**
   * Parallel runs: how the workers ran the block. `tasks`: Block-STM's scheduler; `in-order`:
   * one worker in block order, recording versions (`inOrder.ts`); `overlay`: one worker in
   * block order over a plain overlay (`inOrderOverlay.ts`).
   */
  loop?: "tasks" | "in-order" | "overlay";
  /** Main-thread time per phase: reset + serialize, waiting for the workers, merging receipts, the write set. */
  phases?: { prepareMs: number; workersMs: number; receiptsMs: number; writeSetMs: number };
  /** Per worker: milliseconds spent in the block loop (the rest of the wall time is messaging). */
  workerMs?: number[];
  /** Per worker: the executor's counters after the block (`ExecutorFactory.counters`). */
  workerCounters?: Array<Record<string, number>>;
  fallbackReason?: string;
  /** With the `trace` option, for blocks run in parallel. */
  trace?: BlockTrace;
  /** A block first tried in parallel, then run sequentially: what the abandoned attempt did. */
  attempt?: { executions: number; validationAborts: number; dependencyWaits: number };
}

export interface ParallelEngine<T, R, C> extends BlockExecutor<T, R, C> {
  readonly workers: number;
  /** The shared room it was made with (`withKeyRoom`: the executor's key room on top of the options'). */
  readonly capacity: Capacity;
  /** Copies `store` into every worker and returns it wrapped: commit through the wrapper. */
  attach(store: Storage): Promise<Storage>;
  /** Runs a block over the attached store (`pre` must be the store `attach` returned), cut by `budget` if given. */
  executeBlock(
    pre: StateReader,
    txs: readonly T[],
    config: C,
    budget?: ReceiptBudget<R>,
  ): Promise<BlockResult<R>>;
  /** Statistics of the last block. */
  readonly lastStats: BlockStats | undefined;
  close(): Promise<void>;
}
