/**
 * How long a step waits before giving up on a round: per step,
 * `min(base × growth^round, capMs) + round × increment`. The paper's timeouts grow linearly
 * (timeoutPropose(r) = timeoutPropose + r·Δ); the linear term is kept, so the timeouts still
 * grow without bound with the round and, after GST, whatever the (unknown) message delay,
 * some round has timeouts long enough for every correct validator to hear every other: the
 * liveness argument (ARCHITECTURE.md, "Consensus").
 *
 * The exponential term is how they back off. On a loaded machine a block took seconds to
 * build and as long again to check (seen: 2-7 s at load 30), longer than round 0's 3 s: the
 * proposal arrived after most validators had prevoted nil, the precommits split, and the
 * round failed. Growing by 0.5 s a round, a height needed up to 8 rounds to wait long enough,
 * at every height (round 0 again each time); growing 1.5× a round, it needs 3 (the e2e
 * suite's partition healed in up to 97 s at load 30, height after height of failed rounds).
 * `capMs` bounds the exponential term so that it never overflows a timer.
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
  /** Each round's base is the last one's times this (default 1: linear, as in the paper). */
  readonly growth?: number;
  /** Most ms of the exponential term (default 60,000); the linear term goes on growing. */
  readonly capMs?: number;
  /**
   * Most rounds of timeout a height starts ahead by, learnt from the heights before it
   * (`nextPace`; default 0: every height starts at round 0's timeouts, as in the paper).
   */
  readonly maxPace?: number;
}

/**
 * CometBFT's bases and increments (propose 3 s + 0.5 s per round, prevote and precommit 1 s +
 * 0.5 s), backing off 1.5× a round: propose 3, 5, 7.8, 11.6, 17.2 s in rounds 0-4.
 */
export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 3000, incrementMs: 500 },
  prevote: { baseMs: 1000, incrementMs: 500 },
  precommit: { baseMs: 1000, incrementMs: 500 },
  growth: 1.5,
  capMs: 60_000,
  maxPace: 4,
};

/**
 * The pace the next height starts at, after a height decided in round `decidedRound` at pace
 * `pace` (its round r waited as round `pace + r` would): the timeouts that let a round decide
 * are where the next height starts, and a height decided in its first round lowers the pace by
 * one, so a machine that got quiet again is back at round 0's timeouts a few heights later.
 * At most `maxPace`: a pace only shifts where the timeouts start, never how they grow, so the
 * liveness argument is unchanged; it costs time only when a round fails anyway (an offline
 * proposer's round waits the longer timeout).
 */
export function nextPace(config: TimeoutConfig, pace: number, decidedRound: number): number {
  const max = config.maxPace ?? 0;
  if (decidedRound > 0) return Math.min(max, pace + decidedRound);
  return Math.max(0, Math.min(max, pace - 1));
}

export function timeoutMs(config: TimeoutConfig, step: Step, round: number): number {
  const t =
    step === Step.Propose ? config.propose : step === Step.Prevote ? config.prevote : config.precommit;
  const grown = Math.min(t.baseMs * (config.growth ?? 1) ** round, config.capMs ?? 60_000);
  return Math.round(Math.max(t.baseMs, grown) + round * t.incrementMs);
}
