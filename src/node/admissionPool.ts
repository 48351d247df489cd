/**
 * Admission on worker threads: raw transactions submitted in the same event-loop turn (a
 * JSON-RPC batch, or many requests at once) are gathered and sent to the workers in one
 * message per worker, which decode and validate them (signature checks included) against
 * the committed state; the main thread only checks duplicates and adds to the pool.
 */

import { Worker } from "node:worker_threads";
import type { BlockContext } from "../chain/blockContext.js";
import { WORKER_STACK_MB } from "../engine/parallel/protocol.js";
import type { ModuleList } from "../vm/moduleCache.js";
import type {
  AdmissionMessage,
  AdmissionRequest,
  AdmissionSetup,
  WorkerAnswer,
  WorkerVerdict,
} from "./admissionWorker.js";
import { endWithin } from "./endWorker.js";
import { type InjectedReadFault, storeErrorFrom } from "./store/storeError.js";
import { startupFault } from "./workerStart.js";

interface Waiting {
  raw: Uint8Array;
  resolve: (v: WorkerVerdict) => void;
  reject: (e: unknown) => void;
}

export class AdmissionPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (answers: WorkerAnswer[]) => void>();
  private queue: Waiting[] = [];
  private scheduled = false;
  private nextId = 1;
  private next = 0;
  private failure: Error | undefined;
  /** Settles when each worker has ended (`close`). */
  private readonly exits: Array<Promise<void>> = [];
  /** Set by `close`: nothing more is sent to the workers. */
  private closing = false;
  /** Settles when every worker has loaded (or one failed to: the typed error, a VmFault say). */
  readonly ready: Promise<void>;

  /**
   * `modules`: the main thread's compiled code, so that the workers compile none
   * (`vm/moduleCache.ts`); `readFault`: tests only, every read of the workers' database fails so.
   */
  constructor(
    dataDir: string,
    count: number,
    private readonly nextBlock: () => BlockContext,
    modules: ModuleList = [],
    stackSizeMb = WORKER_STACK_MB,
    readFault?: InjectedReadFault,
  ) {
    const started: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const setup: AdmissionSetup = { dataDir, modules, ...(readFault === undefined ? {} : { readFault }) };
      const worker = new Worker(new URL("./admissionWorker.js", import.meta.url), {
        workerData: setup,
        resourceLimits: { stackSizeMb },
      });
      started.push(
        new Promise((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", (error) => reject(startupFault("admission worker", error)));
        }),
      );
      worker.on("message", (m: { type?: "ready"; id: number; verdicts: WorkerAnswer[] }) => {
        if (m.type === "ready") return;
        const done = this.pending.get(m.id);
        this.pending.delete(m.id);
        done?.(m.verdicts);
      });
      worker.on("error", (error) => {
        this.failure = startupFault("admission worker", error);
      });
      this.workers.push(worker);
      this.exits.push(new Promise((resolve) => worker.once("exit", () => resolve())));
    }
    this.ready = Promise.all(started).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  /** Gives every worker the modules of newly committed code. */
  adopt(modules: ModuleList): void {
    const message: AdmissionMessage = { type: "modules", modules };
    for (const w of this.workers) w.postMessage(message);
  }

  /** The verdict on `raw`, from a worker. */
  judge(raw: Uint8Array): Promise<WorkerVerdict> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error("admission pool closed: the node is stopping"));
    return new Promise((resolve, reject) => {
      this.queue.push({ raw, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const items = this.queue;
    this.queue = [];
    if (this.closing) {
      for (const w of items) w.reject(new Error("admission pool closed: the node is stopping"));
      return;
    }
    const block = this.nextBlock();
    const chunk = Math.ceil(items.length / this.workers.length);
    for (let at = 0; at < items.length; at += chunk) {
      const part = items.slice(at, at + chunk);
      const id = this.nextId++;
      const worker = this.workers[this.next++ % this.workers.length] as Worker;
      this.pending.set(id, (answers) => {
        for (const [i, w] of part.entries()) {
          const answer = answers[i] as WorkerAnswer;
          if (!("failed" in answer)) w.resolve(answer);
          // A failure of the chain database is the same typed error as on the main thread.
          else if (answer.store !== undefined) w.reject(storeErrorFrom(answer.store));
          else w.reject(new Error(`admission worker failed: ${answer.message}`));
        }
      });
      const request: AdmissionRequest = { type: "judge", id, raws: part.map((w) => w.raw), block };
      try {
        worker.postMessage(request);
      } catch (error) {
        this.pending.delete(id);
        for (const w of part) w.reject(error);
      }
    }
  }

  /**
   * Ends the workers without terminating one that is judging (`endWorker.ts`: signature
   * checks and LMDB reads are native code): each finishes the batches it was sent, closes
   * its database and ends. Transactions not yet sent to a worker are refused.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.workers) w.postMessage({ type: "close" } satisfies AdmissionMessage);
    await Promise.all(this.workers.map((w, i) => endWithin(w, this.exits[i] as Promise<void>)));
  }
}
