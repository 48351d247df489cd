/**
 * A worker of the parallel engine. It keeps a replica of the committed state (updated
 * by one message per commit), and for each block runs the Block-STM loop over shared
 * memory until the scheduler says the block is done: take a task (execute or validate a
 * transaction), do it, repeat; sleep on the wake counter when there is nothing to do.
 */
import { parentPort } from "node:worker_threads";
import type { TxExecutor, TxOutput } from "../types.js";
import { Committer, type WorkerBudget } from "./commit.js";
import { encodeFinalWrites } from "./finalWrites.js";
import { IncarnationView } from "./incarnationView.js";
import { type InOrderParts, runInOrder } from "./inOrder.js";
import { type OverlayParts, runInOrderOverlay } from "./inOrderOverlay.js";
import { MvMemory, newResolution, type StorageById } from "./mvMemory.js";
import {
  type ContentionRule,
  DEFAULT_CONTENTION_RULE,
  type ExecutorFactory,
  type FromWorker,
  RECEIPT_PART,
  type ReceiptEncoder,
  type ToWorker,
} from "./protocol.js";
import { ReceiptParts } from "./receiptParts.js";
import { Replica } from "./replica.js";
import { abortRun, Scheduler, TASK_EXECUTE, type Task } from "./scheduler.js";
import { CapacityError, CTL, type SharedViews, T_LAST_WORKER, TX_WORDS, viewsOf } from "./shared.js";
import { StreamAbandoned, TxStreamReader } from "./txStream.js";
import { WriteList } from "./writeList.js";

const port = parentPort;
if (port === null) throw new Error("the parallel engine worker must run in a worker thread");

let workerId = -1;
let workerCount = 1;
let views: SharedViews;
let scheduler: Scheduler;
let mv: MvMemory;
let factory: ExecutorFactory<unknown, unknown, unknown>;
/** The committed state, with each key's id (made at init, over the shared key table). */
let replica: Replica;
let storageById: StorageById;
/** Made at init (their per-key tables are sized by the key capacity) and reused for every block. */
let view: IncarnationView;
let writes: WriteList;
let txStream: TxStreamReader<unknown>;
let committer: Committer;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

/**
 * Runs transaction `j`; undefined when it read an estimate (`view.blocked`) or was stopped
 * early (`view.stopped`). After such a read every key reads as absent, which an executor
 * may not survive: the EVM, finding its own contract account gone, throws; a stop throws
 * on purpose. The incarnation is thrown away either way, so such a throw is that wait or
 * stop, not a fault; any other throw is one.
 */
function executeOrBlocked<T, R>(
  executor: TxExecutor<T, R>,
  view: IncarnationView,
  tx: T,
  j: number,
): TxOutput<R> | undefined {
  try {
    const out = executor.execute(view, tx, j);
    return view.blocked >= 0 || view.stopped ? undefined : out;
  } catch (error) {
    if (view.blocked >= 0 || view.stopped) return undefined;
    throw error;
  }
}

/**
 * The contention rule: once a block has run at least `minExecutions` executions and
 * more than `ratio` of them ended in an abort or a dependency
 * wait, parallelism is losing to conflicts (e.g. every transaction touches the same two
 * accounts). The run stops and the engine executes the block sequentially: the work
 * thrown away is a few dozen transactions, against re-executing most of the block.
 * Measured by `bench/engine.ts` (token transfers among 2 accounts); the thresholds are
 * `DEFAULT_CONTENTION_RULE` in protocol.ts.
 */
let contention: ContentionRule | false = DEFAULT_CONTENTION_RULE;

function tooContended(ctl: Int32Array): boolean {
  if (contention === false) return false;
  const executions = Atomics.load(ctl, CTL.executions);
  if (executions < contention.minExecutions) return false;
  // An early stop is a validation abort found sooner.
  const conflicts =
    Atomics.load(ctl, CTL.validationAborts) +
    Atomics.load(ctl, CTL.dependencyWaits) +
    Atomics.load(ctl, CTL.earlyStops);
  return conflicts > executions * contention.ratio;
}

