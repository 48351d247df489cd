/**
 * Opening a node's chain from its data directory, before the node itself starts: the
 * directory's lock (`store/dirLock.ts`), the chain database (the development genesis
 * written into a new one: `commitGenesis.ts`), the checks an existing one must pass (its
 * genesis record, the chain id, dev mode only on the development genesis, with `checkDb:
 * "full"` every record (`store/checkDb.ts`), the stored Merkle root against the head's state
 * root), every stored contract compiled once on this thread, and the parallel engine
 * attached to the state. A failure releases what was opened and throws a typed error.
 */
import { join } from "node:path";
import type { BlockContext } from "../chain/blockContext.js";
import { evmFromWasm } from "../chain/evmFromWasm.js";
import { chainExecutorModule, createExecutorFactory } from "../chain/executorModule.js";
import type { Receipt } from "../chain/receipt.js";
import { FEE_COLLECTOR } from "../chain/staking/endBlock.js";
import type { Transaction } from "../chain/transaction.js";
import { createParallelEngine, EngineStartError, type ParallelEngine } from "../engine/parallel/index.js";
import { MerkleTree } from "../state/merkle/index.js";
import type { Storage } from "../state/storage.js";
import { VmFault } from "../vm/errors.js";
import type { ModuleList } from "../vm/moduleCache.js";
import { assertThreadStack } from "../vm/stackCheck.js";
import { loadCode, storedCode } from "../vm/storedCode.js";
import { createVm, type Vm } from "../vm/vm.js";
import { ChainNodeError, type ChainNodeOptions } from "./chainNodeOptions.js";
import { commitGenesis } from "./commitGenesis.js";
import type { GenesisInfo } from "./genesis/genesis.js";
import { type ChainDb, damageError, openChainDb } from "./store/chainDb.js";
import { checkChainDb } from "./store/checkDb.js";
import { type DataDirLock, lockDataDir } from "./store/dirLock.js";
import { PREPARED_DIR, preparedFiles } from "./store/preparedFiles.js";
import { type BlockHeader, hex } from "./store/records.js";

/** Problems shown in the startup check's error; `weft db check` lists them all. */
const SHOWN_PROBLEMS = 10;
/**
 * State values the node's own LMDB handle keeps in memory (`state/valueCache.ts`): about
 * 25 MB at most for 100k small values; a read from LMDB costs ~1.2 µs, from the cache ~0.1.
 */
const STATE_CACHE_ENTRIES = 100_000;

export type ChainEngine = ParallelEngine<Transaction, Receipt, BlockContext>;

/** A chain opened and checked, ready for a `ChainNode` to run. */
export interface OpenedChain {
  /** The options the node runs with: a network's fees go to the fee collector. */
  options: ChainNodeOptions;
  lock: DataDirLock;
  db: ChainDb;
  genesis: GenesisInfo;
  tree: MerkleTree;
  engine: ChainEngine;
  /** The engine's attached store: the state before the next block. */
  state: Storage;
  vm: Vm;
  /** Set by the node: where the code each commit compiles goes (its admission and read-only workers). */
  committedCode: { forward: (modules: ModuleList) => void };
  /** Closes the engine and the database and releases the lock (a node that failed to start). */
  abandon(): Promise<void>;
}

