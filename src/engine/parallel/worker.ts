/**
 * A worker of the parallel engine. It keeps a replica of the committed state (updated
 * by one message per commit), and for each block runs the Block-STM loop over shared
 * memory until the scheduler says the block is done: take a task (execute or validate a
 * transaction), do it, repeat; sleep on the wake counter when there is nothing to do.
 */
import { parentPort } from "node:worker_threads";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { StateView, TxExecutor, TxOutput } from "../types.js";
import { Committer, type WorkerBudget } from "./commit.js";
import { encodeFinalWrites } from "./finalWrites.js";
import { type InOrderParts, runInOrder } from "./inOrder.js";
import {
  MvMemory,
  newResolution,
  R_ESTIMATE,
  R_STORAGE,
  R_VALUE,
  R_VERSION,
  READ_WORDS,
  type Resolution,
  type StorageById,
} from "./mvMemory.js";
import {
  type ContentionRule,
  DEFAULT_CONTENTION_RULE,
  type ExecutorFactory,
  type FromWorker,
  type ToWorker,
} from "./protocol.js";
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
 * Thrown through the executor (the VM, the EVM) to stop an incarnation whose result is
 * already known to be thrown away (see `IncarnationView`). Never reaches a receipt: the
 * worker discards the incarnation, exactly as a failed validation would.
 */
class IncarnationStopped extends Error {
  constructor() {
    super("incarnation stopped: its reads are out of date");
    this.name = "IncarnationStopped";
  }
}

/** Reads between two checks of an incarnation's reads (at least; more for large read sets). */
const STALE_CHECK_READS = 16;
/** Reads an incarnation may still make after one found an estimate, before it is stopped. */
const BLOCKED_READS = 32;

/**
 * The view one incarnation of one transaction reads through; records its reads. A key
 * read again in the same incarnation answers what its first read returned, without
 * resolving or recording it again (a transfer reads its sender's balance several times):
 * one record per key, as validation needs.
 *
 * Early stop (issue 12: 40 transactions of 75M gas, each spinning until an earlier one's
 * write appears, took 249-886 ms in parallel against 1-84 ms sequentially: each
 * incarnation that read too early ran to its gas limit before validation threw it away).
 * Every `STALE_CHECK_READS` reads (or as many as it has recorded, whichever is more, so
 * checking costs O(1) per read), and only if some incarnation recorded writes or estimates
 * since its last check (`CTL.writeEpoch`), the incarnation re-resolves its reads so far; if one
 * resolves differently now (a lower transaction wrote, or re-wrote, what it read), its
 * validation would fail, so it is stopped: the next read throws `IncarnationStopped`
 * and the worker runs the transaction again at once. An incarnation that read an
 * estimate (it will be discarded anyway) is stopped after `BLOCKED_READS` more reads.
 * A stopped incarnation publishes nothing, so results never change, only the work thrown
 * away is bounded. (A loop that reads no state is not stopped: it runs to its gas limit.)
 */
class IncarnationView implements StateView {
  tx = 0;
  /** The transaction this incarnation must wait for, or -1. */
  blocked = -1;
  /** Set when the incarnation was stopped early: its result is discarded. */
  stopped = false;
  /** Set when it was stopped because it is past the block's cut (`commit.ts`): never run again. */
  halted = false;
  private blockedReads = 0;
  private sinceCheck = 0;
  /** `CTL.writeEpoch` when the reads were last known current. */
  private epoch = 0;
  /** The key whose read found an estimate (what `blocked` is about), or -1. */
  blockedKey = -1;
  /** The read set, `READ_WORDS` words per record (published as is: `MvMemory.publishReads`). */
  records = new Int32Array(READ_WORDS * 64);
  count = 0;
  /** What each recorded read returned. */
  private readonly values: Array<StateValue | undefined> = [];
  /** Per key id: the incarnation stamp of its record, and the record's index. */
  private readonly stampOf: Int32Array;
  private readonly recordOf: Int32Array;
  private stamp = 0;
  private readonly r: Resolution = newResolution();

  constructor(keys: number) {
    this.stampOf = new Int32Array(keys);
    this.recordOf = new Int32Array(keys);
  }

  reset(tx: number): void {
    this.tx = tx;
    this.blocked = -1;
    this.blockedKey = -1;
    this.stopped = false;
    this.halted = false;
    this.blockedReads = 0;
    this.sinceCheck = 0;
    this.epoch = Atomics.load(views.ctl, CTL.writeEpoch);
    this.count = 0;
    if (++this.stamp === 0x7fffffff) {
      this.stampOf.fill(0);
      this.stamp = 1;
    }
  }

