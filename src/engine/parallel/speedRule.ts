/**
 * The speed rule: run a block in parallel only while parallel execution has been faster
 * than sequential for the blocks this engine has seen. Whether parallelism pays depends
 * on the work per transaction against the engine's fixed cost per transaction (a native
 * coin transfer of a few microseconds loses to its own bookkeeping; a contract call of
 * tens of microseconds wins), and on the machine; so the rule measures instead of
 * guessing.
 *
 * It keeps, for each mode, the costs of its last few blocks in milliseconds per unit of
 * work (the executor's measure of a receipt, e.g. gas; one per transaction by default)
 * and runs each block the way whose best recent cost is lower: the best, because a pause
 * (a collection, a compilation) only ever makes a block slower. Every `probeEvery` blocks
 * one runs the other way to keep both measured. A cost far from its mode's recent best
 * means the workload changed (a unit of gas does not cost the same in a coin transfer and
 * in a contract call): both modes are then measured afresh, twice each, before the rule
 * chooses again. Results never depend on the rule: both ways give identical results.
 */

export interface SpeedRuleOptions {
  /** One block in this many runs the way that currently looks slower (default 8). */
  probeEvery: number;
  /** Recent blocks remembered per mode (default 3). */
  window: number;
}

export const DEFAULT_SPEED_RULE: SpeedRuleOptions = { probeEvery: 8, window: 3 };

export type SpeedMode = "parallel" | "sequential";

/** A block this many times cheaper or dearer per unit than its mode's recent best means a new workload. */
const CHANGE = 2;
/** Blocks measured per mode after a change before the rule chooses. */
const LEARN = 2;

export class SpeedRule {
  /** Recent costs (ms per unit of work), newest last. */
  private readonly costs: Record<SpeedMode, number[]> = { parallel: [], sequential: [] };
  private sinceProbe = 0;

  constructor(private readonly options: SpeedRuleOptions = DEFAULT_SPEED_RULE) {
    if (!Number.isInteger(options.probeEvery) || options.probeEvery < 2)
      throw new RangeError(`probeEvery must be an integer >= 2, got ${options.probeEvery}`);
    if (!Number.isInteger(options.window) || options.window < LEARN)
      throw new RangeError(`window must be an integer >= ${LEARN}, got ${options.window}`);
  }

  /** How the next block should run, and whether that is only to measure (a probe). */
  choose(): { mode: SpeedMode; probe: boolean } {
    const { parallel, sequential } = this.costs;
    // Learning (at the start, or after a change): alternate, parallel first.
    if (parallel.length < LEARN || sequential.length < LEARN) {
      return { mode: parallel.length <= sequential.length ? "parallel" : "sequential", probe: true };
    }
    const faster: SpeedMode = best(parallel) <= best(sequential) ? "parallel" : "sequential";
    if (++this.sinceProbe >= this.options.probeEvery) {
      this.sinceProbe = 0;
      return { mode: faster === "parallel" ? "sequential" : "parallel", probe: true };
    }
    return { mode: faster, probe: false };
  }

  /** Records how long a block of `work` units took in `mode`. */
  record(mode: SpeedMode, ms: number, work: number): void {
    if (!(work > 0) || !(ms >= 0)) return;
    const cost = ms / work;
    const mine = this.costs[mode];
    if (mine.length >= LEARN) {
      const recent = best(mine);
      if (cost > recent * CHANGE || cost * CHANGE < recent) {
        this.costs.parallel = [];
        this.costs.sequential = [];
        this.sinceProbe = 0;
      }
    }
    const list = this.costs[mode];
    list.push(cost);
    if (list.length > this.options.window) list.shift();
  }

  /** The best recent cost of each mode (ms per unit of work), for statistics and tests. */
  estimates(): { parallel?: number; sequential?: number } {
    const out: { parallel?: number; sequential?: number } = {};
    if (this.costs.parallel.length > 0) out.parallel = best(this.costs.parallel);
    if (this.costs.sequential.length > 0) out.sequential = best(this.costs.sequential);
    return out;
  }
}

function best(costs: number[]): number {
  return Math.min(...costs);
}
