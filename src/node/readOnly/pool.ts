/**
 * The read-only execution pool: `weft_call` and `weft_estimateGas` run here, on worker
 * threads that read the committed state straight from LMDB (`worker.ts`), so the main
 * thread (RPC, block production) never waits for them. With `workers: 0` jobs run on the
 * main thread, through the same queue and the same `executeReadOnly`.
 *
 * Fairness: a client is a network (an IPv4 /24, an IPv6 /64: the RPC layer's
 * `clientNetwork`), so that many addresses of one network count as one. Waiting jobs are
 * kept per client (`fairQueue.ts`); the next job is that of the client with the most time
 * left in its budget (in turn among equals), so a client with a thousand queued calls delays
 * another client's call by the jobs already running, and no client runs on more than half
 * the workers (rounded up) at once. Each client has a time
 * budget (`budget.ts`): a job starts only while its client's balance is positive, and is
 * charged the time it took; beyond it the client is refused. All clients together have one
 * more budget, `budgetMsTotal`: while it is used up, jobs wait in their queues (in turn).
 * Jobs beyond `maxQueuePerClient` for one client are refused at once; at `maxQueue` in all,
 * a job is refused only if its network already has the most waiting, otherwise it takes the
 * place of the newest job of the network with the most (which is refused then).
 * Refusals are -32005 with `data.retryAfterMs` and the limit that refused.
 *
 * Time: the gas cap bounds a call's work, and `maxCallMs` bounds how long its client waits
 * whatever the call does (a host function slower than its gas says, a machine overloaded):
 * past it the job answers -32009 (`CALL_TIMEOUT`) and a fresh worker takes the slot; other
 * jobs, on other workers, are not affected. The old worker is never terminated while it
 * runs (`workerSlot.ts` says why): it finishes the call and ends by itself. A stopped call's
 * slot is refilled at once while no more workers are finishing than the pool has, otherwise
 * only when one of them has ended: the pool never runs more than twice its workers' threads.
 *
 * Workers check their stack at start (`VmFault("STACK_TOO_SMALL")`, which `ready` rejects
 * with) and hold the main thread's compiled modules, so that no call compiles code.
 */

import type { Worker } from "node:worker_threads";
import type { Address } from "../../codec/address.js";
import { WORKER_STACK_MB } from "../../engine/parallel/protocol.js";
import { checkGasCap, VmFault } from "../../vm/errors.js";
import { MAX_TX_GAS } from "../../vm/limits.js";
import type { ModuleList } from "../../vm/moduleCache.js";
import { endWithin } from "../endWorker.js";
import type { InjectedReadFault } from "../store/storeError.js";
import { type Clock, TimeBudgets } from "./budget.js";
import {
  EXECUTION_FAULT,
  type ExecutionJob,
  executeReadOnly,
  type JobOutcome,
  type ReadOnlyContext,
  type ReadOnlyJob,
  wasmGasCap,
} from "./execute.js";
import { FairQueue } from "./fairQueue.js";
import { runOnView } from "./historicalView.js";
import { type LogSource, runScan } from "./logScan.js";
import { CALL_TIMEOUT, type Slot, startWorkerSlot } from "./workerSlot.js";

export { CALL_TIMEOUT };

export interface ReadOnlySettings {
  /** Worker threads (0: jobs run on the main thread). */
  workers: number;
  /** Most gas one call may use. */
  gasCap: number;
  /** Milliseconds of execution each client network earns per second (it may hold two seconds' worth). */
  budgetMsPerSecond: number;
  /** Milliseconds of execution all clients together earn per second (default 1,000 per worker). */
  budgetMsTotal?: number;
  /** Most jobs waiting, all clients together. */
  maxQueue: number;
  /** Most jobs waiting for one client network. */
  maxQueuePerClient: number;
  /** Most milliseconds a client waits for a job on a worker before it is answered -32009 and the worker replaced. */
  maxCallMs: number;
}

