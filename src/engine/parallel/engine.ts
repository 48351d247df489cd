/**
 * The parallel engine: Block-STM on a persistent pool of worker threads, producing
 * exactly the sequential executor's result for every block.
 *
 * The pool starts once. Each worker holds a replica of the committed state: the engine
 * copies the store in when it is attached and forwards every commit made through the
 * attached store (one message per commit). A block costs one message to each worker
 * (the transactions and the block's config) and one back (the receipts of the
 * transactions whose final execution it ran); everything else goes through shared
 * memory (`shared.ts`, `scheduler.ts`, `mvMemory.ts`).
 *
 * Small blocks run sequentially on the calling thread (`minParallelTxs`, measured by
 * `bench/engine.ts`). If the parallel run fails an invariant or runs out of shared room,
 * the block is run sequentially and the reason is printed to stderr: the result is
 * never silently different.
 *
 * A receipt budget (`ReceiptBudget`) cuts the block. The workers commit the block's prefix
 * as it becomes final and stop at the cut (`commit.ts`), when the budget measures receipts
 * with the executor's own functions (`ExecutorFactory.measures`); otherwise the whole block
 * runs first. Either way, once the transactions up to the cut are executed and validated,
 * the multi-version memory holds each one's final writes, so the state after the kept
 * prefix is every key resolved as the first transaction left out would read it
 * (`resolveFinalWrites` at the cut). The kept prefix is thus committed from the one
 * execution, exactly as the sequential executor, which stops at the cut, gives it.
 */
import { availableParallelism } from "node:os";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { StateReader, Storage, WriteSet } from "../../state/storage.js";
import { budgetCut } from "../budget.js";
import { DEFAULT_SLICE_MS } from "../nextTurn.js";
import { executeSequentialSliced } from "../sequential.js";
import type { BlockResult, ReceiptBudget } from "../types.js";
import type { WorkerBudget } from "./commit.js";
import type { BlockStats, ParallelEngine, ParallelEngineOptions } from "./engineApi.js";
import { decodeFinalWrites, resolveFinalWrites } from "./finalWrites.js";
import { MvMemory } from "./mvMemory.js";
import { DEFAULT_CONTENTION_RULE, type ExecutorFactory, type ToWorker } from "./protocol.js";
import { abortRun, EXECUTED } from "./scheduler.js";
import {
  allocateShared,
  CTL,
  DEFAULT_CAPACITY,
  resetForBlock,
  type SharedViews,
  T_LAST_WORKER,
  T_STATUS,
  TX_WORDS,
  viewsOf,
  withKeyRoom,
} from "./shared.js";
import { DEFAULT_SPEED_RULE, SpeedRule } from "./speedRule.js";
import { type BlockTrace, collectTrace } from "./trace.js";
import { MAX_TX_BYTES, TxStreamWriter } from "./txStream.js";
import { expect, startWorkerPool } from "./workerPool.js";

const STATE_CHUNK = 20_000;
const CONTENDED = "contended";
const TOO_LARGE = `the block's transactions take more than ${MAX_TX_BYTES} bytes encoded`;
const CONTENTION_PROBE_EVERY = 8;

