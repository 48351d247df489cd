/**
 * Ending a worker thread that may be running: `Worker.terminate()` in the middle of
 * WebAssembly, an LMDB read or a native signature check can abort the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'") or hang it in
 * `node::FreeEnvironment` (dd59cf0). A pool instead asks its worker to finish what it was
 * sent, close its database and end by itself, and waits for it.
 */
import type { Worker } from "node:worker_threads";

/** How long a closing pool waits for a worker to end by itself before it terminates it. */
export const END_GRACE_MS = 10_000;

/**
 * Waits for `worker` to end by itself (`exited`); past `END_GRACE_MS` (a job far slower than
 * its bound, on a machine far overloaded) it is terminated, the risk of an abort taken only
 * at shutdown.
 */
export async function endWithin(worker: Worker, exited: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), END_GRACE_MS);
  });
  if ((await Promise.race([exited, late])) === "late") await worker.terminate();
  clearTimeout(timer);
}
