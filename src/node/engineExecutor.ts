/**
 * The parallel engine as block production sees it (`BlockExecutor`, buildBlock.ts): its
 * `executeBlock`, and how the last block ran in the form the node stores and shows
 * (`BlockExecutionStats`: the timeline cut at `MAX_TIMELINE_TASKS`, at most 20 conflict keys
 * of 50 transactions each).
 */
import type { BlockExecutor } from "./buildBlock.js";
import type { ChainEngine } from "./openChain.js";
import { MAX_TIMELINE_TASKS } from "./store/records.js";

export function engineExecutor(engine: ChainEngine): BlockExecutor {
  return {
    executeBlock: (pre, txs, ctx, budget) => engine.executeBlock(pre, txs, ctx, budget),
    stats: () => {
      const s = engine.lastStats;
      if (s === undefined) return undefined;
      const out: ReturnType<BlockExecutor["stats"]> & object = {
        mode: s.mode,
        workers: engine.workers,
        executions: s.executions,
        validationAborts: s.validationAborts,
        dependencyWaits: s.dependencyWaits,
      };
      if (s.fallbackReason !== undefined) out.fallbackReason = s.fallbackReason;
      if (s.attempt !== undefined) out.attempt = s.attempt;
      if (s.handedOutAtCut !== undefined) out.handedOutAtCut = s.handedOutAtCut;
      if (s.phases !== undefined) out.phases = s.phases;
      if (s.workerMs !== undefined) out.workerMs = s.workerMs;
      if (s.trace !== undefined) {
        out.timeline = s.trace.tasks.slice(0, MAX_TIMELINE_TASKS);
        if (s.trace.tasks.length > MAX_TIMELINE_TASKS) out.timelineTruncated = true;
        out.conflicts = s.trace.conflicts.slice(0, 20).map((c) => ({ ...c, txs: c.txs.slice(0, 50) }));
      }
      return out;
    },
  };
}
