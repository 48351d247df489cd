/** Proposer selection: deterministic, in proportion to voting power, and never starving anyone. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ProposerSchedule } from "../../../src/consensus/proposerSelection.js";
import { testKeys, testSet } from "../../helpers/consensusKeys.js";

const keys = testKeys(6, "proposer");

describe("proposer selection", () => {
  it("equal powers take turns, round by round and height by height", () => {
    const s = new ProposerSchedule(testSet(keys.slice(0, 4)), 1);
    const byHeight = [1, 2, 3, 4, 5, 6, 7, 8].map((h) => s.proposer(h, 0));
    assert.deepEqual([...byHeight].slice(0, 4).sort(), [0, 1, 2, 3]);
    assert.deepEqual(byHeight.slice(4), byHeight.slice(0, 4));
    // Round r at height h is the proposer of height h + r: a failed round moves to the next in turn.
    assert.equal(s.proposer(3, 1), s.proposer(4, 0));
    assert.equal(
      s.proposer(2, 0),
      new ProposerSchedule(testSet(keys.slice(0, 4)), 1).proposer(2, 0),
      "deterministic",
    );
  });

  it("property: over many heights each validator proposes in proportion to its power", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 }), (powers) => {
        const set = testSet(keys.slice(0, powers.length), powers.map(BigInt));
        const s = new ProposerSchedule(set, 1);
        const total = powers.reduce((a, b) => a + b, 0);
        const heights = Math.min(total * 2, 3000);
        const counts = powers.map(() => 0);
        for (let h = 1; h <= heights; h++)
          counts[s.proposer(h, 0)] = (counts[s.proposer(h, 0)] as number) + 1;
        for (const [i, p] of powers.entries()) {
          const expected = (heights * p) / total;
          assert.ok(
            Math.abs((counts[i] as number) - expected) <= powers.length,
            `validator ${i} power ${p}: ${counts[i]} of ${heights}, expected ${expected}`,
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it("a validator with 1% of the power still proposes, about once in 100 heights", () => {
    const s = new ProposerSchedule(testSet(keys.slice(0, 2), [99n, 1n]), 10);
    const small = Array.from({ length: 400 }, (_, i) => s.proposer(10 + i, 0)).filter((p) => p === 1).length;
    assert.ok(small >= 3 && small <= 5, `${small} of 400`);
    assert.throws(() => s.proposer(9, 0), RangeError);
  });
});
