/**
 * A running chain: the chain database, the Merkle tree, the parallel engine, the mempool
 * and the block producer, opened from a data directory. A new directory gets the
 * development genesis (block 0); an existing one resumes at its head, after checking that
 * the stored Merkle root matches the head's state root and the chain id matches (and,
 * with `checkDb: "full"`, every record: `store/checkDb.ts`). The node holds the data
 * directory's lock (`store/dirLock.ts`) from open to close: a second node refuses.
 *
 * Blocks are produced every `blockTimeMs` when transactions wait, or at once when a full
 * block's worth is ready; in dev mode (`dev`) as soon as a transaction arrives (automine:
 * what arrives within `AUTOMINE_DELAY_MS` shares a block; `automine` false turns that off, and
then `dev_mine` mines them). Block times come from `clock`,
 * which dev mode's time travel moves (blockClock.ts). Listeners hear about new blocks and pending transactions (the
 * RPC subscriptions and metrics use them).
 */
import { join } from "node:path";
import type { BlockContext } from "../chain/blockContext.js";
import { evmFromWasm } from "../chain/evmFromWasm.js";
import { chainExecutorModule, createExecutorFactory } from "../chain/executorModule.js";
import type { Receipt } from "../chain/receipt.js";
import { type EndBlockInput, FEE_COLLECTOR } from "../chain/staking/endBlock.js";
import type { Transaction } from "../chain/transaction.js";
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { createParallelEngine, EngineStartError, type ParallelEngine } from "../engine/parallel/index.js";
import { MerkleTree } from "../state/merkle/index.js";
import type { Storage } from "../state/storage.js";
import { VmFault } from "../vm/errors.js";
import type { ModuleList } from "../vm/moduleCache.js";
import { assertThreadStack } from "../vm/stackCheck.js";
import { loadCode, storedCode } from "../vm/storedCode.js";
import { createVm, type Vm } from "../vm/vm.js";
import { type AdmissionDeps, AdmissionError, admit, checkNew, offer, type PendingTx } from "./admission.js";
import { AdmissionPool } from "./admissionPool.js";
import { BlockClock } from "./blockClock.js";
import type { NetworkStep } from "./buildBlock.js";
import { buildGenesis, type GenesisInfo } from "./genesis/genesis.js";
import type { NetworkGenesis } from "./genesis/networkGenesis.js";
import { Mempool, type MempoolConfig, type PoolTx } from "./mempool/index.js";
import { networkStep } from "./networkStep.js";
import { pendingInOrder, restorePending, savePending } from "./pendingFile.js";
import {
  type BlockExecutor,
  BlockProductionError,
  type FaultHook,
  MAX_BLOCK_RECEIPT_BYTES,
  nextBlockContext,
  type ProducedBlock,
  type ProducerDeps,
  produceBlock,
  readSequence,
} from "./producer.js";
import { jobView } from "./readOnly/historicalView.js";
import { DEFAULT_READ_ONLY, ReadOnlyPool, type ReadOnlySettings } from "./readOnly/pool.js";
import { type ReputationConfig, SenderReputation } from "./reputation.js";
import { type ChainDb, damageError, openChainDb } from "./store/chainDb.js";
import { checkChainDb } from "./store/checkDb.js";
import { type DataDirLock, lockDataDir } from "./store/dirLock.js";
import { encodeBlock } from "./store/encodeBlock.js";
import { PREPARED_DIR, preparedFiles } from "./store/preparedFiles.js";
import {
  type BlockHeader,
  blockHash,
  hex,
  MAX_TIMELINE_TASKS,
  type StoredBlock,
  txRoot,
  ZERO_HASH,
} from "./store/records.js";
import { type InjectedReadFault, type StoreError, storeErrorIn } from "./store/storeError.js";