  read(key: StateKey): StateValue | undefined {
    if (this.stopped) throw new IncarnationStopped();
    if (this.tx >= Atomics.load(views.ctl, CTL.limit)) {
      // Past the block's cut: its result is not needed (not counted as an early stop, which
      // the contention rule reads as a conflict).
      this.stopped = true;
      this.halted = true;
      throw new IncarnationStopped();
    }
    // Waiting on an unfinished transaction: everything reads as absent from here on and
    // the incarnation's result is thrown away (no exception on this path, unless it
    // keeps reading).
    if (this.blocked >= 0) {
      if (++this.blockedReads > BLOCKED_READS) this.stop();
      return undefined;
    }
    if (++this.sinceCheck >= STALE_CHECK_READS && this.sinceCheck >= this.count) this.checkReads();
    const slot = replica.slot(key);
    const id = slot.id;
    if (this.stampOf[id] === this.stamp) return this.values[this.recordOf[id] as number];
    const r = this.r;
    mv.resolve(id, this.tx, r);
    switch (r.kind) {
      case R_ESTIMATE:
        this.blocked = r.tx;
        this.blockedKey = id;
        return undefined;
      case R_STORAGE:
        return this.record(id, R_STORAGE, 0, 0, slot.value);
      case R_VERSION: {
        const base = mv.baseValue(r);
        return this.record(id, R_VERSION, r.tx, r.incarnation, base === null ? undefined : base);
      }
      default: {
        const value = mv.valueOf(r, id, storageById);
        return this.record(
          id,
          R_VALUE,
          mv.storeReadValue(value),
          value === undefined ? 0 : value.length,
          value,
        );
      }
    }
  }

  /** Stops the incarnation if a read it made resolves differently now. */
  private checkReads(): void {
    this.sinceCheck = 0;
    const epoch = Atomics.load(views.ctl, CTL.writeEpoch);
    if (epoch === this.epoch) return;
    this.epoch = epoch;
    if (!mv.validateRecords(this.tx, this.records, 0, this.count, this.r, storageById)) this.stop();
  }

  private stop(): never {
    this.stopped = true;
    Atomics.add(views.ctl, CTL.earlyStops, 1);
    throw new IncarnationStopped();
  }

  private record(
    id: number,
    kind: number,
    a: number,
    b: number,
    value: StateValue | undefined,
  ): StateValue | undefined {
    const i = this.count++;
    this.stampOf[id] = this.stamp;
    this.recordOf[id] = i;
    const at = i * READ_WORDS;
    if (at + READ_WORDS > this.records.length) {
      const grown = new Int32Array(this.records.length * 2);
      grown.set(this.records);
      this.records = grown;
    }
    const records = this.records;
    records[at] = id;
    records[at + 1] = kind;
    records[at + 2] = a;
    records[at + 3] = b;
    this.values[i] = value;
    return value;
  }
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

function runBlock(
  txAt: (i: number) => unknown,
  executor: TxExecutor<unknown, unknown>,
  budget: WorkerBudget | undefined,
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
    if (!has) {
      if (scheduler.done()) break;
      const seen = Atomics.load(ctl, CTL.wake);
      if (tooContended(ctl)) {
        Atomics.store(ctl, CTL.contended, 1);
        abortRun(views);
        break;
      }
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
      receipts.set(j, out.receipt);
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
        view = new IncarnationView(views.capacity.keys);
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
        txStream.start();
        const txAt = (i: number) => txStream.txAt(i);
        let receipts: Array<[number, unknown]> = [];
        let failure: string | undefined;
        const started = performance.now();
        const trace = message.trace ? new Trace() : undefined;
        try {
          mv.startBlock();
          replica.startBlock();
          scheduler.startBlock();
          receipts =
            workerCount === 1
              ? runInOrder(inOrderParts(trace, message.budget), txAt, executor)
              : runBlock(txAt, executor, message.budget, trace);
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
        let finalWrites: Uint8Array | undefined;
        // (Not for a block cut early: the engine resolves the kept prefix's writes itself.)
        const ctl = views.ctl;
        if (
          Atomics.load(ctl, CTL.done) !== 0 &&
          Atomics.load(ctl, CTL.abort) === 0 &&
          Atomics.load(ctl, CTL.limit) === message.txCount
        ) {
          finalWrites = encodeFinalWrites(mv, message.txCount, workerId, workerCount, storageById);
        }
        const transfer: ArrayBuffer[] = finalWrites === undefined ? [] : [finalWrites.buffer as ArrayBuffer];
        if (codec !== undefined) {
          const receiptBytes = codec.encodeReceipts(receipts);
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
