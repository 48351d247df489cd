/**
 * The driver's heights: a lone validator decides height after height (its start resolves and
 * each next height starts in a task of its own), `commitWaitMs` paces the heights (the next
 * one starts only when its timer fires), and a decision from block sync is taken only for the
 * current height, with an outcome that says why not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { buildCertificate, type CommitCertificate } from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication } from "../../../src/consensus/interfaces.js";
import { MemorySignRecordStore, SignGuard } from "../../../src/consensus/signGuard.js";
import { type Value, VoteType } from "../../../src/consensus/types.js";
import type { ValidatorSet } from "../../../src/consensus/validatorSet.js";
import { signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";

const TIMEOUTS = {
  propose: { baseMs: 200, incrementMs: 100 },
  prevote: { baseMs: 200, incrementMs: 100 },
  precommit: { baseMs: 200, incrementMs: 100 },
};

function value(height: number, salt = ""): Value {
  const bytes = utf8(`block ${height}${salt}`);
  return { hash: sha256(bytes), bytes };
}

/** An application that commits in memory and takes any value of the form `block <height>`. */
function memoryApp(): ConsensusApplication & { commits: Map<number, CommitCertificate> } {
  const commits = new Map<number, CommitCertificate>();
  return {
    commits,
    proposeValue: async (height) => value(height),
    validateValue: async (height, v) => new TextDecoder().decode(v.bytes).startsWith(`block ${height}`),
    commit: async (height, _v, certificate) => {
      assert.equal(commits.has(height), false, `height ${height} committed twice`);
      await new Promise((resolve) => setImmediate(resolve)); // a store's write: the event loop turns
      commits.set(height, certificate);
    },
    reportEvidence: () => undefined,
  };
}

/** A clock whose timers fire only when the test says so. */
function manualClock() {
  const timers: Array<{ ms: number; fire: () => void }> = [];
  return {
    timers,
    schedule: (ms: number, fire: () => void) => void timers.push({ ms, fire }),
    /** Fires (and forgets) the timers of exactly `ms`. */
    fire(ms: number) {
      const due = timers.filter((t) => t.ms === ms);
      for (const t of due) timers.splice(timers.indexOf(t), 1);
      for (const t of due) t.fire();
      return due.length;
    },
  };
}

const silent = { broadcast: () => undefined, onMessage: () => undefined };

function loneDriver(
  set: ValidatorSet,
  keys: ReturnType<typeof testKeys>,
  app: ConsensusApplication,
  clock: {
    schedule(ms: number, fire: () => void): void;
  },
  commitWaitMs: number,
) {
  return new ConsensusDriver({
    chainId: TEST_CHAIN_ID,
    transport: silent,
    clock,
    validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
    app,
    validator: {
      publicKey: (keys[0] as (typeof keys)[0]).publicKey,
      guard: new SignGuard(new MemorySignRecordStore(), (keys[0] as (typeof keys)[0]).secretKey),
    },
    timeouts: TIMEOUTS,
    commitWaitMs,
  });
}

async function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe("consensus driver heights", () => {
  it("a lone validator's start resolves, and it decides height after height", async () => {
    const keys = testKeys(1, "lone");
    const app = memoryApp();
    const driver = loneDriver(
      testSet(keys),
      keys,
      app,
      { schedule: (ms, fire) => void setTimeout(fire, ms).unref() },
      0,
    );
    try {
      await within("start", driver.start(1), 20_000);
      const end = Date.now() + 30_000;
      while (app.commits.size < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.ok(app.commits.size >= 5, `committed ${app.commits.size} heights`);
      for (let h = 1; h <= 5; h++) assert.equal(app.commits.get(h)?.height, h);
    } finally {
      driver.stop();
    }
  });

  it("commitWaitMs: the next height starts when its timer fires, not before", async () => {
    const keys = testKeys(1, "lone");
    const app = memoryApp();
    const clock = manualClock();
    const driver = loneDriver(testSet(keys), keys, app, clock, 1000);
    await driver.start(1);
    await driver.idle();
    assert.deepEqual([...app.commits.keys()], [1]);
    assert.equal(driver.currentHeight, 2, "height 2 entered once 1 is committed");
    assert.equal(driver.machine.height, 1, "the machine has not started height 2 yet");
    for (let h = 2; h <= 4; h++) {
      assert.equal(clock.fire(1000), 1, `one commit timer before height ${h}`);
      await driver.idle();
      assert.equal(app.commits.size, h);
    }
    driver.stop();
  });

  it("syncDecision commits only the current height: stale, ahead, refused, committed", async () => {
    const keys = testKeys(4, "sync");
    const set = testSet(keys);
    const app = memoryApp();
    const driver = new ConsensusDriver({
      chainId: TEST_CHAIN_ID,
      transport: silent,
      clock: manualClock(),
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      app,
      timeouts: TIMEOUTS,
      commitWaitMs: 60_000,
    });
    const certify = (height: number, v: Value, signers: number[]) =>
      buildCertificate(
        signers.map((validator) =>
          signedVote(keys, { type: VoteType.Precommit, height, round: 0, valueHash: v.hash, validator }),
        ),
        set.size,
      );
    await driver.start(1);
    const v1 = value(1);
    assert.equal(await driver.syncDecision(1, v1, certify(1, v1, [0, 1])), "refused", "2 of 4 is no quorum");
    assert.equal(await driver.syncDecision(2, value(2), certify(2, value(2), [0, 1, 2])), "ahead");
    const bad = value(1, " but not valid");
    assert.equal(
      await driver.syncDecision(1, { hash: bad.hash, bytes: utf8("junk") }, certify(1, bad, [0, 1, 2])),
      "refused",
    );
    assert.equal(await driver.syncDecision(1, v1, certify(1, v1, [0, 1, 3])), "committed");
    assert.equal(driver.currentHeight, 2);
    // A synced decision does not wait for commitWaitMs: the next one is taken at once.
    const v2 = value(2);
    assert.equal(await driver.syncDecision(2, v2, certify(2, v2, [1, 2, 3])), "committed");
    assert.equal(await driver.syncDecision(1, v1, certify(1, v1, [0, 1, 3])), "stale");
    assert.deepEqual([...app.commits.keys()], [1, 2]);
    driver.stop();
  });
});
