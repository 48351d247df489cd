/**
 * Ending a worker thread that may be running: `Worker.terminate()` in the middle of
 * WebAssembly, an LMDB read or a native signature check can abort the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'") or hang it in
 * `node::FreeEnvironment` (dd59cf0). A pool instead asks its worker to finish what it was
 * sent, close its database and end by itself, and waits for it.
 */
import type { Worker } from "node:worker_threads";

/** How long a closing pool waits for a worker to end by itself before it stops waiting. */
export const END_GRACE_MS = 10_000;

/**
 * Waits for `worker` to end by itself (`exited`). Past `END_GRACE_MS` (a job far slower than
 * its bound, on a machine far overloaded) the pool stops waiting but still does not terminate
 * it (a terminate then hung a test process for minutes): the worker is unref'd, so that it
 * keeps nothing alive, and ends once its job is done. Returns whether it had ended.
 */
export async function endWithin(worker: Worker, exited: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), END_GRACE_MS);
  });
  const ended = (await Promise.race([exited, late])) !== "late";
  clearTimeout(timer);
  if (!ended) worker.unref();
  return ended;
}
