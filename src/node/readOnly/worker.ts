/**
 * A read-only execution worker: runs `weft_call` and `weft_estimateGas` jobs against the
 * committed head, read straight from the chain database (LMDB lets every thread read the
 * environment the main thread writes). A job runs synchronously within one turn, and
 * LMDB's read transaction is renewed only between turns, so the head it reads and every
 * state read of the job come from the same committed block.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Address } from "../../codec/address.js";
import { createVm } from "../../vm/vm.js";
import { nextBlockContext } from "../producer.js";
import { openChainDb } from "../store/chainDb.js";
import type { BlockHeader } from "../store/records.js";
import { executeReadOnly, type JobOutcome, type ReadOnlyJob } from "./execute.js";

export interface WorkerSetup {
  dataDir: string;
  chainId: bigint;
  feeRecipient: Address;
  minBaseFee: bigint;
  gasCap: number;
}

export interface WorkerRequest {
  id: number;
  job: ReadOnlyJob;
  /** The main thread's block clock, for the next block's time. */
  nowMs: number;
}

/** The outcome and how long the job ran on this thread, or a fault of the node. */
export type WorkerReply =
  | { id: number; ok: true; outcome: JobOutcome; ms: number }
  | { id: number; ok: false; failure: string };

if (parentPort !== null) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const db = openChainDb(setup.dataDir);
  const vm = createVm();
  const read = (key: string) => db.state.get(key);
  port.on("message", (m: WorkerRequest) => {
    const started = performance.now();
    let reply: WorkerReply;
    try {
      // The head is read from the database, not `db.head()` (cached in this thread at open).
      const head = db.meta<BlockHeader>("head") as BlockHeader;
      const block = nextBlockContext(head, setup.chainId, setup.feeRecipient, setup.minBaseFee, m.nowMs);
      const outcome = executeReadOnly({ vm, read, block, gasCap: setup.gasCap }, m.job);
      reply = { id: m.id, ok: true, outcome, ms: performance.now() - started };
    } catch (error) {
      reply = {
        id: m.id,
        ok: false,
        failure: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    port.postMessage(reply);
  });
}