export interface ChainNodeOptions {
  dataDir: string;
  chainId: bigint;
  feeRecipient: Address;
  /** The base fee never falls below this (and block 0 has it). Default 1. */
  minBaseFee?: bigint;
  devAccounts: number;
  workers: number;
  blockTimeMs: number;
  maxBlockTxs: number;
  blockGasLimit: number;
  /** Threads that decode and validate submitted transactions (0: on the main thread). */
  admissionWorkers?: number;
  /** Blocks smaller than this run sequentially (see the engine's small-block rule). */
  minParallelTxs?: number;
  /** The engine's speed rule (run blocks sequentially while that measures faster); default off. */
  speedRule?: boolean;
  /** Dev mode: automine, and the dev_* methods may change the chain (config.ts `dev`). */
  dev?: boolean;
  mempool?: Partial<MempoolConfig>;
  /**
   * The pending transactions are saved to `<dataDir>/mempool.bin` on close and every this many
   * ms while the pool changes (`pendingFile.ts`), and admitted again at open. Default 5000;
   * 0 saves on close only.
   */
  pendingCheckpointMs?: number;
  /** `full`: run `checkChainDb` (every record) before starting and refuse a damaged chain; default `off`. */
  checkDb?: "off" | "full";
  /** How many recent blocks' states stay readable (`ChainDb.stateAt`; default `DEFAULT_STATE_HISTORY_BLOCKS`, 128). */
  stateHistoryBlocks?: number;
  /** Most bytes of return data and events a block's receipts may hold (default `MAX_BLOCK_RECEIPT_BYTES`). */
  maxBlockReceiptBytes?: number;
  /** Test hook: called at each stage of block production; a throw is a failure there (see `FaultHook`). */
  faults?: FaultHook;
  /** Test hook: a failure of the chain database's reads or block writes (`OpenChainDbOptions.storeFaults`). */
  storeFaults?: (point: "read" | "write") => void;
  /** Test hook: a failure every read of the admission and read-only workers' databases throws (an LMDB-like error). */
  workerReadFault?: InjectedReadFault;
  /** Thresholds for senders whose transactions turn invalid at execution (`reputation.ts`). */
  reputation?: Partial<ReputationConfig>;
  /** Where and how `weft_call` and `weft_estimateGas` run (default: main thread, 30M gas per call). */
  readOnly?: Partial<ReadOnlySettings>;
  /** V8 stack of the node's workers, MiB (default `WORKER_STACK_MB`; smaller only to test the refusal). */
  workerStackMb?: number;
  /** A validator network's genesis (used only when the data directory has no chain yet). */
  network?: NetworkGenesis;
  /**
   * On a validator network: what consensus says of block `height` for the end-of-block step
   * (proposer, certificate, verified evidence). Default: proposed by the newest set's first
   * validator, no certificate, no evidence (a network of one validator).
   */
  endBlockInput?: (height: number) => EndBlockInput;
  log?: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
  /** Block 0's time, seconds (default: now). Validators of one network must agree on it (their genesis file). */
  genesisTime?: number;
}

/**
 * `NO_GENESIS`, `CHAIN_ID`, `DEV_GENESIS`, `ROOT_MISMATCH`: the data directory holds no usable chain for
 * these options; `DB_CHECK`: the full check found damage; `CLOSED`: the node is closed.
 */
export type ChainNodeErrorCode =
  | "NO_GENESIS"
  | "CHAIN_ID"
  | "DEV_GENESIS"
  | "ROOT_MISMATCH"
  | "DB_CHECK"
  | "CLOSED";

export class ChainNodeError extends Error {
  readonly code: ChainNodeErrorCode;
  constructor(code: ChainNodeErrorCode, message: string) {
    super(message);
    this.name = "ChainNodeError";
    this.code = code;
  }
}

/** In dev mode, a block is mined this long after a transaction arrives (what arrives meanwhile shares it). */
export const AUTOMINE_DELAY_MS = 2;

/** Problems shown in the startup check's error; `weft db check` lists them all. */
const SHOWN_PROBLEMS = 10;
/**
 * State values the node's own LMDB handle keeps in memory (`state/valueCache.ts`): about
 * 25 MB at most for 100k small values; a read from LMDB costs ~1.2 µs, from the cache ~0.1.
 */
