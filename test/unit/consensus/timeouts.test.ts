/**
 * Round timeouts back off. Under load (the e2e suite at machine load 30) a block took 2-7 s
 * to build and as long to check, longer than round 0's 3 s propose timeout: most validators
 * prevoted nil, the precommits split, and the round failed. With timeouts growing 0.5 s a
 * round, waiting long enough took up to 10 rounds, at every height. They now grow 1.5× a
 * round (the linear term kept, so they still grow without bound: the liveness argument).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_TIMEOUTS, timeoutMs } from "../../../src/consensus/timeouts.js";
import { Step } from "../../../src/consensus/types.js";

/** The first round whose propose timeout lets a proposal that takes `ms` to arrive be heard. */
function roundsToWait(ms: number): number {
  let round = 0;
  while (timeoutMs(DEFAULT_TIMEOUTS, Step.Propose, round) < ms) round++;
  return round;
}

describe("round timeouts", () => {
  it("round 0 is CometBFT's, and a slow proposal is waited for within a few rounds", () => {
    assert.equal(timeoutMs(DEFAULT_TIMEOUTS, Step.Propose, 0), 3_000);
    assert.equal(timeoutMs(DEFAULT_TIMEOUTS, Step.Prevote, 0), 1_000);
    assert.equal(timeoutMs(DEFAULT_TIMEOUTS, Step.Precommit, 0), 1_000);
    assert.equal(roundsToWait(8_000), 3, "8 s: three failed rounds at most, not ten");
    assert.equal(roundsToWait(30_000), 6);
    // Prevote and precommit back off alike: votes that arrive late are waited for too.
    assert.ok(timeoutMs(DEFAULT_TIMEOUTS, Step.Prevote, 3) >= 4_000);
  });

  it("they grow every round without bound, the exponential term capped", () => {
    let last = 0;
    for (let round = 0; round < 2_000; round++) {
      const t = timeoutMs(DEFAULT_TIMEOUTS, Step.Propose, round);
      assert.ok(t > last, `round ${round}: ${t} ms after ${last}`);
      last = t;
    }
    assert.equal(timeoutMs(DEFAULT_TIMEOUTS, Step.Propose, 100), 60_000 + 100 * 500);
    assert.ok(Number.isSafeInteger(timeoutMs(DEFAULT_TIMEOUTS, Step.Propose, 1e6)));
  });

  it("a config without growth keeps the paper's linear timeouts", () => {
    const linear = {
      propose: { baseMs: 300, incrementMs: 100 },
      prevote: { baseMs: 200, incrementMs: 100 },
      precommit: { baseMs: 200, incrementMs: 100 },
    };
    assert.deepEqual(
      [0, 1, 2, 10].map((r) => timeoutMs(linear, Step.Propose, r)),
      [300, 400, 500, 1_300],
    );
  });
});
