/**
 * The parallel engine's worker threads (`worker.ts`): started once with the shared memory
 * and the executor module, each given a channel to every other executor (the workers, and
 * the engine thread's at index `count`), then asked one request at a time. A worker that
 * fails or exits marks the pool broken and aborts the run in progress (the others stop:
 * its tasks will never finish); every later block then runs sequentially.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { EngineStartError } from "./engineApi.js";
import {
  type ContentionRule,
  type ExecutorModuleSpec,
  type FromWorker,
  type ToWorker,
  WORKER_STACK_MB,
} from "./protocol.js";
import { abortRun } from "./scheduler.js";
import { CTL, type SharedBuffers, type SharedViews } from "./shared.js";

export interface WorkerPool {
  readonly workers: readonly Worker[];
  /** Set when a worker died: every later block runs sequentially, and says so. */
  readonly broken: string | undefined;
  /**
   * Where a worker's `"receipts"` parts go (they answer no request): set for a block whose
   * lone worker sends them, unset after (a part with no receiver is dropped).
   */
  onReceipts: ((bytes: Uint8Array) => void) | undefined;
  /** Sends `message` to worker `id`; resolves with its answer. */
  request(id: number, message: ToWorker, transfer?: readonly MessagePort[]): Promise<FromWorker>;
  /** Stops every worker and closes the engine thread's channels. */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  count: number;
  /** V8 stack of each worker, MiB (default `WORKER_STACK_MB`). */
  stackSizeMb?: number | undefined;
  shared: SharedBuffers;
  views: SharedViews;
  executor: ExecutorModuleSpec;
  contention: ContentionRule | false;
  /** Given the engine thread's ends of its channels to the workers, before they start. */
  share?: ((ports: MessagePort[]) => void) | undefined;
}

/** Throws unless a worker answered `type`: `EngineStartError` for an error with a code, else an `Error`. */
export function expect(m: FromWorker, type: FromWorker["type"]): void {
  if (m.type === "error" && m.code !== undefined) {
    const first = m.message.split("\n")[0] ?? m.message;
    throw new EngineStartError(m.code, `parallel engine worker failed: ${first}`, m.details ?? []);
  }
  if (m.type === "error") throw new Error(`parallel engine worker failed: ${m.message}`);
  if (m.type !== type) throw new Error(`parallel engine worker answered ${m.type}, expected ${type}`);
}

/** Starts `count` workers and waits until each is ready; `EngineStartError` (all stopped) if one is not. */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { count, views } = options;
  const workers: Worker[] = [];
  /** Set when a worker died: every later block runs sequentially, and says so. */
  let broken: string | undefined;
  let closing = false;
  const inbox: Array<Array<(m: FromWorker) => void>> = [];
  const pool = { onReceipts: undefined as ((bytes: Uint8Array) => void) | undefined };
  for (let id = 0; id < count; id++) {
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      resourceLimits: { stackSizeMb: options.stackSizeMb ?? WORKER_STACK_MB },
    });
    const waiting: Array<(m: FromWorker) => void> = [];
    worker.on("message", (m: FromWorker) => {
      if (m.type === "receipts") pool.onReceipts?.(m.bytes);
      else waiting.shift()?.(m);
    });
    worker.on("error", (error) => {
      broken = `worker ${id} failed: ${String(error)}`;
      Atomics.store(views.ctl, CTL.failed, 1);
      abortRun(views); // the others stop: the dead worker's tasks will never finish
      for (const w of waiting.splice(0)) w({ type: "error", message: String(error) });
    });
    worker.on("exit", (code) => {
      if (closing) return;
      broken = `worker ${id} exited (code ${code})`;
      Atomics.store(views.ctl, CTL.failed, 1);
      abortRun(views);
      for (const w of waiting.splice(0)) w({ type: "error", message: broken });
    });
    workers.push(worker);
    inbox.push(waiting);
  }
  const request = (
    id: number,
    message: ToWorker,
    transfer: readonly MessagePort[] = [],
  ): Promise<FromWorker> =>
    new Promise((resolve) => {
      inbox[id]?.push(resolve);
      workers[id]?.postMessage(message, transfer);
    });
  // A channel between every two executors (the workers, and this thread's at index `count`).
  const peers: MessagePort[][] = Array.from({ length: count + 1 }, () => []);
  for (let i = 0; i <= count; i++)
    for (let j = i + 1; j <= count; j++) {
      const { port1, port2 } = new MessageChannel();
      peers[i]?.push(port1);
      peers[j]?.push(port2);
    }
  const localPeers = peers[count] ?? [];
  options.share?.(localPeers);
  const started = await Promise.all(
    workers.map((_, id) =>
      request(
        id,
        {
          type: "init",
          workerId: id,
          workers: count,
          shared: options.shared,
          executor: options.executor,
          contention: options.contention,
          peers: peers[id] ?? [],
        },
        peers[id],
      ),
    ),
  );
  try {
    for (const m of started) expect(m, "ready");
  } catch (error) {
    closing = true;
    for (const port of localPeers) port.close();
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }

  return {
    workers,
    get onReceipts() {
      return pool.onReceipts;
    },
    set onReceipts(handler) {
      pool.onReceipts = handler;
    },
    get broken() {
      return broken;
    },
    request,
    async close() {
      closing = true;
      for (const port of localPeers) port.close();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