const STATE_CACHE_ENTRIES = 100_000;

type BlockListener = (produced: ProducedBlock) => void;
type FaultListener = (fault: BlockProductionError) => void;
type PendingListener = (tx: PoolTx<PendingTx>) => void;

export class ChainNode {
  readonly mempool: Mempool<PendingTx>;
  /** Throttles and bans senders whose admitted transactions keep turning invalid at execution. */
  readonly reputation: SenderReputation;
  readonly vm: Vm;
  /** The end-of-block staking step, when the genesis made a validator network. */
  private readonly network: NetworkStep | undefined;
  /** Where block times come from (the wall clock, moved by dev mode's time travel). */
  readonly clock = new BlockClock();
  private mineScheduled = false;
  /** Dev mode mines each admitted transaction at once unless `dev_setAutomine` turned this off. */
  automine = true;
  /** Admission on this thread: a VM that records the signatures it verifies. */
  private readonly admissionVm: Vm;
  private readonly verified = { digests: [] as string[] };
  private timer: NodeJS.Timeout | undefined;
  private checkpoint: NodeJS.Timeout | undefined;
  /** The pool as last saved (`poolFingerprint`). */
  private savedPool: string | undefined;
  private restored = false;
  private producing: Promise<unknown> = Promise.resolve();
  private closed = false;
  private stopped: StoreError | undefined;
  private readonly blockListeners = new Set<BlockListener>();
  private readonly faultListeners = new Set<FaultListener>();
  private readonly pendingListeners = new Set<PendingListener>();
  private readonly admission: AdmissionPool | undefined;
  /** Read-only execution (`weft_call`, `weft_estimateGas`), off the main thread when it has workers. */
  readonly readOnly: ReadOnlyPool;

  private constructor(
    readonly options: ChainNodeOptions,
    readonly db: ChainDb,
    readonly state: Storage,
    readonly tree: MerkleTree,
    private readonly engine: ParallelEngine<Transaction, Receipt, BlockContext>,
    readonly genesis: GenesisInfo,
    private readonly lock: DataDirLock,
    vm: Vm,
    committedCode: { forward: (modules: ModuleList) => void },
  ) {
    this.mempool = new Mempool<PendingTx>(options.mempool ?? {});
    this.reputation = new SenderReputation(options.reputation ?? {});
    this.vm = vm;
    this.network = networkStep(genesis, vm, state, options.endBlockInput);
    this.admissionVm = createVm({
      cache: this.vm.cache,
      onSignatureVerified: (d) => this.verified.digests.push(d),
    });
    const workers = options.admissionWorkers ?? 0;
    if (workers > 0)
      this.admission = new AdmissionPool(
        options.dataDir,
        workers,
        () => this.nextBlock(),
        vm.cache.held(),
        options.workerStackMb,
        options.workerReadFault,
      );
    // Code each commit brings, compiled once on this thread (the engine's `prepare`), goes to every worker.
    committedCode.forward = (modules) => {
      this.admission?.adopt(modules);
      this.readOnly.adopt(modules);
    };
    this.readOnly = new ReadOnlyPool(
      {
        dataDir: options.dataDir,
        chainId: options.chainId,
        feeRecipient: options.feeRecipient,
        minBaseFee: this.minBaseFee,
        nowMs: () => this.clock.nowMs(),
        inline: (job) => ({
          vm: this.vm,
          ...jobView(
            this.db,
            this.head(),
            job,
            options.chainId,
            (key) => this.state.get(key),
            () => this.nextBlock(),
          ),
        }),
        log: (level, message, fields) => this.log(level, message, fields),
        modules: () => this.vm.cache.held(),
        ...(options.workerStackMb === undefined ? {} : { stackSizeMb: options.workerStackMb }),
        ...(options.workerReadFault === undefined ? {} : { readFault: options.workerReadFault }),
      },
      { ...DEFAULT_READ_ONLY, ...options.readOnly },
    );
  }

