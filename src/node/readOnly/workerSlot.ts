/**
 * One slot of the read-only pool served by a worker thread (`worker.ts`): it starts the
 * worker, runs one job at a time on it with the job's wall-clock bound, and ends it.
 *
 * A job past `maxCallMs` is answered -32009 (`CALL_TIMEOUT`) at once and the slot leaves the
 * pool (the pool puts a fresh one in its place); the worker is never terminated while it
 * runs: `Worker.terminate()` in the middle of WebAssembly or an LMDB read aborts the whole
 * process ("terminate called after throwing an instance of 'Napi::Error'", seen in 5 runs
 * of 5 with 100 stopped calls) or can hang it. It finishes the job, which its gas cap (or a
 * log scan's read bound) bounds, and then closes its database and ends by itself
 * (`finish`). A pool that closes asks an idle worker to end at once and a busy one once its
 * job is done (`close`, `endWorker.ts`). A worker that dies, or cannot start, fails its job
 * with the error and leaves the pool, which decides whether to replace it (`lost`).
 */
import { Worker } from "node:worker_threads";
import { endWithin } from "../endWorker.js";
import { storeErrorFrom } from "../store/storeError.js";
import { startupFault } from "../workerStart.js";
import type { JobOutcome, ReadOnlyJob } from "./execute.js";
import type { WorkerMessage, WorkerReply, WorkerRequest, WorkerSetup } from "./worker.js";

/** JSON-RPC code of a job stopped at `maxCallMs`. */
export const CALL_TIMEOUT = -32009;

/** Where a job runs: one worker thread, or the main thread. */
export interface Slot {
  run(job: ReadOnlyJob): Promise<{ outcome: JobOutcome; ms: number }>;
  /** Modules of newly committed code (workers only). */
  adopt(modules: WorkerSetup["modules"]): void;
  close(): Promise<void>;
}

/** What a worker slot needs from its pool. */
export interface WorkerSlotOwner {
  /** What the worker opens and runs with. */
  setup(): WorkerSetup;
  /** V8 stack of the worker, MiB. */
  stackSizeMb: number;
  /** Most milliseconds a client waits for a job before it is answered -32009. */
  maxCallMs: number;
  /** The main thread's block clock, sent with each job. */
  nowMs(): number;
  /** Takes `slot` out of the pool; false if it was out already (or the pool is closed). */
  retire(slot: Slot): boolean;
  /** The retired slot's worker died, or could not start, with `error`. */
  lost(error: unknown): void;
  /** The worker answered a job: it is alive and well. */
  answered(): void;
  /** A job was stopped at `maxCallMs`. */
  timedOut(): void;
  /** The slot, retired after a stopped job, leaves its worker to finish the job and end (`exited`). */
  finish(worker: Worker, exited: Promise<void>): void;
  /** A worker has ended: true if it was one left to finish (`finish`), which the pool then forgets. */
  finished(worker: Worker): boolean;
}

/** Starts a worker and returns its slot, with `started`: settles once it has loaded (or rejects with why not). */
export function startWorkerSlot(owner: WorkerSlotOwner): { slot: Slot; started: Promise<void> } {
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: owner.setup(),
    resourceLimits: { stackSizeMb: owner.stackSizeMb },
  });
  let nextId = 1;
  let current: { id: number; resolve: (r: WorkerReply) => void; reject: (e: unknown) => void } | undefined;
  let started = false;
  const start = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", (error) => reject(startupFault("read-only worker", error)));
  });
  start.catch(() => undefined);
  const fail = (raw: unknown) => {
    const error = started ? raw : startupFault("read-only worker", raw);
    const job = current;
    current = undefined;
    job?.reject(error);
    if (owner.retire(slot)) owner.lost(error);
  };
  /** Set once the worker was asked to close its database and end (`worker.ts`). */
  let ending = false;
  /** Set when a job of its was stopped at `maxCallMs`: it ends once that job is done. */
  let finishing = false;
  /** Set when the pool closes while it runs a job: it ends once that job is done. */
  let stopping = false;
  const end = () => {
    if (ending) return;
    ending = true;
    worker.postMessage({ type: "close" } satisfies WorkerMessage);
  };
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (reply: WorkerReply) => {
    if ("ready" in reply) {
      started = true;
      if (stopping) end();
      return;
    }
    if (current?.id === reply.id) {
      const job = current;
      current = undefined;
      owner.answered();
      job.resolve(reply);
    }
    // The stopped job's answer (nobody waits for it any more), or the last before the pool closed.
    if (current === undefined && (finishing || stopping)) end();
  });
  worker.on("error", (error) => {
    if (!finishing && !ending) fail(error);
  });
  worker.on("exit", (code) => {
    if (owner.finished(worker)) return;
    if (!ending) fail(new Error(`read-only worker exited with code ${code}`));
  });
  const slot: Slot = {
    run: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const { maxCallMs } = owner;
        // Past maxCallMs the job is answered and another worker takes the slot; this one
        // finishes the job and ends (never terminated while it runs: see the file's comment).
        // The clock starts once the worker has started (a job may reach it earlier).
        let timer: NodeJS.Timeout | undefined;
        const onTime = () => {
          if (current?.id !== id) return;
          current = undefined;
          owner.timedOut();
          finishing = true;
          resolve({ outcome: timedOut(maxCallMs), ms: maxCallMs });
          // The pool closing: its close waits for this worker.
          if (owner.retire(slot)) owner.finish(worker, exited);
        };
        const arm = () => {
          if (current?.id === id) timer = setTimeout(onTime, maxCallMs);
        };
        current = {
          id,
          resolve: (reply) => {
            clearTimeout(timer);
            if ("ready" in reply) return;
            if (reply.ok) resolve({ outcome: reply.outcome, ms: reply.ms });
            // A failure of the chain database is the same typed error as on the main thread.
            else if (reply.store !== undefined) reject(storeErrorFrom(reply.store));
            else reject(new Error(`read-only worker failed: ${reply.failure}`));
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        const request: WorkerRequest = { type: "job", id, job, nowMs: owner.nowMs() };
        worker.postMessage(request);
        if (started) arm();
        else start.then(arm, () => undefined);
      }),
    adopt: (modules) => {
      if (!ending) worker.postMessage({ type: "modules", modules } satisfies WorkerMessage);
    },
    close: async () => {
      stopping = true;
      if (started && current === undefined && !finishing) end();
      await endWithin(worker, exited);
    },
  };
  return { slot, started: start };
}

function timedOut(maxCallMs: number): JobOutcome {
  return {
    ok: false,
    error: {
      code: CALL_TIMEOUT,
      message: `read-only call stopped: it ran longer than ${maxCallMs} ms (rpc.callTimeoutMs); give it a lower gas limit, or ask the node's operator to raise rpc.callTimeoutMs`,
      data: { maxCallMs },
    },
  };
}