export async function createParallelEngine<T, R, C>(
  options: ParallelEngineOptions<T, R, C>,
): Promise<ParallelEngine<T, R, C>> {
  const count = options.workers ?? availableParallelism();
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`workers must be a positive integer, got ${count}`);
  const minParallelTxs = options.minParallelTxs ?? 128;
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  const local =
    options.local ??
    (
      (await import(options.executor.module)) as {
        createExecutorFactory(options: unknown): ExecutorFactory<T, R, C>;
      }
    ).createExecutorFactory(options.executor.options);
  const base = { ...DEFAULT_CAPACITY, ...options.capacity };
  const shared = allocateShared(local.keyRoom === undefined ? base : withKeyRoom(base, local.keyRoom(count)));
  const views: SharedViews = viewsOf(shared);
  const mv = new MvMemory(views);

  const pool = await startWorkerPool({
    count,
    stackSizeMb: options.stackSizeMb,
    shared,
    views,
    executor: options.executor,
    contention: options.contention ?? DEFAULT_CONTENTION_RULE,
    share: local.share?.bind(local),
  });
  const { workers, request } = pool;

  const speedRule =
    options.speed === undefined || options.speed === false
      ? undefined
      : new SpeedRule({ ...DEFAULT_SPEED_RULE, ...(options.speed === true ? {} : options.speed) });
  const workOf = (receipts: readonly R[]): number => {
    if (local.work === undefined) return receipts.length;
    let work = 0;
    for (const r of receipts) work += local.work(r);
    return work;
  };
  let attached: Storage | undefined;
  /** Consecutive blocks handed to the sequential executor by the contention rule. */
  let contendedStreak = 0;
  const stream = new TxStreamWriter<T>(shared.txBytes, shared.txChunks, local.codec);
  let lastStats: BlockStats | undefined;
  let lastWorkerMs: number[] = [];
  let lastCounters: Array<Record<string, number>> = [];
  let lastPhases: BlockStats["phases"];
  let lastTrace: BlockTrace | undefined;
  let lastLoop: BlockStats["loop"];

  /** On this thread, in slices of `sliceMs` with turns of the event loop between (`executeSequentialSliced`). */
  function sequential(pre: StateReader, txs: readonly T[], config: C, budget: ReceiptBudget<R> | undefined) {
    return executeSequentialSliced(local.forBlock(config), pre, txs, budget, sliceMs);
  }

  /** `budget` as the workers apply it, if it measures receipts as the executor does. */
  function workerBudget(budget: ReceiptBudget<R> | undefined): WorkerBudget | undefined {
    const measures = local.measures;
    if (budget === undefined || measures === undefined || budget.weight !== measures.weight) return undefined;
    if (budget.gas === undefined) return { max: budget.max, gas: Number.POSITIVE_INFINITY };
    return budget.gas.used === measures.gas ? { max: budget.max, gas: budget.gas.max } : undefined;
  }

  async function parallel(
    pre: StateReader,
    txs: readonly T[],
    config: C,
    budget: ReceiptBudget<R> | undefined,
  ): Promise<BlockResult<R> | string> {
    const n = txs.length;
    if (n > views.capacity.txs) return `block of ${n} transactions exceeds capacity ${views.capacity.txs}`;
    const t0 = performance.now();
    resetForBlock(views, n);
    mv.startBlock();
    // Encoded once into shared memory for every worker (a structured clone per worker
    // would copy it each time), in chunks: the workers start on the first chunk while
    // this thread encodes the rest (`txStream.ts`).
    stream.start();
    if (n > 0 && !stream.publishNext(txs)) return TOO_LARGE;
    const message: ToWorker = { type: "block", txCount: n, config, trace: options.trace === true };
    const forWorkers = workerBudget(budget);
    if (forWorkers !== undefined) message.budget = forWorkers;
    // A lone worker runs in order over an overlay (`inOrderOverlay.ts`), unless the block has
    // a budget the workers cannot apply: then the prefix to keep is known only afterwards,
    // and its writes come from the versions the versioned loop records (`inOrder.ts`).
    const overlay = count === 1 && (budget === undefined || forWorkers !== undefined);
    if (overlay) message.overlay = true;
    lastLoop = count > 1 ? "tasks" : overlay ? "overlay" : "in-order";
    const blockStartUs = (performance.timeOrigin + performance.now()) * 1000;
    const t1 = performance.now();
    const receipts = new Array<R | undefined>(n);
    /** A part of the lone worker's receipts that did not decode (then the block runs sequentially). */
    let partFailure: string | undefined;
    const codec = local.codec;
    if (overlay && codec !== undefined)
      // Its receipts in parts, in block order, decoded as they come while it runs on (`receiptParts.ts`).
      pool.onReceipts = (bytes) => {
        try {
          codec.decodeReceipts(bytes, receipts);
        } catch (error) {
          partFailure ??= `receipt part: ${error instanceof Error ? error.message : String(error)}`;
        }
      };
    const pending = Promise.all(workers.map((_, id) => request(id, message))).finally(() => {
      pool.onReceipts = undefined;
    });
    let streamed = true;
    try {
      for (let k = 1; k < TxStreamWriter.chunks(n) && streamed; k++) streamed = stream.publishNext(txs);
    } catch (error) {
      abortRun(views);
      await pending;
      throw error;
    }
    if (!streamed) abortRun(views);
    const replies = await pending;
    if (!streamed) return TOO_LARGE;
    const t2 = performance.now();
    const failures: string[] = [];
    lastWorkerMs = replies.map((m) => (m.type === "blockDone" ? Math.round(m.ms * 10) / 10 : -1));
    lastCounters = replies.map((m) => (m.type === "blockDone" ? (m.counters ?? {}) : {}));
    const txWords = views.txs;
    replies.forEach((m, worker) => {
      if (m.type === "error") failures.push(m.message);
      else if (m.type !== "blockDone") failures.push(`unexpected reply ${m.type}`);
      else if (m.failure !== undefined) failures.push(m.failure);
      else if (m.receiptBytes !== undefined && local.codec !== undefined)
        // Only the receipts of the final incarnations this worker ran.
        local.codec.decodeReceipts(
          m.receiptBytes,
          receipts,
          (j) => j >= 0 && j < n && txWords[j * TX_WORDS + T_LAST_WORKER] === worker,
        );
      else for (const [j, receipt] of m.receipts) receipts[j] = receipt as R;
    });
    if (Atomics.load(views.ctl, CTL.contended) !== 0) return CONTENDED;
    if (partFailure !== undefined) failures.push(partFailure);
    if (failures.length > 0) return failures.join("; ");
    // Past a cut the workers found, nothing ran to the end (or what did is not needed).
    const limit = Atomics.load(views.ctl, CTL.limit);
    for (let j = 0; j < limit; j++) {
      const status = Atomics.load(views.txs, j * TX_WORDS + T_STATUS);
      if ((status & 3) !== EXECUTED) return `invariant: transaction ${j} ended in state ${status & 3}`;
      if (receipts[j] === undefined) {
        return `invariant: no receipt for transaction ${j} (last worker ${views.txs[j * TX_WORDS + T_LAST_WORKER]})`;
      }
    }
    const t3 = performance.now();
    const all = receipts as R[];
    const at = budgetCut(limit < n ? all.slice(0, limit) : all, budget);
    if (limit < n && at !== limit - 1)
      return `invariant: the workers cut the block before ${limit}, its receipts cut it at ${at}`;
    const parts = replies.map((m) => (m.type === "blockDone" ? m.writes : undefined));
    let result: BlockResult<R>;
    if (overlay) {
      // The lone worker's write set is the kept prefix's (`inOrderOverlay.ts`).
      const share = parts[0];
      if (share === undefined) return "invariant: the worker sent no write set";
      const writeSet = decodeFinalWrites(mv, [share]);
      result =
        at === undefined
          ? { receipts: all, writeSet }
          : { receipts: all.slice(0, at), writeSet, cut: { at, receipt: all[at] as R } };
    } else if (at !== undefined) {
      // Cut: the kept prefix's writes, resolved as transaction `at` would read them.
      const writeSet = resolveFinalWrites(mv, pre, at);
      result = { receipts: all.slice(0, at), writeSet, cut: { at, receipt: all[at] as R } };
    } else {
      const writeSet = parts.every((p) => p !== undefined)
        ? decodeFinalWrites(mv, parts as Uint8Array[])
        : resolveFinalWrites(mv, pre, n);
      result = { receipts: all, writeSet };
    }
    const t4 = performance.now();
    lastPhases = { prepareMs: t1 - t0, workersMs: t2 - t1, receiptsMs: t3 - t2, writeSetMs: t4 - t3 };
    lastTrace = options.trace === true ? collectTrace(replies, blockStartUs) : undefined;
    return result;
  }

  /** `result`: a sequential run's, whose executions are its transactions up to and including a cut. */
  function stats(
    mode: BlockStats["mode"],
    txs: number,
    result?: BlockResult<R>,
    fallbackReason?: string,
  ): BlockStats {
    const ctl = views.ctl;
    const ran = result?.cut === undefined ? txs : result.cut.at + 1;
    const s: BlockStats = {
      mode,
      txs,
      executions: mode === "parallel" ? (ctl[CTL.executions] as number) : ran,
      validations: mode === "parallel" ? (ctl[CTL.validations] as number) : 0,
      validationAborts: mode === "parallel" ? (ctl[CTL.validationAborts] as number) : 0,
      dependencyWaits: mode === "parallel" ? (ctl[CTL.dependencyWaits] as number) : 0,
    };
    if (mode === "parallel") {
      s.earlyStops = ctl[CTL.earlyStops] as number;
      if ((ctl[CTL.handedOutAtCut] as number) > 0)
        s.handedOutAtCut = Math.min(ctl[CTL.handedOutAtCut] as number, txs);
      s.workerMs = lastWorkerMs;
      s.workerCounters = lastCounters;
      s.phases = lastPhases;
      s.loop = lastLoop;
      if (lastTrace !== undefined) s.trace = lastTrace;
    }
    if (fallbackReason !== undefined) s.fallbackReason = fallbackReason;
    return s;
  }

  return {
    workers: count,
    capacity: shared.capacity,
    get lastStats() {
      return lastStats;
    },

    async attach(store) {
      const entries: Array<[StateKey, StateValue]> = [...store.iterate("")];
      const prepared = local.prepare?.(entries);
      for (let at = 0, first = true; first || at < entries.length; at += STATE_CHUNK, first = false) {
        const chunk = entries.slice(at, at + STATE_CHUNK);
        const message: ToWorker = { type: "state", entries: chunk, reset: at === 0 };
        if (at === 0 && prepared !== undefined) message.prepared = prepared;
        for (const m of await Promise.all(workers.map((_, id) => request(id, message)))) {
          expect(m, "ack");
        }
      }
      const mirrored: Storage = {
        get: (key) => store.get(key),
        has: (key) => store.has(key),
        iterate: (prefix, after) => store.iterate(prefix, after),
        put(key, value) {
          mirrored.commit(new Map([[key, value]]));
        },
        delete(key) {
          mirrored.commit(new Map([[key, null]]));
        },
        commit(writes) {
          store.commit(writes);
          forward(writes);
        },
        close: () => store.close(),
      };
      /** The committed writes to every worker's replica, with the code they bring prepared. */
      const forward = (writes: WriteSet): void => {
        const list = [...writes.entries()];
        const message: ToWorker = { type: "commit", writes: list };
        const prepared = local.prepare?.(list);
        if (prepared !== undefined) message.prepared = prepared;
        for (const w of workers) w.postMessage(message);
      };
      const commitAsync = store.commitAsync?.bind(store);
      // The store's writing off this thread, then the same forwarding, once committed.
      if (commitAsync !== undefined)
        mirrored.commitAsync = async (writes) => {
          await commitAsync(writes);
          forward(writes);
        };
      attached = mirrored;
      return mirrored;
    },

    async executeBlock(pre, txs, config, budget) {
      if (attached === undefined || pre !== attached) {
        throw new TypeError(
          "executeBlock: pre must be the store returned by attach() (the workers hold its replica)",
        );
      }
      if (txs.length < minParallelTxs) {
        const result = await sequential(pre, txs, config, budget);
        lastStats = stats("sequential-small", txs.length, result);
        return result;
      }
      // Contention comes in runs (a popular mint, a hot pool): after a contended block the
      // next ones go straight to the sequential executor, and every `CONTENTION_PROBE_EVERY`
      // blocks one is tried in parallel again.
      if (contendedStreak > 0 && contendedStreak % CONTENTION_PROBE_EVERY !== 0) {
        contendedStreak++;
        const result = await sequential(pre, txs, config, budget);
        lastStats = stats("sequential-contended", txs.length, result);
        return result;
      }
      const choice = speedRule?.choose();
      if (choice?.mode === "sequential") {
        const started = performance.now();
        const result = await sequential(pre, txs, config, budget);
        speedRule?.record("sequential", performance.now() - started, workOf(result.receipts));
        lastStats = stats(choice.probe ? "sequential-probe" : "sequential-slower", txs.length, result);
        return result;
      }
      const started = performance.now();
      const result =
        pool.broken === undefined
          ? await parallel(pre, txs, config, budget)
          : `engine unusable: ${pool.broken}`;
      if (typeof result !== "string") {
        speedRule?.record("parallel", performance.now() - started, workOf(result.receipts));
        contendedStreak = 0;
        lastStats = stats("parallel", txs.length);
        return result;
      }
      const ctl = views.ctl;
      const attempt = {
        executions: ctl[CTL.executions] as number,
        validationAborts: ctl[CTL.validationAborts] as number,
        dependencyWaits: ctl[CTL.dependencyWaits] as number,
      };
      if (result === CONTENDED) {
        // The contention rule (worker.ts), not a failure: nothing to report.
        contendedStreak++;
        const again = await sequential(pre, txs, config, budget);
        lastStats = { ...stats("sequential-contended", txs.length, again), attempt };
        return again;
      }
      console.error(`weft parallel engine: running the block sequentially instead: ${result}`);
      const again = await sequential(pre, txs, config, budget);
      lastStats = { ...stats("sequential-fallback", txs.length, again, result), attempt };
      return again;
    },

    close() {
      return pool.close();
    },
  };
}
