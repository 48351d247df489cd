/**
 * A running chain: the chain database, the Merkle tree, the parallel engine, the mempool
 * and the block producer, opened from a data directory (`openChain.ts`: a new directory
 * gets the development genesis, an existing one resumes at its head after its checks). The
 * node holds the data directory's lock (`store/dirLock.ts`) from open to close: a second
 * node refuses. Pending transactions survive restarts (`pendingCheckpoint.ts`).
 *
 * Blocks are produced every `blockTimeMs` when transactions wait, or at once when a full
 * block's worth is ready; in dev mode (`dev`) as soon as a transaction arrives (automine:
 * what arrives within `AUTOMINE_DELAY_MS` shares a block; `automine` false turns that off,
 * and then `dev_mine` mines them). Block times come from `clock`, which dev mode's time
 * travel moves (blockClock.ts). Listeners hear about new blocks and pending transactions
 * (the RPC subscriptions and metrics use them).
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { Address } from "../codec/address.js";
import type { MerkleTree } from "../state/merkle/index.js";
import type { Storage } from "../state/storage.js";
import { createVm, type Vm } from "../vm/vm.js";
import { type AdmissionDeps, admit, offerJudged, type PendingTx } from "./admission.js";
import { AdmissionPool } from "./admissionPool.js";
import { BlockClock } from "./blockClock.js";
import { logBlockFault, logProduced } from "./blockLog.js";
import type { BlockExecutor, NetworkStep } from "./buildBlock.js";
import { ChainNodeError, type ChainNodeOptions } from "./chainNodeOptions.js";
import { chainReadOnlyPool } from "./chainReadOnly.js";
import { engineExecutor } from "./engineExecutor.js";
import type { GenesisInfo } from "./genesis/genesis.js";
import { Mempool, type PoolTx } from "./mempool/index.js";
import { networkStep } from "./networkStep.js";
import { NextBlockCache } from "./nextBlockCache.js";
import {
  type BlockListener,
  type FaultListener,
  NodeListeners,
  type PendingListener,
} from "./nodeListeners.js";
import { asVmFault, type ChainEngine, type OpenedChain, openChain, openFailure } from "./openChain.js";
import { PendingCheckpoint } from "./pendingCheckpoint.js";
import {
  BlockProductionError,
  MAX_BLOCK_RECEIPT_BYTES,
  type ProducedBlock,
  type ProducerDeps,
  produceBlock,
  readSequence,
} from "./producer.js";
import type { ReadOnlyPool } from "./readOnly/pool.js";
import { SenderReputation } from "./reputation.js";
import type { ChainDb } from "./store/chainDb.js";
import type { DataDirLock } from "./store/dirLock.js";
import type { BlockHeader } from "./store/records.js";
import { type StoreError, storeErrorIn } from "./store/storeError.js";

export { ChainNodeError, type ChainNodeErrorCode, type ChainNodeOptions } from "./chainNodeOptions.js";
export { commitGenesis } from "./commitGenesis.js";

/** In dev mode, a block is mined this long after a transaction arrives (what arrives meanwhile shares it). */
export const AUTOMINE_DELAY_MS = 2;

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
  /** `nextBlock`'s last answer, given again while what it is made of is unchanged. */
  private readonly nextBlocks = new NextBlockCache();
  /** What admission reads: this node's admission VM, state, pool and index. */
  private readonly admissionDeps: AdmissionDeps;
  private timer: NodeJS.Timeout | undefined;
  private producing: Promise<unknown> = Promise.resolve();
  private closed = false;
  private stopped: StoreError | undefined;
  private readonly log = (
    level: "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => this.options.log?.(level, message, fields);
  /** Who hears of blocks, block faults and pending transactions (`nodeListeners.ts`). */
  private readonly listeners = new NodeListeners(this.log);
  private readonly admission: AdmissionPool | undefined;
  /** Read-only execution (`weft_call`, `weft_estimateGas`), off the main thread when it has workers. */
  readonly readOnly: ReadOnlyPool;
  readonly options: ChainNodeOptions;
  readonly db: ChainDb;
  /** The engine's attached store: the state before the next block. */
  readonly state: Storage;
  readonly tree: MerkleTree;
  readonly genesis: GenesisInfo;
  private readonly engine: ChainEngine;
  private readonly lock: DataDirLock;
  /** The pending transactions saved across restarts. */
  private readonly checkpoint: PendingCheckpoint;
  /** The engine as block production sees it. */
  private readonly executor: BlockExecutor;

  private constructor(chain: OpenedChain) {
    const { options, vm, state, genesis, committedCode } = chain;
    this.options = options;
    this.db = chain.db;
    this.state = state;
    this.tree = chain.tree;
    this.genesis = genesis;
    this.engine = chain.engine;
    this.executor = engineExecutor(chain.engine);
    this.lock = chain.lock;
    this.vm = vm;
    this.mempool = new Mempool<PendingTx>(options.mempool ?? {});
    this.reputation = new SenderReputation(options.reputation ?? {});
    this.checkpoint = new PendingCheckpoint(
      options.dataDir,
      this.mempool,
      () => this.head().number,
      this.log,
    );
    this.network = networkStep(genesis, vm, state, options.endBlockInput);
    this.admissionVm = createVm({
      cache: this.vm.cache,
      onSignatureVerified: (d) => this.verified.digests.push(d),
    });
    this.admissionDeps = {
      vm: this.admissionVm,
      verified: this.verified,
      state,
      mempool: this.mempool,
      nextBlock: () => this.nextBlock(),
      included: (hash) => this.db.hasTx(hash),
      reputation: this.reputation,
    };
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
    this.readOnly = chainReadOnlyPool(this, this.log);
  }

  /**
   * Opens (or creates, with the dev genesis) the chain in `options.dataDir`, holding the
   * directory's lock (`DataDirLockError` `LOCKED` when another process has it) until `close`.
   */
  static async open(options: ChainNodeOptions): Promise<ChainNode> {
    const chain = await openChain(options);
    let node: ChainNode | undefined;
    try {
      node = new ChainNode(chain);
      await Promise.all([node.admission?.ready, node.readOnly.ready]);
      const deps = node.admissionDeps;
      node.checkpoint.restore((raw) => admit(deps, raw), options.pendingCheckpointMs ?? 5_000);
      return node;
    } catch (error) {
      if (node !== undefined) {
        await node.close().catch(() => undefined);
        throw asVmFault(error);
      }
      await chain.abandon();
      throw openFailure(options.dataDir, error);
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

  /** The context the next block will run with (the last one while its inputs are unchanged: `nextBlockCache.ts`). */
  nextBlock(nowMs = this.clock.nowMs()): BlockContext {
    const { chainId, feeRecipient } = this.options;
    return this.nextBlocks.context(this.head(), this.db, chainId, feeRecipient, this.minBaseFee, nowMs);
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
    return this.admitted(admit(this.admissionDeps, raw));
  }

  /** Like `submit`, with decoding and validation on the admission workers when there are any. */
  async submitAsync(raw: Uint8Array): Promise<PoolTx<PendingTx>> {
    if (this.stopped !== undefined) throw this.stopped;
    if (this.admission === undefined) return this.submit(raw);
    const verdict = await this.admission.judge(raw);
    const deps = {
      mempool: this.mempool,
      included: (hash: string | Uint8Array) => this.db.hasTx(hash),
      reputation: this.reputation,
    };
    return this.admitted(offerJudged(deps, raw, verdict));
  }

  private admitted(record: PoolTx<PendingTx>): PoolTx<PendingTx> {
    this.listeners.admitted(record);
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
    this.listeners.block(produced);
  }

  onBlock(listener: BlockListener): () => void {
    return this.listeners.onBlock(listener);
  }

  /** Hears of every block that failed to be produced (the chain unchanged, maybe a transaction dropped). */
  onFault(listener: FaultListener): () => void {
    return this.listeners.onFault(listener);
  }

  onPending(listener: PendingListener): () => void {
    return this.listeners.onPending(listener);
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
      logBlockFault(this.log, error);
      this.listeners.fault(error);
      // The transaction at fault is gone: the others need not wait for the next tick.
      if (error.culprit !== undefined) this.produceSoon();
      throw error;
    }
    if (produced === undefined) return undefined;
    logProduced(this.log, produced);
    this.options.faults?.("notify", produced.block.txHashes);
    this.publish(produced);
    return produced;
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
      executor: this.executor,
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

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.checkpoint.stop();
    await this.producing;
    // Only a node that restored the saved pool writes over it (one that failed to open has not).
    this.checkpoint.close();
    this.closed = true;
    await this.admission?.close();
    await this.readOnly.close();
    await this.engine.close();
    await this.db.close();
    this.lock.release();
  }
}