/** Opens and checks the chain in `options.dataDir` (see the top of this file). */
export async function openChain(options: ChainNodeOptions): Promise<OpenedChain> {
  // Sequential blocks, weft_call and weft_estimateGas run contracts on this thread: its
  // stack must hold what the VM's stack budget allows, with room to spare (VmFault if not).
  assertThreadStack();
  const lock = lockDataDir(options.dataDir);
  let db: ChainDb | undefined;
  let engine: ChainEngine | undefined;
  try {
    // `full`: every page of the data file is walked with plain reads before LMDB maps it.
    db = openChainDb(options.dataDir, {
      walk: options.checkDb === "full" ? "full" : "roots",
      // This handle alone commits blocks: admission and sequential blocks read through it.
      stateCacheEntries: STATE_CACHE_ENTRIES,
      ...(options.stateHistoryBlocks === undefined ? {} : { stateHistoryBlocks: options.stateHistoryBlocks }),
      ...(options.storeFaults === undefined ? {} : { storeFaults: options.storeFaults }),
    });
    let genesis = db.meta<GenesisInfo>("genesis");
    if (db.head() === undefined) genesis = commitGenesis(db, options);
    if (genesis === undefined)
      throw new ChainNodeError("NO_GENESIS", `${options.dataDir} has blocks but no genesis record`);
    if (options.dev === true && genesis.kind !== undefined && genesis.kind !== "development")
      throw new ChainNodeError(
        "DEV_GENESIS",
        `${options.dataDir} holds a chain with a ${genesis.kind} genesis: dev mode is only for the development genesis (start with --dev off)`,
      );
    if (genesis.chainId !== options.chainId.toString()) {
      throw new ChainNodeError(
        "CHAIN_ID",
        `${options.dataDir} holds chain ${genesis.chainId}, not ${options.chainId}: use another data directory or --chain-id ${genesis.chainId}`,
      );
    }
    if (options.checkDb === "full") {
      const report = checkChainDb(db);
      options.log?.(report.ok ? "info" : "error", "database check", {
        ok: report.ok,
        ...report.checked,
        problems: report.problems.length,
        ms: Math.round(report.ms),
      });
      if (!report.ok) {
        const shown = report.problems.slice(0, SHOWN_PROBLEMS).map((p) => `\n  - ${p}`);
        const more = report.problems.length - shown.length;
        throw new ChainNodeError(
          "DB_CHECK",
          `the database check of ${options.dataDir} found ${report.problems.length} problem(s); the node will not start on a damaged chain:${shown.join("")}${more > 0 ? `\n  ... and ${more} more` : ""}\n  (weft db check --dir ${options.dataDir} lists them all)`,
        );
      }
    }
    const tree = new MerkleTree(db.merkle);
    const head = db.head() as BlockHeader;
    if (hex(tree.root()) !== head.stateRoot) {
      throw new ChainNodeError(
        "ROOT_MISMATCH",
        `state root mismatch at block ${head.number}: stored tree ${hex(tree.root())}, header ${head.stateRoot}`,
      );
    }
    // Every stored contract is compiled now, once, on this thread: no call ever compiles
    // (`vm/moduleCache.ts`); the workers adopt these modules. Its prepared form, kept in
    // the data directory when the code committed, leaves only V8's compilation to do.
    const vm = createVm({
      preparedStore: preparedFiles(join(options.dataDir, PREPARED_DIR)),
      evm: evmFromWasm,
    });
    const loadStarted = performance.now();
    loadCode(vm.cache, storedCode(db.state));
    options.log?.("info", "contract code compiled", {
      modules: vm.cache.size,
      prepared: vm.cache.stats.compiles,
      restored: vm.cache.stats.restored,
      ms: Math.round(performance.now() - loadStarted),
    });
    const committedCode = { forward: (_modules: ModuleList) => {} };
    const chain = createExecutorFactory({
      vm,
      keyRoom: { blockGasLimit: options.blockGasLimit, maxBlockTxs: options.maxBlockTxs },
    });
    engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
      workers: options.workers,
      executor: chainExecutorModule(),
      local: {
        ...chain,
        prepare(entries) {
          const modules = chain.prepare?.(entries) as ModuleList | undefined;
          if (modules !== undefined) committedCode.forward(modules);
          return modules;
        },
      },
      trace: true,
      ...(options.minParallelTxs === undefined ? {} : { minParallelTxs: options.minParallelTxs }),
      ...(options.workerStackMb === undefined ? {} : { stackSizeMb: options.workerStackMb }),
      speed: options.speedRule === true,
    });
    const state = await engine.attach(db.state);
    // A network's fees go to the fee collector, which the end-of-block step pays out.
    const effective = genesis.network === undefined ? options : { ...options, feeRecipient: FEE_COLLECTOR };
    const opened = { db, engine };
    return {
      options: effective,
      lock,
      db,
      genesis,
      tree,
      engine,
      state,
      vm,
      committedCode,
      async abandon() {
        await opened.engine.close();
        await opened.db.close();
        lock.release();
      },
    };
  } catch (error) {
    await engine?.close();
    await db?.close();
    lock.release();
    throw openFailure(options.dataDir, error);
  }
}

/**
 * A failure to open as the error to throw: an engine worker's stack refusal as the VmFault
 * it was, a page LMDB cannot read (zeroed, overwritten) as the typed damage error naming the file.
 */
export function openFailure(dataDir: string, error: unknown): unknown {
  const typed = asVmFault(error);
  return damageError(dataDir, typed) ?? typed;
}

/** An engine worker's stack refusal (`EngineStartError` carries its code) as the VmFault it was. */
export function asVmFault(error: unknown): unknown {
  if (
    error instanceof EngineStartError &&
    (error.code === "STACK_TOO_SMALL" || error.code === "STACK_OVERFLOW")
  )
    return new VmFault(error.code, error.message, error.details);
  return error;
}
