/** State snapshots that lie, for state-sync tests: an honest snapshot with some answers replaced. */
import type { StateSnapshot } from "../../src/state/merkle/snapshot.js";
import type { SubtreeSource } from "../../src/state/merkle/subtrees.js";

export function withIndex(snapshot: StateSnapshot, replaced: Partial<SubtreeSource>): StateSnapshot {
  const honest = snapshot.index;
  return {
    root: snapshot.root,
    index: {
      size: honest.size,
      measure: replaced.measure ?? ((p) => honest.measure(p)),
      summaries: replaced.summaries ?? ((p, d) => honest.summaries(p, d)),
      entries: replaced.entries ?? ((p) => honest.entries(p)),
    },
  };
}
