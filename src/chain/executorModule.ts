/**
 * The chain's transaction executor as the parallel engine's workers load it: each worker
 * imports this module and keeps one VM (and so one module cache and memory pool) for its
 * whole life; every block gets an executor bound to the block's context.
 */
import type { ExecutorFactory, ExecutorModuleSpec } from "../engine/parallel/protocol.js";
import { GAS } from "../vm/gasSchedule.js";
import type { VmOptions } from "../vm/vm.js";
import { createVm } from "../vm/vm.js";
import { chainBlockCodec } from "./blockCodec.js";
import type { BlockContext } from "./blockContext.js";
import { createChainExecutor } from "./executeTransaction.js";
import type { Receipt } from "./receipt.js";
import type { Transaction } from "./transaction.js";

export interface ChainExecutorOptions {
  metering?: boolean;
  /** Benchmarks and tests only: the VM's `stackStart` (see `VmOptions`); 0 in consensus. */
  stackStart?: number;
}

export function createExecutorFactory(
  options: ChainExecutorOptions = {},
): ExecutorFactory<Transaction, Receipt, BlockContext> {
  const vmOptions: VmOptions = { metering: options.metering ?? true };
  if (options.stackStart !== undefined) vmOptions.stackStart = options.stackStart;
  const vm = createVm(vmOptions);
  return {
    forBlock: (block) => createChainExecutor(block, { vm }),
    codec: chainBlockCodec,
    // Gas stands for work; a transaction that could not run still cost its decoding and checks.
    work: (receipt) => Math.max(receipt.gasUsed, GAS.TX_BASE),
  };
}

/** How to tell the engine to load this module. */
export function chainExecutorModule(options: ChainExecutorOptions = {}): ExecutorModuleSpec {
  return { module: new URL("./executorModule.js", import.meta.url).href, options };
}
