/**
 * What a `ChainNode` logs of the blocks it produces: the transactions a block dropped, a
 * failure after its commit, and a block that failed to be produced (its stage, and the
 * transaction at fault that was dropped).
 */
import type { BlockProductionError, ProducedBlock } from "./producer.js";

type Log = (level: "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

/** Logs what went wrong around a produced block (nothing when all went well). */
export function logProduced(log: Log, produced: ProducedBlock): void {
  for (const d of produced.dropped) {
    const what = d.cause === "bound" ? "over the block's receipt bound" : "invalid at execution";
    log("warn", `dropped a transaction ${what}`, { ...d });
  }
  if (produced.afterCommitError !== undefined)
    log("error", "block committed, then a failure", {
      number: produced.block.header.number,
      error: produced.afterCommitError,
    });
}

/** Logs a block that failed to be produced. */
export function logBlockFault(log: Log, error: BlockProductionError): void {
  log("error", "block production failed", {
    number: error.number,
    stage: error.stage,
    error: error.message,
    ...(error.culprit === undefined ? {} : { dropped: error.culprit.hash, reason: error.culprit.reason }),
  });
}