/** What the pool needs from the node. */
export interface ReadOnlyHost {
  dataDir: string;
  chainId: bigint;
  feeRecipient: Address;
  minBaseFee: bigint;
  /** The time (ms) the next block would take (the node's block clock, which dev mode moves). */
  nowMs: () => number;
  /** The main thread's view for `job`, for `workers: 0` (its block: `runsInHeadBlock`). */
  inline: (job: ExecutionJob) => Omit<ReadOnlyContext, "gasCap">;
  /** The main thread's chain database and head, for log queries with `workers: 0`. */
  logs: () => LogSource;
  /** Where a job the VM could not finish (`EXECUTION_FAULT`, a fault of the node) is reported. */
  log?: (level: "error", message: string, fields?: Record<string, unknown>) => void;
  /** Every module the main thread holds, for a worker that starts (`vm/moduleCache.ts`). */
  modules: () => ModuleList;
  /** V8 stack of each worker, MiB (default `WORKER_STACK_MB`; smaller only to test a refusal). */
  stackSizeMb?: number;
  /** The budgets' clock in ms (default `performance.now`; tests move it by hand). */
  clock?: Clock;
  /** Tests only: every read of the workers' database fails so (`worker.ts`). */
  readFault?: InjectedReadFault;
}

/** The settings' defaults: jobs on the main thread, a transaction's most gas per call, a second per second per client. */
export const DEFAULT_READ_ONLY: Readonly<ReadOnlySettings> = {
  workers: 0,
  gasCap: MAX_TX_GAS,
  budgetMsPerSecond: 1_000,
  maxQueue: 1_000,
  maxQueuePerClient: 100,
  maxCallMs: 5_000,
};

/** Workers replaced in a row (each died before answering a job) before the pool gives up. */
const MAX_RESPAWNS = 3;

/** The key of the budget all clients share. */
const ALL = "all";

/** JSON-RPC code of a refusal to run a job now (the same as the server's rate limit). */
export const RETRY_LATER = -32005;

interface Waiting {
  client: string;
  job: ReadOnlyJob;
  resolve: (outcome: JobOutcome) => void;
  reject: (error: unknown) => void;
}

export class ReadOnlyPool {
  private readonly idle: Slot[] = [];
  private readonly slots: Slot[] = [];
  private readonly queue: FairQueue<Waiting>;
  private closed = false;
  /** Set while the shared budget is used up and jobs wait for it to refill. */
  private refill: NodeJS.Timeout | undefined;
  /** Workers that died in a row without answering a job; past `MAX_RESPAWNS` the pool gives up. */
  private deaths = 0;
  /** Why the pool gave up (every job is then refused with it). */
  private broken: Error | undefined;
  readonly budgets: TimeBudgets;
  /** The budget all clients share (one key, `ALL`). */
  readonly total: TimeBudgets;
  /** Jobs stopped at `maxCallMs` (each worker replaced). */
  timeouts = 0;
  /** Workers left to finish a stopped job and end by themselves, with the promise of their end. */
  private readonly finishing = new Map<Worker, Promise<void>>();
  /** Replacements owed while `finishing` is full. */
  private owed = 0;
  /** Settles when the first workers have loaded, or rejects with why one could not (a VmFault, say). */
  readonly ready: Promise<void>;
  private readonly starts: Array<Promise<void>> = [];