/** Task timeline and conflict keys of one block, when the engine asks for a trace. */
class Trace {
  private entries: number[] = [];
  readonly conflicts: Array<[string, number]> = [];
  now(): number {
    return (performance.timeOrigin + performance.now()) * 1000;
  }
  task(tx: number, incarnation: number, start: number, kind: number): void {
    this.entries.push(tx, incarnation, start, this.now(), kind);
  }
  conflict(keyId: number, tx: number): void {
    if (keyId >= 0 && this.conflicts.length < MAX_TRACED_CONFLICTS)
      this.conflicts.push([mv.keyText(keyId), tx]);
  }
  finish(): Float64Array {
    return Float64Array.from(this.entries);
  }
}

const MAX_TRACED_CONFLICTS = 4_096;

/**
 * The Block-STM loop of one of several workers. Returns the receipts of the final
 * incarnations it ran; with `encoder`, none: each execution's receipt was added to it as the
 * execution finished (the engine keeps the last one of each transaction whose last worker is this one).
 */
function runBlock(
  txAt: (i: number) => unknown,
  executor: TxExecutor<unknown, unknown>,
  budget: WorkerBudget | undefined,
  encoder: ReceiptEncoder<unknown> | undefined,
  trace?: Trace,
): Array<[number, unknown]> {
  const measures = budget === undefined ? undefined : factory.measures;
  const receipts = new Map<number, unknown>();
  const scratch = newResolution();
  const task: Task = { kind: 0, tx: 0, incarnation: 0 };
  const ctl = views.ctl;
  const allocList = (n: number) => scheduler.allocList(n);
  /** Counted here and added once at the end (a shared add per task bounced its cache line between cores). */
  let validations = 0;
  let has = false;
  for (;;) {
    if (measures !== undefined && budget !== undefined) committer.tryCommit(budget);
    // Checked before every task, also one handed on by the last (a validation abort hands
    // its re-execution on, which hands its validation on): a worker caught in a chain of
    // aborts never asked for a task, and ran 1.3M executions of a 120-transaction block
    // before the value arena filled (test/unit/engine/creditsAttack.test.ts).
    if (tooContended(ctl)) {
      Atomics.store(ctl, CTL.contended, 1);
      abortRun(views);
      break;
    }
    if (!has) {
      if (scheduler.done()) break;
      const seen = Atomics.load(ctl, CTL.wake);
      has = scheduler.nextTask(task);
      if (!has) {
        if (scheduler.done()) break;
        // Nothing left to hand out: the others are finishing or waiting on dependencies.
        // Sleep until one of them makes work (or the block is done); else retry at once.
        if (scheduler.exhausted()) Atomics.wait(ctl, CTL.wake, seen, 1);
        continue;
      }
    }
    const started = trace === undefined ? 0 : trace.now();
    if (task.kind === TASK_EXECUTE) {
      const j = task.tx;
      view.reset(j);
      const out = executeOrBlocked(executor, view, txAt(j), j);
      Atomics.add(ctl, CTL.executions, 1);
      if (out === undefined && view.halted) {
        // Past the cut: dropped for good.
        trace?.task(j, task.incarnation, started, 2);
        scheduler.dropPastLimit();
        has = false;
        continue;
      }
      if (out === undefined && view.blocked < 0) {
        // Stopped early (its reads went out of date): run it again at once, same incarnation
        // (nothing of the stopped run was published).
        trace?.task(j, task.incarnation, started, 2);
        has = true;
        continue;
      }
      if (out === undefined) {
        if (trace !== undefined) {
          trace.task(j, task.incarnation, started, 3);
          trace.conflict(view.blockedKey, j);
        }
        // The blocking transaction is running elsewhere: wait for it briefly, then re-run.
        // Otherwise park this one in its dependency list (or re-run if it just finished).
        has = scheduler.waitWhileExecuting(view.blocked, 1) || !scheduler.addDependency(j, view.blocked);
        continue;
      }
      if (measures !== undefined)
        committer.measured(j, measures.weight(out.receipt), measures.gas(out.receipt));
      writes.collect(out.writes, out.deltas, replica);
      const wroteNew = mv.recordWrites(j, task.incarnation, writes, allocList);
      Atomics.add(ctl, CTL.writeEpoch, 1);
      mv.publishReads(j, view.records, view.count);
      if (encoder === undefined) receipts.set(j, out.receipt);
      else encoder.add(j, out.receipt);
      Atomics.store(views.txs, j * TX_WORDS + T_LAST_WORKER, workerId);
      trace?.task(j, task.incarnation, started, 0);
      has = scheduler.finishExecution(j, task.incarnation, wroteNew, task);
    } else {
      const j = task.tx;
      validations++;
      const valid = mv.validate(j, scratch, storageById);
      const incarnation = task.incarnation;
      const aborted = !valid && scheduler.tryValidationAbort(j, incarnation);
      if (aborted) {
        mv.convertWritesToEstimates(j);
        Atomics.add(ctl, CTL.writeEpoch, 1);
      }
      if (trace !== undefined) {
        trace.task(j, incarnation, started, aborted ? 2 : 1);
        if (aborted) trace.conflict(mv.failedKey, j);
      }
      has = scheduler.finishValidation(j, aborted, task);
    }
  }
  Atomics.add(ctl, CTL.validations, validations);
  const mine: Array<[number, unknown]> = [];
  for (const [j, receipt] of receipts) {
    if (Atomics.load(views.txs, j * TX_WORDS + T_LAST_WORKER) === workerId) mine.push([j, receipt]);
  }
  return mine;
}