  /**
   * Opens (or creates, with the dev genesis) the chain in `options.dataDir`, holding the
   * directory's lock (`DataDirLockError` `LOCKED` when another process has it) until `close`.
   */
  static async open(options: ChainNodeOptions): Promise<ChainNode> {
    // Sequential blocks, weft_call and weft_estimateGas run contracts on this thread: its
    // stack must hold what the VM's stack budget allows, with room to spare (VmFault if not).
    assertThreadStack();
    const lock = lockDataDir(options.dataDir);
    let db: ChainDb | undefined;
    let engine: ParallelEngine<Transaction, Receipt, BlockContext> | undefined;
    let node: ChainNode | undefined;
    try {
      // `full`: every page of the data file is walked with plain reads before LMDB maps it.
      db = openChainDb(options.dataDir, {
        walk: options.checkDb === "full" ? "full" : "roots",
        // This handle alone commits blocks: admission and sequential blocks read through it.
        stateCacheEntries: STATE_CACHE_ENTRIES,
        ...(options.stateHistoryBlocks === undefined
          ? {}
          : { stateHistoryBlocks: options.stateHistoryBlocks }),
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
      node = new ChainNode(effective, db, state, tree, engine, genesis, lock, vm, committedCode);
      await Promise.all([node.admission?.ready, node.readOnly.ready]);
      node.restorePending();
      return node;
    } catch (error) {
      if (node !== undefined) {
        await node.close().catch(() => undefined);
        throw asVmFault(error);
      }
      await engine?.close();
      await db?.close();
      lock.release();
      const typed = asVmFault(error);
      // A page LMDB cannot read (zeroed, overwritten): the typed damage error naming the file.
      throw damageError(options.dataDir, typed) ?? typed;
    }
  }

  head(): BlockHeader {
    return this.db.head() as BlockHeader;
  }

  /**
   * Compilations so far: on this thread's module cache (open, commits, sequential blocks,
   * admission and `weft_call` here), and on each engine worker as of the last parallel block.
   */
  compileStats(): { main: Record<string, number>; workers: Array<Record<string, number>> } {
    return {
      main: { ...this.vm.cache.stats, modules: this.vm.cache.size },
      workers: this.engine.lastStats?.workerCounters ?? [],
    };
  }

  /**
   * The failure of the chain database that stopped block production, if one did: the node
   * then produces no block and accepts no transaction (both throw it), and still answers reads.
   */
  get storeFailure(): StoreError | undefined {
    return this.stopped;
  }

  /** Stops block production for good after a failure of the store (see `storeFailure`). */
  private stopProducing(failure: StoreError): void {
    if (this.stopped !== undefined) return;
    this.stopped = failure;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.log("error", "block production stopped: the chain database failed", {
      code: failure.code,
      error: failure.message,
    });
  }

  /** The context the next block will run with. */
  nextBlock(nowMs = this.clock.nowMs()): BlockContext {
    return nextBlockContext(
      this.head(),
      this.db,
      this.options.chainId,
      this.options.feeRecipient,
      this.minBaseFee,
      nowMs,
    );
  }

  get minBaseFee(): bigint {
    return this.options.minBaseFee ?? 1n;
  }

  nextSequence(sender: Address, key: bigint): bigint {
    return readSequence(this.state, sender, key);
  }

  /** Admits a raw transaction into the pool (throws `AdmissionError`); may trigger a block. */
  submit(raw: Uint8Array): PoolTx<PendingTx> {
    if (this.stopped !== undefined) throw this.stopped;
    return this.admitted(admit(this.admissionDeps(), raw));
  }

  /** What admission reads: this node's admission VM, state, pool and index. */
  private admissionDeps(): AdmissionDeps {
    return {
      vm: this.admissionVm,
      verified: this.verified,
      state: this.state,
      mempool: this.mempool,
      nextBlock: () => this.nextBlock(),
      included: (hash) => this.db.hasTx(hash),
      reputation: this.reputation,
    };
  }

  /** Like `submit`, with decoding and validation on the admission workers when there are any. */
  async submitAsync(raw: Uint8Array): Promise<PoolTx<PendingTx>> {
    if (this.stopped !== undefined) throw this.stopped;
    if (this.admission === undefined) return this.submit(raw);
    const verdict = await this.admission.judge(raw);
    const deps = {
      mempool: this.mempool,
      included: (hash: string) => this.db.hasTx(hash),
      reputation: this.reputation,
    };
    if (!verdict.ok) {
      // A known or included transaction is reported as such, not by the rule it now breaks.
      if (verdict.hash !== undefined) checkNew(deps, verdict.hash);
      throw new AdmissionError(verdict.code, verdict.message);
    }
    const pending: PendingTx =
      verdict.eth === undefined
        ? { envelope: verdict.envelope, raw, hash: verdict.hash, verified: verdict.verified }
        : { eth: verdict.eth, raw, hash: verdict.hash };
    return this.admitted(offer(deps, pending, verdict.nextSequence));
  }

  private admitted(record: PoolTx<PendingTx>): PoolTx<PendingTx> {
    for (const listener of this.pendingListeners) listener(record);
    // A full block's worth is produced at once, by a node that makes its own blocks: on a
    // validator network only consensus does (the next proposer takes a full block).
    if (this.mempool.size >= this.options.maxBlockTxs && this.options.network === undefined)
      this.produceSoon();
    else if (this.options.dev === true && this.automine) this.mineSoon();
    return record;
  }

  /** Automine: one block for whatever arrives within `AUTOMINE_DELAY_MS`. */
  private mineSoon(): void {
    if (this.mineScheduled) return;
    this.mineScheduled = true;
    setTimeout(() => {
      this.mineScheduled = false;
      this.produceSoon();
    }, AUTOMINE_DELAY_MS);
  }

  /** Runs `work` when no block is being produced, and produces none until it ends (dev mode's changes). */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.producing.then(() => {
      if (this.closed) throw new ChainNodeError("CLOSED", "the node is closed");
      return work();
    });
    this.producing = run.catch(() => undefined);
    return run;
  }

  /** Tells the block listeners about a committed block (the producer's, or one dev mode made). */
  publish(produced: ProducedBlock): void {
    this.clock.sealed(produced.block.header.time);
    for (const listener of this.blockListeners) this.guard(() => listener(produced));
  }

  onBlock(listener: BlockListener): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }

