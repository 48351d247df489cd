/**
 * The chain's transaction executor as the parallel engine's workers load it: each worker
 * imports this module and keeps one VM (and so one module cache and memory pool) for its
 * whole life; every block gets an executor bound to the block's context.
 *
 * Compiled code: on the main thread `prepare` holds the module of every contract code in
 * the state the engine is attached to, then in each commit (compiling only code this
 * thread has in no form), and the workers `adopt` those modules: a worker never compiles
 * stored code, so no call compiles (`vm/moduleCache.ts`). Code deployed during a block is
 * prepared once, by the executor that ran the deployment, which `share`s it with the others
 * (`vm/modulePeers.ts`). A worker checks its stack when
 * it loads this module (`VmFault("STACK_TOO_SMALL")`, `vm/stackCheck.ts`).
 */

import { isMainThread } from "node:worker_threads";
import type { ExecutorFactory, ExecutorModuleSpec } from "../engine/parallel/protocol.js";
import { GAS } from "../vm/gasSchedule.js";
import type { ModuleList } from "../vm/moduleCache.js";
import { assertThreadStack } from "../vm/stackCheck.js";
import { loadCode } from "../vm/storedCode.js";
import type { Vm, VmOptions } from "../vm/vm.js";
import { createVm } from "../vm/vm.js";
import { chainBlockCodec } from "./blockCodec.js";
import type { BlockContext } from "./blockContext.js";
import { evmFromWasm } from "./evmFromWasm.js";
import { createChainExecutor } from "./executeTransaction.js";
import { blockKeyRoom, DEFAULT_KEY_ROOM_LIMITS, type KeyRoomLimits } from "./keyRoom.js";
import { blockGasOf, type Receipt, receiptBytes } from "./receipt.js";
import type { Transaction } from "./transaction.js";
import { memoCounts } from "./validationMemo.js";

export interface ChainExecutorOptions {
  metering?: boolean;
  /** Benchmarks and tests only: the VM's `stackStart` (see `VmOptions`); 0 in consensus. */
  stackStart?: number;
  /** The main thread only (not sent to workers): use this VM, and its module cache (the node's). */
  vm?: Vm;
  /**
   * Share modules prepared during a block with the engine's other executors (default true;
   * off only for `bench/sameBlockCode.ts` to measure what it saves): `vm/modulePeers.ts`.
   */
  shareModules?: boolean;
  /** The main thread only: the chain's limits, which size the engine's key table (`keyRoom.ts`; default the node's). */
  keyRoom?: KeyRoomLimits;
}

export function createExecutorFactory(
  options: ChainExecutorOptions = {},
): ExecutorFactory<Transaction, Receipt, BlockContext> {
  // A worker runs contracts: its stack must hold what the stack budget allows.
  if (!isMainThread) assertThreadStack("an engine worker");
  const vmOptions: VmOptions = { metering: options.metering ?? true, evm: evmFromWasm };
  if (options.stackStart !== undefined) vmOptions.stackStart = options.stackStart;
  const vm = options.vm ?? createVm(vmOptions);
  return {
    forBlock: (block) => {
      // Modules used in this block stay until the next one (`vm/moduleCache.ts`).
      vm.cache.beginBlock();
      return createChainExecutor(block, { vm });
    },
    codec: chainBlockCodec,
    // The block's bounds (`node/buildBlock.ts`): the workers stop at their cut.
    measures: { weight: receiptBytes, gas: blockGasOf },
    // Gas stands for work; a transaction that could not run still cost its decoding and checks.
    work: (receipt) => Math.max(blockGasOf(receipt), GAS.TX_BASE),
    prepare: (entries) => {
      const modules = loadCode(vm.cache, entries);
      vm.cache.takeShared(); // what peers prepared for code that did not commit: into the bounded transient set
      return modules.length > 0 ? modules : undefined;
    },
    adopt: (prepared) => vm.cache.adopt(prepared as ModuleList),
    ...(options.shareModules === false ? {} : { share: (peers) => vm.cache.share(peers) }),
    counters: () => ({
      ...vm.cache.stats,
      modules: vm.cache.size,
      memoGiven: memoCounts.given,
      memoRan: memoCounts.ran,
    }),
    keyRoom: (workers) => blockKeyRoom(options.keyRoom ?? DEFAULT_KEY_ROOM_LIMITS, workers),
  };
}

/** How to tell the engine to load this module. */
export function chainExecutorModule(options: ChainExecutorOptions = {}): ExecutorModuleSpec {
  return { module: new URL("./executorModule.js", import.meta.url).href, options };
}
