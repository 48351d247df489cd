/**
 * How long a step waits before giving up on a round: `base + round × increment`, per step,
 * as in the paper (timeoutPropose(r) = timeoutPropose + r·Δ). The timeouts grow without
 * bound with the round, so after GST, whatever the (unknown) message delay, some round has
 * timeouts long enough for every correct validator to hear every other: the liveness argument
 * (ARCHITECTURE.md, "Consensus").
 */
import { Step } from "./types.js";

export interface StepTimeout {
  readonly baseMs: number;
  readonly incrementMs: number;
}

export interface TimeoutConfig {
  readonly propose: StepTimeout;
  readonly prevote: StepTimeout;
  readonly precommit: StepTimeout;
}

/** CometBFT's defaults: propose 3 s + 0.5 s per round, prevote and precommit 1 s + 0.5 s. */
export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 3000, incrementMs: 500 },
  prevote: { baseMs: 1000, incrementMs: 500 },
  precommit: { baseMs: 1000, incrementMs: 500 },
};

export function timeoutMs(config: TimeoutConfig, step: Step, round: number): number {
  const t =
    step === Step.Propose ? config.propose : step === Step.Prevote ? config.prevote : config.precommit;
  return t.baseMs + round * t.incrementMs;
}