  /** Hears of every block that failed to be produced (the chain unchanged, maybe a transaction dropped). */
  onFault(listener: FaultListener): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  onPending(listener: PendingListener): () => void {
    this.pendingListeners.add(listener);
    return () => this.pendingListeners.delete(listener);
  }

  /** Produces a block now if transactions are ready (serialised with the timer's). */
  produceNow(): Promise<ProducedBlock | undefined> {
    const run = this.producing.then(() => this.produceOne());
    this.producing = run.catch(() => undefined);
    return run;
  }

  /**
   * Produces a block of the ready pending transactions now, undefined if none is ready. Only
   * inside `exclusive` (dev_mine), which already holds block production.
   */
  produceHeld(): Promise<ProducedBlock | undefined> {
    return this.produceOne();
  }

  private produceSoon(): void {
    void this.produceNow().catch((error: unknown) => {
      // A BlockProductionError, or a store failure that stopped production, was logged where it was caught.
      if (!(error instanceof BlockProductionError) && storeErrorIn(error) === undefined)
        this.log("error", "block production failed", { error: String(error) });
    });
  }

  private async produceOne(): Promise<ProducedBlock | undefined> {
    if (this.closed) return undefined;
    if (this.stopped !== undefined) throw this.stopped;
    let produced: ProducedBlock | undefined;
    try {
      produced = await this.produce();
    } catch (error) {
      // Nothing of the block was committed (one LMDB transaction); the store cannot be trusted further.
      const failure = storeErrorIn(error);
      if (failure !== undefined) this.stopProducing(failure);
      if (!(error instanceof BlockProductionError)) throw error;
      this.log("error", "block production failed", {
        number: error.number,
        stage: error.stage,
        error: error.message,
        ...(error.culprit === undefined ? {} : { dropped: error.culprit.hash, reason: error.culprit.reason }),
      });
      for (const listener of this.faultListeners) this.guard(() => listener(error));
      // The transaction at fault is gone: the others need not wait for the next tick.
      if (error.culprit !== undefined) this.produceSoon();
      throw error;
    }
    if (produced === undefined) return undefined;
    for (const d of produced.dropped) {
      const what = d.cause === "bound" ? "over the block's receipt bound" : "invalid at execution";
      this.log("warn", `dropped a transaction ${what}`, { ...d });
    }
    if (produced.afterCommitError !== undefined)
      this.log("error", "block committed, then a failure", {
        number: produced.block.header.number,
        error: produced.afterCommitError,
      });
    this.options.faults?.("notify", produced.block.txHashes);
    this.publish(produced);
    return produced;
  }