function inOrderParts(trace: Trace | undefined, budget: WorkerBudget | undefined): InOrderParts {
  const parts: InOrderParts = { views, mv, scheduler, replica, view, writes, workerId };
  if (budget !== undefined && factory.measures !== undefined) {
    parts.budget = budget;
    parts.measures = factory.measures;
  }
  if (trace !== undefined) {
    parts.now = () => trace.now();
    parts.traced = (tx, started) => trace.task(tx, 0, started, 0);
  }
  return parts;
}

port.on("message", async (message: ToWorker) => {
  try {
    switch (message.type) {
      case "init": {
        workerId = message.workerId;
        workerCount = message.workers;
        contention = message.contention;
        views = viewsOf(message.shared);
        scheduler = new Scheduler(views);
        mv = new MvMemory(views);
        replica = new Replica(mv.keys);
        storageById = (id) => replica.valueById(id);
        view = new IncarnationView(views.capacity.keys, views.ctl, mv, replica, storageById);
        committer = new Committer(views, mv, scheduler, (id) => replica.valueById(id), newResolution());
        writes = new WriteList(views.capacity.keys);
        const mod = (await import(message.executor.module)) as {
          createExecutorFactory(options: unknown): ExecutorFactory<unknown, unknown, unknown>;
        };
        factory = mod.createExecutorFactory(message.executor.options);
        if (factory.share !== undefined) factory.share(message.peers);
        else for (const peer of message.peers) peer.close();
        txStream = new TxStreamReader(
          message.shared.txBytes,
          message.shared.txChunks,
          factory.codec,
          () => Atomics.load(views.ctl, CTL.abort) !== 0,
        );
        send({ type: "ready" });
        return;
      }
      case "state":
        if (message.reset) replica.clear();
        for (const [k, v] of message.entries) replica.set(k, v);
        if (message.prepared !== undefined) factory.adopt?.(message.prepared);
        send({ type: "ack" });
        return;
      case "commit":
        for (const [k, v] of message.writes) replica.set(k, v);
        if (message.prepared !== undefined) factory.adopt?.(message.prepared);
        return;
      case "block": {
        const executor = factory.forBlock(message.config);
        const codec = factory.codec;
        const overlay = workerCount === 1 && message.overlay === true;
        txStream.start(overlay);
        const txAt = (i: number) => txStream.txAt(i);
        let receipts: Array<[number, unknown]> = [];
        /** The lone worker's write set when it ran the block over an overlay (`inOrderOverlay.ts`). */
        let overlayWrites: Uint8Array | undefined;
        /** Its receipts, encoded as each transaction finished. */
        let receiptBytes: Uint8Array | undefined;
        let failure: string | undefined;
        const started = performance.now();
        const trace = message.trace ? new Trace() : undefined;
        try {
          mv.startBlock();
          replica.startBlock();
          scheduler.startBlock();
          if (overlay) {
            const parts: OverlayParts = inOrderParts(trace, message.budget);
            const start = codec?.receiptEncoder?.bind(codec);
            if (start !== undefined)
              parts.encoder = new ReceiptParts(
                start,
                (bytes) => port?.postMessage({ type: "receipts", bytes }, [bytes.buffer as ArrayBuffer]),
                RECEIPT_PART,
              );
            const out = runInOrderOverlay(parts, txAt, executor);
            receipts = out.receipts;
            overlayWrites = out.writes;
            receiptBytes = out.receiptBytes;
          } else if (workerCount === 1)
            receipts = runInOrder(inOrderParts(trace, message.budget), txAt, executor);
          else {
            const encoder = codec?.receiptEncoder?.();
            receipts = runBlock(txAt, executor, message.budget, encoder, trace);
            receiptBytes = encoder?.finish();
          }
        } catch (error) {
          failure =
            error instanceof CapacityError || error instanceof StreamAbandoned
              ? error.message
              : `worker ${workerId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
          Atomics.store(views.ctl, CTL.failed, 1);
          abortRun(views);
        }
        Atomics.add(views.ctl, CTL.finished, 1);
        const ms = performance.now() - started;
        if (failure !== undefined) {
          send({ type: "blockDone", receipts: [], ms, failure });
          return;
        }
        // The block is done everywhere: the version lists are final. Each worker encodes
        // its share of the final write set, in parallel, instead of the main thread alone.
        let finalWrites: Uint8Array | undefined = overlayWrites;
        // (Not for a block cut early: the engine resolves the kept prefix's writes itself.)
        const ctl = views.ctl;
        if (
          finalWrites === undefined &&
          Atomics.load(ctl, CTL.done) !== 0 &&
          Atomics.load(ctl, CTL.abort) === 0 &&
          Atomics.load(ctl, CTL.limit) === message.txCount
        ) {
          finalWrites = encodeFinalWrites(mv, message.txCount, workerId, workerCount, storageById);
        }
        const transfer: ArrayBuffer[] = finalWrites === undefined ? [] : [finalWrites.buffer as ArrayBuffer];
        if (codec !== undefined) {
          receiptBytes ??= codec.encodeReceipts(receipts);
          transfer.push(receiptBytes.buffer as ArrayBuffer);
          const reply: FromWorker = { type: "blockDone", receipts: [], receiptBytes, ms };
          if (finalWrites !== undefined) reply.writes = finalWrites;
          if (factory.counters !== undefined) reply.counters = factory.counters();
          if (trace !== undefined) {
            reply.trace = trace.finish();
            reply.conflicts = trace.conflicts;
            transfer.push(reply.trace.buffer as ArrayBuffer);
          }
          port?.postMessage(reply, transfer);
        } else {
          const reply: FromWorker = { type: "blockDone", receipts, ms };
          if (finalWrites !== undefined) reply.writes = finalWrites;
          if (factory.counters !== undefined) reply.counters = factory.counters();
          if (trace !== undefined) {
            reply.trace = trace.finish();
            reply.conflicts = trace.conflicts;
            transfer.push(reply.trace.buffer as ArrayBuffer);
          }
          port?.postMessage(reply, transfer);
        }
        return;
      }
    }
  } catch (error) {
    const reply: FromWorker = {
      type: "error",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    const { code, details } = (error ?? {}) as { code?: unknown; details?: unknown };
    if (typeof code === "string") reply.code = code;
    if (Array.isArray(details)) reply.details = details.map(String);
    send(reply);
  }
});
