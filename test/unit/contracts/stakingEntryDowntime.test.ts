/**
 * user15's item 11: a validator's `missed` count fell 13 -> 1 in ~20 blocks (heights 428 ->
 * 447) where the window, by its bitmap, should forget a miss only 100 heights later. Here, with
 * the real end-of-block step and epochs of 100 blocks, a validator enters the set at an epoch
 * boundary by out-staking a member and misses 13 certificates while its node catches up:
 *
 * - entering at 401 and missing 401..413: the count holds at 13 until the same slots come round
 *   (certified heights 501..513), then falls one a height to 0: nothing is forgotten early;
 * - entering one epoch earlier (at 301) and missing 328..340: the count is 13 at 428 and falls
 *   one a height from 429 to 0 at 441 — the shape user15 saw. A fast fall is the window forgetting
 *   misses made 100 heights before, so the validator was in the set an epoch before the one it
 *   was thought to have entered (its node caught up then; the count's first misses were older).
 *
 * Both runs are the same on every node: the count depends on the blocks' certificates alone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";

/** Runs to height `to`: `newcomer` out-stakes the members at `stakeAt` and misses the certificates of `missed`. */
function run(stakeAt: number, missed: [number, number], to: number): Map<number, number> {
  const net = new Network({
    validators: [2, 3, 4, 5, 6].map((n) => ({ n, commissionBps: 0, stake: (n === 6 ? 1n : 1000n) * WAD })),
    activeSize: 4,
    epochLength: 100n,
  });
  const [proposer, , , , newcomer] = net.validators as [Address, Address, Address, Address, Address];
  const counts = new Map<number, number>();
  for (let h = Number(net.chain.block.height); h <= to; h++) {
    if (h === stakeAt) net.ok(net.send(newcomer, "delegate", [newcomer], 2_000n * WAD));
    if (h === 1) {
      net.fullBlock(proposer);
      continue;
    }
    const set = net.setAt(BigInt(h - 1));
    const signed = set.validators
      .map((_, i) => i)
      .filter((i) => set.validators[i]?.address !== newcomer || h - 1 < missed[0] || h - 1 > missed[1]);
    net.signedBlock(proposer, signed);
    // The count after block h, whose end-of-block step recorded the certificate of h − 1.
    counts.set(h, Number(net.view("missedBlocks", [newcomer])));
  }
  return counts;
}

describe("staking: downtime of a validator entering the set at an epoch boundary", () => {
  it("entering at 401, missing 401..413: 13 until the slots come round, then one less a height", () => {
    const counts = run(390, [401, 413], 520);
    assert.equal(counts.get(401), 0, "not in the set before 401");
    assert.equal(counts.get(414), 13);
    for (let h = 414; h <= 501; h++) assert.equal(counts.get(h), 13, `height ${h}`);
    for (let h = 502; h <= 515; h++) assert.equal(counts.get(h), Math.max(0, 13 - (h - 501)), `height ${h}`);
  });

  it("entering at 301, missing 328..340: 13 at 428, falling to 0 by 441 (user15's shape)", () => {
    const counts = run(290, [328, 340], 450);
    assert.equal(counts.get(428), 13);
    assert.equal(counts.get(435), 6);
    assert.equal(counts.get(441), 0);
    assert.equal(counts.get(447), 0);
  });
});
