/**
 * Tendermint on a simulated network of 4 and 7 validators (test/helpers/consensusSim.ts):
 * random delays and reordering, late messages, partitions, crashes and restarts, byzantine
 * validators. After each run: no fork (agreement), no honest double sign, and progress once
 * the fault heals. Every run is a seed: a failure names the seed that replays it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { verifyCertificate } from "../../../src/consensus/certificate.js";
import { verifyEvidence } from "../../../src/consensus/evidence.js";
import { ConsensusSim, SIM_CHAIN_ID } from "../../helpers/consensusSim.js";

function assertSafe(sim: ConsensusSim): void {
  assert.deepEqual(sim.forks(), [], `seed ${sim.options.seed}: two values committed at one height`);
  assert.deepEqual(sim.doubleSigners(), [], `seed ${sim.options.seed}: an honest validator signed twice`);
  for (const n of sim.nodes) {
    for (const [h, c] of n.commits) {
      verifyCertificate(c.certificate, sim.set, SIM_CHAIN_ID, { height: h, blockHash: c.value.hash });
      assert.match(
        new TextDecoder().decode(c.value.bytes),
        new RegExp(`^block h=${h} `),
        "validity: a valid value",
      );
    }
  }
}

describe("consensus on a simulated network", () => {
  it("4 validators agree on 20 heights with reordered and late messages", async () => {
    const sim = new ConsensusSim({ seed: 7, validators: 4, lateRate: 0.1 });
    await sim.startAll();
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= 20, 120_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
  });

  it("7 validators of unequal power agree, and every proposer is chosen", async () => {
    const powers = [40n, 10n, 10n, 10n, 10n, 10n, 10n];
    const sim = new ConsensusSim({ seed: 11, validators: 7, powers, lateRate: 0.05 });
    await sim.startAll();
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= 15, 120_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
    const proposers = new Set(
      [...(sim.nodes[0]?.commits.values() ?? [])].map(
        (c) => /by=(\d+)/.exec(new TextDecoder().decode(c.value.bytes))?.[1],
      ),
    );
    assert.ok(proposers.size >= 5, `proposers seen: ${[...proposers]}`);
  });

  it("a 2/2 partition stops progress without a fork, and progress resumes once it heals", async () => {
    const sim = new ConsensusSim({ seed: 3, validators: 4 });
    await sim.startAll();
    await sim.runUntil(() => sim.minCommitted() >= 3, 60_000);
    sim.partition([
      [0, 1],
      [2, 3],
    ]);
    await sim.run(1000);
    const during = Math.max(...sim.nodes.map((n) => n.commits.size));
    await sim.run(20_000);
    assert.equal(Math.max(...sim.nodes.map((n) => n.commits.size)), during, "no side has 2/3 of the power");
    assertSafe(sim);
    sim.heal();
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= during + 3, 60_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
  });

  it("with 2 of 4 validators down nothing commits and nothing forks; when they return, progress", async () => {
    const sim = new ConsensusSim({ seed: 5, validators: 4 });
    await sim.startAll();
    await sim.runUntil(() => sim.minCommitted() >= 2, 60_000);
    sim.crash(2);
    sim.crash(3);
    await sim.run(500);
    const before = Math.max(sim.nodes[0]?.commits.size ?? 0, sim.nodes[1]?.commits.size ?? 0);
    await sim.run(30_000);
    assert.equal(Math.max(sim.nodes[0]?.commits.size ?? 0, sim.nodes[1]?.commits.size ?? 0), before);
    await sim.restart(2);
    await sim.restart(3);
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= before + 3, 60_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
  });

  it("one byzantine validator that double-proposes and double-votes: honest nodes stay safe and make evidence", async () => {
    const sim = new ConsensusSim({ seed: 13, validators: 4, byzantine: [3] });
    await sim.startAll();
    assert.ok(
      await sim.runUntil(() => sim.minCommitted([0, 1, 2]) >= 12, 120_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
    const evidence = sim.nodes.slice(0, 3).flatMap((n) => n.evidence);
    assert.ok(evidence.length > 0, "the double votes were noticed");
    for (const e of evidence) {
      assert.equal(e.first.validator, 3);
      verifyEvidence(e, sim.set, SIM_CHAIN_ID);
    }
  });

  it("a byzantine proposer of invalid values never gets one committed", async () => {
    const sim = new ConsensusSim({ seed: 17, validators: 4, byzantine: [1], byzantineInvalid: true });
    await sim.startAll();
    assert.ok(
      await sim.runUntil(() => sim.minCommitted([0, 2, 3]) >= 10, 120_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
  });

  it("a validator restarted from its last-signed record keeps making progress and never double-signs", async () => {
    const sim = new ConsensusSim({ seed: 19, validators: 4, lateRate: 0.1 });
    await sim.startAll();
    for (let i = 0; i < 12; i++) {
      await sim.run(40 + Math.floor(sim.random() * 400));
      const victim = Math.floor(sim.random() * 4);
      sim.crash(victim);
      await sim.run(Math.floor(sim.random() * 300));
      await sim.restart(victim);
    }
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= 15, 120_000),
      `stalled at ${sim.minCommitted()}`,
    );
    assertSafe(sim);
  });

  it("a validator down for many heights catches up from its peers' decisions, with no block sync", async () => {
    const sim = new ConsensusSim({ seed: 23, validators: 4, blockSync: false });
    await sim.startAll();
    await sim.runUntil(() => sim.minCommitted() >= 2, 60_000);
    sim.crash(3);
    assert.ok(await sim.runUntil(() => sim.minCommitted([0, 1, 2]) >= 14, 60_000), "3 of 4 keep deciding");
    await sim.restart(3);
    const target = sim.minCommitted([0, 1, 2]) + 2;
    assert.ok(
      await sim.runUntil(() => sim.minCommitted() >= target, 120_000),
      `node 3 at ${sim.nodes[3]?.commits.size}`,
    );
    assertSafe(sim);
  });

  it("property: any seed, random faults (crash, partition, late messages) keep agreement and end in progress", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(4, 7),
        fc.array(fc.constantFrom("crash", "partition", "late"), { minLength: 1, maxLength: 4 }),
        async (seed, validators, faults) => {
          const sim = new ConsensusSim({ seed, validators, lateRate: faults.includes("late") ? 0.2 : 0 });
          await sim.startAll();
          for (const fault of faults) {
            await sim.run(200 + Math.floor(sim.random() * 800));
            if (fault === "crash") {
              const victim = Math.floor(sim.random() * validators);
              sim.crash(victim);
              await sim.run(Math.floor(sim.random() * 2000));
              await sim.restart(victim);
            } else if (fault === "partition") {
              const cut = 1 + Math.floor(sim.random() * (validators - 1));
              const all = sim.nodes.map((n) => n.index);
              sim.partition([all.slice(0, cut), all.slice(cut)]);
              await sim.run(Math.floor(sim.random() * 3000));
              sim.heal();
            }
          }
          assertSafe(sim);
          const target = sim.minCommitted() + 2;
          const progressed = await sim.runUntil(() => sim.minCommitted() >= target, 60_000);
          assert.ok(progressed, `seed ${seed}: stalled at ${sim.minCommitted()} after ${faults}`);
          assertSafe(sim);
        },
      ),
      { numRuns: 10, seed: 42 },
    );
  });
});
