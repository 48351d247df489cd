/**
 * Who proposes at (height, round): a weighted round-robin in proportion to voting power,
 * after CometBFT's proposer priority. Every validator holds a priority, zero when its set
 * starts. One step: every priority grows by the validator's power, the highest priority
 * (ties: the lowest index) is chosen, and its priority drops by the total power. Over T
 * steps validator i is chosen within ±1 of T·power_i/total times, and never starves.
 *
 * Between steps the priorities are re-centred on their mean and, when their spread passes
 * twice the total power, divided down, so they stay within a few times the total power
 * forever (CometBFT's `PriorityWindowSizeFactor`).
 *
 * The proposer of (h, r) is the one chosen by step number (h - startHeight) + r + 1: each
 * height advances the schedule by one step, and a round r at that height by r more, as
 * CometBFT does (`CopyIncrementProposerPriority`). A new set (an epoch) starts from zeros at
 * its start height. All of it is integer arithmetic on bigints: every node computes the
 * same proposer.
 */
import type { ValidatorSet } from "./validatorSet.js";

const WINDOW_FACTOR = 2n;

export class ProposerSchedule {
  /** Priorities after `steps` steps. */
  private cached: { steps: number; priorities: bigint[] };

  constructor(
    readonly set: ValidatorSet,
    readonly startHeight: number,
  ) {
    this.cached = { steps: 0, priorities: set.validators.map(() => 0n) };
  }

  /** The index of the proposer of (height, round); heights before the set's start are refused. */
  proposer(height: number, round: number): number {
    if (height < this.startHeight || round < 0) {
      throw new RangeError(
        `no proposer for height ${height} round ${round} (set starts at ${this.startHeight})`,
      );
    }
    const base = this.prioritiesAfter(height - this.startHeight);
    const priorities = [...base];
    let chosen = 0;
    for (let i = 0; i <= round; i++) chosen = step(priorities, this.set);
    return chosen;
  }

  private prioritiesAfter(steps: number): readonly bigint[] {
    if (steps < this.cached.steps) this.cached = { steps: 0, priorities: this.set.validators.map(() => 0n) };
    const priorities = this.cached.priorities;
    for (let s = this.cached.steps; s < steps; s++) step(priorities, this.set);
    this.cached.steps = steps;
    return priorities;
  }
}

/** One step of the schedule, in place; returns the chosen index. */
function step(priorities: bigint[], set: ValidatorSet): number {
  rescale(priorities, set.totalPower);
  let chosen = 0;
  for (let i = 0; i < priorities.length; i++) {
    priorities[i] = (priorities[i] as bigint) + set.power(i);
    if ((priorities[i] as bigint) > (priorities[chosen] as bigint)) chosen = i;
  }
  priorities[chosen] = (priorities[chosen] as bigint) - set.totalPower;
  return chosen;
}

function rescale(priorities: bigint[], total: bigint): void {
  let min = priorities[0] as bigint;
  let max = min;
  let sum = 0n;
  for (const p of priorities) {
    if (p < min) min = p;
    if (p > max) max = p;
    sum += p;
  }
  const window = WINDOW_FACTOR * total;
  const spread = max - min;
  if (spread > window) {
    const divisor = (spread + window - 1n) / window;
    for (let i = 0; i < priorities.length; i++) priorities[i] = floorDiv(priorities[i] as bigint, divisor);
    sum = priorities.reduce((a, b) => a + b, 0n);
  }
  const mean = floorDiv(sum, BigInt(priorities.length));
  for (let i = 0; i < priorities.length; i++) priorities[i] = (priorities[i] as bigint) - mean;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