  /** Runs a listener; one that throws is logged and does not keep the others from hearing. */
  private guard(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.log("error", "a listener failed", { error: String(error) });
    }
  }

  private produce(): Promise<ProducedBlock | undefined> {
    return produceBlock(this.blockDeps(), this.clock.nowMs());
  }

  /**
   * What producing a block needs (the store, the tree, the engine, the pool, the limits): for
   * the validator (`validator/chainApplication.ts`), which builds, checks and commits blocks
   * that consensus decides instead of producing them on a timer. Use inside `exclusive`.
   */
  blockDeps(): ProducerDeps {
    return {
      db: this.db,
      state: this.state,
      tree: this.tree,
      mempool: this.mempool,
      executor: {
        executeBlock: (pre, txs, ctx, budget) => this.engine.executeBlock(pre, txs, ctx, budget),
        stats: () => {
          const s = this.engine.lastStats;
          if (s === undefined) return undefined;
          const out: ReturnType<BlockExecutor["stats"]> & object = {
            mode: s.mode,
            workers: this.engine.workers,
            executions: s.executions,
            validationAborts: s.validationAborts,
            dependencyWaits: s.dependencyWaits,
          };
          if (s.fallbackReason !== undefined) out.fallbackReason = s.fallbackReason;
          if (s.attempt !== undefined) out.attempt = s.attempt;
          if (s.handedOutAtCut !== undefined) out.handedOutAtCut = s.handedOutAtCut;
          if (s.phases !== undefined) out.phases = s.phases;
          if (s.workerMs !== undefined) out.workerMs = s.workerMs;
          if (s.trace !== undefined) {
            out.timeline = s.trace.tasks.slice(0, MAX_TIMELINE_TASKS);
            if (s.trace.tasks.length > MAX_TIMELINE_TASKS) out.timelineTruncated = true;
            out.conflicts = s.trace.conflicts.slice(0, 20).map((c) => ({ ...c, txs: c.txs.slice(0, 50) }));
          }
          return out;
        },
      },
      chainId: this.options.chainId,
      feeRecipient: this.options.feeRecipient,
      minBaseFee: this.minBaseFee,
      blockGasLimit: this.options.blockGasLimit,
      maxBlockTxs: this.options.maxBlockTxs,
      maxBlockReceiptBytes: this.options.maxBlockReceiptBytes ?? MAX_BLOCK_RECEIPT_BYTES,
      reputation: this.reputation,
      ...(this.options.faults === undefined ? {} : { faults: this.options.faults }),
      ...(this.network === undefined ? {} : { network: this.network }),
    };
  }

  /** Starts producing blocks on the interval. */
  start(): void {
    if (this.timer !== undefined || this.stopped !== undefined) return;
    this.timer = setInterval(() => {
      this.mempool.prune(Date.now());
      this.produceSoon();
    }, this.options.blockTimeMs);
  }

  /** Admits again the transactions the last run left pending (`pendingFile.ts`), then checkpoints them. */
  private restorePending(): void {
    const deps = this.admissionDeps();
    const result = restorePending(this.options.dataDir, this.mempool.config, (raw) => admit(deps, raw));
    if (result.damaged !== undefined)
      this.log("warn", "the saved mempool did not read: set aside as mempool.bin.damaged", {
        code: result.damaged.code,
        error: result.damaged.message,
      });
    if (result.saved > 0)
      this.log("info", "mempool restored", {
        saved: result.saved,
        restored: result.restored,
        dropped: result.dropped,
      });
    this.savedPool = this.poolFingerprint();
    this.restored = true;
    const every = this.options.pendingCheckpointMs ?? 5_000;
    if (every > 0) {
      this.checkpoint = setInterval(() => this.savePending(), every);
      this.checkpoint.unref();
    }
  }

  /** Size, bytes and head: changes whenever the pool gains or loses a transaction (a checkpoint's trigger). */
  private poolFingerprint(): string {
    return `${this.mempool.size}:${this.mempool.bytes}:${this.head().number}`;
  }

  /** Saves the pending transactions when the pool changed since the last save. */
  private savePending(): void {
    const now = this.poolFingerprint();
    if (now === this.savedPool) return;
    try {
      savePending(this.options.dataDir, pendingInOrder(this.mempool.pending()));
      this.savedPool = now;
    } catch (error) {
      this.log("warn", "saving the mempool failed", { error: String(error) });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.checkpoint !== undefined) clearInterval(this.checkpoint);
    await this.producing;
    // Only a node that restored the saved pool may write over it (one that failed to open has not).
    if (this.restored) {
      this.savedPool = undefined;
      this.savePending();
    }
    this.closed = true;
    await this.admission?.close();
    await this.readOnly.close();
    await this.engine.close();
    await this.db.close();
    this.lock.release();
  }

  private log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }
}