  constructor(
    private readonly host: ReadOnlyHost,
    readonly settings: ReadOnlySettings,
  ) {
    // Every call runs with the cap: one the VM's gas counter cannot hold is refused here, once.
    checkGasCap(wasmGasCap(settings), "the read-only gas cap");
    const clock = host.clock ?? (() => performance.now());
    this.budgets = new TimeBudgets(settings.budgetMsPerSecond, clock);
    const count = Math.max(1, settings.workers);
    this.total = new TimeBudgets(settings.budgetMsTotal ?? 1_000 * count, clock);
    this.queue = new FairQueue(
      {
        maxQueue: settings.maxQueue,
        maxQueuePerClient: settings.maxQueuePerClient,
        maxRunningPerClient: Math.ceil(count / 2),
      },
      (client, waiting) =>
        waiting.resolve(
          refusal(
            `busy: too many read-only calls waiting (rpc.callQueue: at most ${settings.maxQueue} in all); the newest call of network ${client}, which had the most waiting, gave its place to a network with fewer`,
            100,
            { limit: "callQueue", max: settings.maxQueue, network: client },
          ),
        ),
    );
    for (let i = 0; i < count; i++) {
      const slot = settings.workers === 0 ? this.inlineSlot() : this.workerSlot();
      this.slots.push(slot);
      this.idle.push(slot);
    }
    this.ready = Promise.all(this.starts).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  /** Gives every worker the modules of newly committed code. */
  adopt(modules: ModuleList): void {
    for (const slot of this.slots) slot.adopt(modules);
  }

  /**
   * Runs `job` for `client` (its network's key) when its turn comes; refusals are outcomes,
   * node faults reject.
   */
  run(client: string, job: ReadOnlyJob): Promise<JobOutcome> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.closed) return Promise.resolve(refusal("the node is shutting down", 100));
    const wait = this.budgets.waitMs(client);
    if (wait > 0) return Promise.resolve(this.overBudget(client, wait));
    return new Promise((resolve, reject) => {
      const full = this.queue.add(client, { client, job, resolve, reject });
      if (full === undefined) return this.pump();
      const message =
        full.limit === "callQueue"
          ? `busy: too many read-only calls waiting (rpc.callQueue: at most ${full.max} in all)`
          : `busy: too many read-only calls waiting from network ${client} (rpc.callQueuePerClient: at most ${full.max} per network)`;
      resolve(refusal(message, 100, { limit: full.limit, max: full.max, network: client }));
    });
  }

  /** Workers finishing a job stopped at `maxCallMs` before they end (with the pool's own, at most twice `workers` threads). */
  get finishingWorkers(): number {
    return this.finishing.size;
  }

  /** Worker threads alive: the pool's own and those finishing (0 with `workers: 0`). */
  get threads(): number {
    return (this.settings.workers === 0 ? 0 : this.slots.length) + this.finishing.size;
  }

  /** Jobs waiting for a slot. */
  waiting(): number {
    return this.queue.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refill);
    for (const w of this.queue.drain()) w.resolve(refusal("the node is shutting down", 100));
    await Promise.all([
      ...this.slots.map((s) => s.close()),
      ...[...this.finishing].map(([worker, exited]) => endWithin(worker, exited)),
    ]);
  }

  private overBudget(client: string, wait: number): JobOutcome {
    return refusal(
      `rate limited: read-only execution budget used up for network ${client} (rpc.callBudgetMs: ${this.settings.budgetMsPerSecond} ms per second per network)`,
      wait,
      { limit: "callBudgetMs", network: client },
    );
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.size > 0) {
      // The shared budget used up: jobs keep their place and wait for it to refill.
      const shared = this.total.waitMs(ALL);
      if (shared > 0) {
        // Checked again at least every second.
        if (this.refill === undefined && !this.closed)
          this.refill = setTimeout(
            () => {
              this.refill = undefined;
              this.pump();
            },
            Math.min(shared, 1_000),
          );
        return;
      }
      const next = this.queue.take((client) => this.budgets.balanceMs(client));
      if (next === undefined) return; // every waiting client runs its most jobs already
      const item = next.item;
      // Checked again at the start: a batch queues all its calls before the first is charged.
      const wait = this.budgets.waitMs(item.client);
      if (wait > 0) {
        this.queue.done(item.client);
        item.resolve(this.overBudget(item.client, wait));
        continue;
      }
      const slot = this.idle.pop() as Slot;
      slot.run(item.job).then(
        ({ outcome, ms }) => {
          this.budgets.charge(item.client, ms);
          this.total.charge(ALL, ms);
          this.queue.done(item.client);
          if (!outcome.ok && outcome.error.code === EXECUTION_FAULT)
            this.host.log?.("error", "read-only execution fault", {
              job: item.job.kind,
              client: item.client,
              error: outcome.error.message,
            });
          this.release(slot);
          item.resolve(outcome);
        },
        (error: unknown) => {
          this.queue.done(item.client);
          this.release(slot);
          item.reject(error);
        },
      );
    }
  }

  /** Gives `slot` back (unless it was retired: a replacement took its place) and starts what may start now. */
  private release(slot: Slot): void {
    if (this.closed) return;
    if (this.slots.includes(slot)) this.idle.push(slot);
    // Even without the slot back: its client may run another job now.
    this.pump();
  }

  private inlineSlot(): Slot {
    return {
      run: (job) =>
        new Promise((resolve, reject) => {
          setImmediate(() => {
            try {
              const started = performance.now();
              const outcome =
                job.kind === "logs" || job.kind === "blockHashes"
                  ? runScan(this.host.logs(), job)
                  : runOnView(
                      () => this.host.inline(job),
                      (view) => executeReadOnly({ ...view, gasCap: this.settings.gasCap }, job),
                    );
              resolve({ outcome, ms: performance.now() - started });
            } catch (error) {
              reject(error);
            }
          });
        }),
      adopt: () => {},
      close: async () => {},
    };
  }

  private workerSlot(): Slot {
    const { slot, started } = startWorkerSlot({
      setup: () => ({
        dataDir: this.host.dataDir,
        chainId: this.host.chainId,
        feeRecipient: this.host.feeRecipient,
        minBaseFee: this.host.minBaseFee,
        gasCap: this.settings.gasCap,
        modules: this.host.modules(),
        ...(this.host.readFault === undefined ? {} : { readFault: this.host.readFault }),
      }),
      stackSizeMb: this.host.stackSizeMb ?? WORKER_STACK_MB,
      maxCallMs: this.settings.maxCallMs,
      nowMs: () => this.host.nowMs(),
      retire: (s) => this.retire(s),
      lost: (error) => this.lost(error),
      answered: () => {
        this.deaths = 0;
      },
      timedOut: () => {
        this.timeouts++;
      },
      finish: (worker, exited) => {
        this.finishing.set(worker, exited);
        if (this.finishing.size <= Math.max(1, this.settings.workers)) this.replace();
        else this.owed++;
      },
      finished: (worker) => {
        if (!this.finishing.delete(worker)) return false;
        if (this.owed > 0 && !this.closed) {
          this.owed--;
          this.replace();
        }
        return true;
      },
    });
    this.starts.push(started);
    return slot;
  }

  /** Takes `slot` out of the pool; false if it was already out (or the pool is closed). */
  private retire(slot: Slot): boolean {
    const at = this.slots.indexOf(slot);
    if (this.closed || at < 0) return false;
    this.slots.splice(at, 1);
    const idleAt = this.idle.indexOf(slot);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    return true;
  }

  /** Puts a fresh worker in the pool and starts what may start now. */
  private replace(): void {
    const fresh = this.workerSlot();
    this.slots.push(fresh);
    this.idle.push(fresh);
    this.pump();
  }

  /** A retired worker died, or could not start: replaced, unless workers keep dying (then the pool gives up). */
  private lost(error: unknown): void {
    // A stack too small is the thread's, not the job's: a new worker would fail the same way.
    if (error instanceof VmFault || ++this.deaths > MAX_RESPAWNS) {
      // A worker that cannot even start (say, the database will not open) is not retried forever.
      this.broken =
        error instanceof VmFault
          ? error
          : new Error(
              `read-only workers keep dying: ${error instanceof Error ? error.message : String(error)}`,
            );
      for (const w of this.queue.drain()) w.reject(this.broken);
      return;
    }
    // Replace the dead worker so that the pool keeps its size.
    this.replace();
  }
}

function refusal(message: string, retryAfterMs: number, details?: Record<string, unknown>): JobOutcome {
  return { ok: false, error: { code: RETRY_LATER, message, data: { retryAfterMs, ...details } } };
}
