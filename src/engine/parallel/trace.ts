/**
 * The engine's optional trace of a parallel block (`ParallelEngineOptions.trace`): the
 * workers' task records merged into one timeline relative to the block's start, and the
 * keys behind validation aborts and dependency waits, most frequent first.
 */
import type { FromWorker } from "./protocol.js";

/** How a parallel block ran: every task on every worker, and the keys behind conflicts. */
export interface BlockTrace {
  /** Tasks in start order: worker, transaction, incarnation, µs since the block's start, kind. */
  tasks: Array<{
    worker: number;
    tx: number;
    incarnation: number;
    startUs: number;
    endUs: number;
    kind: "execute" | "validate" | "abort" | "wait";
  }>;
  /** Keys that caused validation aborts or dependency waits, most frequent first, with the transactions involved. */
  conflicts: Array<{ key: string; count: number; txs: number[] }>;
}

/** Merges the workers' trace records (see `FromWorker` "blockDone") into a `BlockTrace`. */
export function collectTrace(replies: FromWorker[], startUs: number): BlockTrace {
  const kinds = ["execute", "validate", "abort", "wait"] as const;
  const tasks: BlockTrace["tasks"] = [];
  const byKey = new Map<string, number[]>();
  replies.forEach((m, worker) => {
    if (m.type !== "blockDone") return;
    const t = m.trace ?? new Float64Array(0);
    for (let i = 0; i + 4 < t.length; i += 5) {
      tasks.push({
        worker,
        tx: t[i] as number,
        incarnation: t[i + 1] as number,
        startUs: Math.round((t[i + 2] as number) - startUs),
        endUs: Math.round((t[i + 3] as number) - startUs),
        kind: kinds[t[i + 4] as number] ?? "execute",
      });
    }
    for (const [key, tx] of m.conflicts ?? []) {
      const list = byKey.get(key) ?? [];
      list.push(tx);
      byKey.set(key, list);
    }
  });
  tasks.sort((a, b) => a.startUs - b.startUs);
  const conflicts = [...byKey]
    .map(([key, txs]) => ({ key, count: txs.length, txs: [...new Set(txs)].sort((a, b) => a - b) }))
    .sort((a, b) => b.count - a.count);
  return { tasks, conflicts };
}