/** An engine worker's stack refusal (`EngineStartError` carries its code) as the VmFault it was. */
function asVmFault(error: unknown): unknown {
  if (
    error instanceof EngineStartError &&
    (error.code === "STACK_TOO_SMALL" || error.code === "STACK_OVERFLOW")
  )
    return new VmFault(error.code, error.message, error.details);
  return error;
}

/** Writes block 0 and the genesis state into an empty `db` (a node opening a new directory; state sync before it installs). */
export function commitGenesis(db: ChainDb, options: ChainNodeOptions): GenesisInfo {
  const time = options.genesisTime ?? Math.floor(Date.now() / 1000);
  const { writes, info } = buildGenesis({
    chainId: options.chainId,
    time,
    accounts: options.devAccounts,
    feeRecipient: options.feeRecipient,
    ...(options.network === undefined ? {} : { network: options.network }),
  });
  const tree = new MerkleTree(db.merkle);
  const update = tree.update(writes);
  const fields: Omit<BlockHeader, "hash"> = {
    number: 0,
    parentHash: ZERO_HASH,
    time,
    chainId: options.chainId.toString(),
    feeRecipient: options.feeRecipient,
    stateRoot: hex(update.root),
    txRoot: txRoot([]),
    receiptsRoot: `0x${toHex(new Uint8Array(32))}`,
    gasUsed: 0,
    gasLimit: options.blockGasLimit,
    baseFee: (options.minBaseFee ?? 1n).toString(),
    txCount: 0,
  };
  const block: StoredBlock = { header: { ...fields, hash: blockHash(fields) }, txHashes: [] };
  db.stageBlock(
    encodeBlock({
      block,
      rawTxs: [],
      receipts: [],
      merkleWrites: update.nodeWrites,
      meta: { genesis: info },
    }),
  );
  db.state.commit(writes);
  return info;
}
