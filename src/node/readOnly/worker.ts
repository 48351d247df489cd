/**
 * A read-only execution worker: runs `weft_call` and `weft_estimateGas` jobs, and log
 * queries (`logScan.ts`), against the committed head, read straight from the chain database (LMDB lets every thread read the
 * environment the main thread writes). A job runs synchronously within one turn, and
 * LMDB's read transaction is renewed only between turns, so the head it reads and every
 * state read of the job come from the same committed block.
 */
import { parentPort, workerData } from "node:worker_threads";
import { evmFromWasm } from "../../chain/evmFromWasm.js";
import type { Address } from "../../codec/address.js";
import type { ModuleList } from "../../vm/moduleCache.js";
import { assertThreadStack } from "../../vm/stackCheck.js";
import { createVm } from "../../vm/vm.js";
import { nextBlockContext } from "../producer.js";
import { openChainDb } from "../store/chainDb.js";
import type { BlockHeader } from "../store/records.js";
import {
  type InjectedReadFault,
  injectedReadFaults,
  type StoreErrorData,
  storeErrorData,
  storeErrorIn,
} from "../store/storeError.js";
import { executeReadOnly, type JobOutcome, type ReadOnlyJob } from "./execute.js";
import { jobView, runOnView } from "./historicalView.js";
import { runScan } from "./logScan.js";

export interface WorkerSetup {
  dataDir: string;
  chainId: bigint;
  feeRecipient: Address;
  minBaseFee: bigint;
  gasCap: number;
  /** The main thread's compiled modules of every stored code (`vm/moduleCache.ts`). */
  modules: ModuleList;
  /** Tests only: `false` lets a worker with too small a stack start, to provoke a real `STACK_OVERFLOW`. */
  stackCheck?: false;
  /** Tests only: every read of this worker's database fails so. */
  readFault?: InjectedReadFault;
}

export interface WorkerRequest {
  type: "job";
  id: number;
  job: ReadOnlyJob;
  /** The main thread's block clock, for the next block's time. */
  nowMs: number;
}

/**
 * What the pool sends: a job, the modules of newly committed code, or `close`: close the
 * database and end (the pool never terminates a worker that may be running a job).
 */
export type WorkerMessage = WorkerRequest | { type: "modules"; modules: ModuleList } | { type: "close" };

/**
 * The outcome and how long the job ran on this thread, or a fault of the node (`store`
 * when it is a failure of the chain database); `ready` once loaded.
 */
export type WorkerReply =
  | { id: number; ok: true; outcome: JobOutcome; ms: number }
  | { id: number; ok: false; failure: string; store?: StoreErrorData }
  | { id: 0; ready: true };

if (parentPort !== null) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  // Calls run contracts here: the stack must hold the VM's budget (else VmFault at start).
  if (setup.stackCheck !== false) assertThreadStack("a read-only worker");
  // No page walk: the main thread walked the file when it opened it, and it may be committing
  // while this worker starts, so plain reads of its pages here can see a commit half written
  // (a false CORRUPT_FILE: "the main tree records 1 entries, its tree holds 2", CI, admissionClose).
  const db = openChainDb(setup.dataDir, { walk: "none", ...injectedReadFaults(setup.readFault) });
  const vm = createVm({ evm: evmFromWasm });
  vm.cache.adopt(setup.modules);
  const read = (key: string) => db.state.get(key);
  port.postMessage({ id: 0, ready: true } satisfies WorkerReply);
  port.on("message", (m: WorkerMessage) => {
    if (m.type === "modules") {
      vm.cache.adopt(m.modules);
      return;
    }
    if (m.type === "close") {
      // With the port and the database closed nothing is left to run: the thread ends.
      port.close();
      void db.close();
      return;
    }
    const started = performance.now();
    let reply: WorkerReply;
    try {
      // The head is read from the database, not `db.head()` (cached in this thread at open).
      const head = db.meta<BlockHeader>("head") as BlockHeader;
      const job = m.job;
      const outcome =
        job.kind === "logs" || job.kind === "blockHashes"
          ? runScan({ db, read, head: head.number }, job)
          : runOnView(
              () =>
                jobView(db, head, job, setup.chainId, read, () =>
                  nextBlockContext(head, db, setup.chainId, setup.feeRecipient, setup.minBaseFee, m.nowMs),
                ),
              (view) => executeReadOnly({ vm, ...view, gasCap: setup.gasCap }, job),
            );
      reply = { id: m.id, ok: true, outcome, ms: performance.now() - started };
    } catch (error) {
      const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const store = storeErrorIn(error);
      reply =
        store === undefined
          ? { id: m.id, ok: false, failure }
          : { id: m.id, ok: false, failure, store: storeErrorData(store) };
    }
    port.postMessage(reply);
  });
}
