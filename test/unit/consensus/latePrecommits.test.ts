/**
 * Late precommits (`lastCommit.ts`): a precommit for the committed height's block that arrives
 * after the decision is checked against that height's set and kept, and the next proposal
 * carries the certificate grown by it; a forged one is reported and kept out; a repeat or a
 * precommit for another block changes nothing. Driven on a clock that fires only when told.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { sign } from "../../../src/consensus/bls.js";
import {
  type CommitCertificate,
  certificateSigners,
  verifyCertificate,
} from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication } from "../../../src/consensus/interfaces.js";
import { encodeProposal, encodeVote } from "../../../src/consensus/messageCodec.js";
import { ProposerSchedule } from "../../../src/consensus/proposerSelection.js";
import { MemorySignRecordStore, SignGuard } from "../../../src/consensus/signGuard.js";
import { proposalSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type Value, type Vote, VoteType } from "../../../src/consensus/types.js";
import { signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";

const TIMEOUTS = {
  propose: { baseMs: 5000, incrementMs: 100 },
  prevote: { baseMs: 5000, incrementMs: 100 },
  precommit: { baseMs: 5000, incrementMs: 100 },
};
const COMMIT_WAIT_MS = 777;

function value(height: number): Value {
  const bytes = utf8(`block ${height}`);
  return { hash: sha256(bytes), bytes };
}

const keys = testKeys(4, "late");
const set = testSet(keys);
const schedule = new ProposerSchedule(set, 1);
/** This driver's validator: the proposer of height 2, round 0 (so it proposes right after the wait). */
const self = schedule.proposer(2, 0);
const proposer1 = schedule.proposer(1, 0);

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function precommit(validator: number, height: number, valueHash: Uint8Array): Vote {
  return signedVote(keys, { type: VoteType.Precommit, height, round: 0, validator, valueHash });
}

describe("late precommits", () => {
  it("are gathered after the decision into the certificate the next proposal carries; forgeries are not", async () => {
    assert.notEqual(self, proposer1, "the test needs height 1 proposed by another validator");
    let deliver: ((bytes: Uint8Array, from: string) => void) | undefined;
    const timers: Array<{ ms: number; fire: () => void }> = [];
    const commits = new Map<number, CommitCertificate>();
    const proposedWith: Array<CommitCertificate | null> = [];
    const invalid: string[] = [];
    const app: ConsensusApplication = {
      proposeValue: async (height, _round, lastCommit) => {
        proposedWith.push(lastCommit);
        return value(height);
      },
      validateValue: async (height, v) => new TextDecoder().decode(v.bytes) === `block ${height}`,
      commit: async (height, _v, certificate) => void commits.set(height, certificate),
      reportEvidence: () => undefined,
    };
    const driver = new ConsensusDriver({
      chainId: TEST_CHAIN_ID,
      transport: {
        broadcast: () => undefined,
        onMessage: (h) => {
          deliver = h;
        },
      },
      clock: { schedule: (ms, fire) => void timers.push({ ms, fire }) },
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      app,
      validator: {
        publicKey: (keys[self] as (typeof keys)[0]).publicKey,
        guard: new SignGuard(new MemorySignRecordStore(), (keys[self] as (typeof keys)[0]).secretKey),
      },
      timeouts: TIMEOUTS,
      commitWaitMs: COMMIT_WAIT_MS,
      onInvalid: (from) => void invalid.push(from),
    });
    try {
      await driver.start(1);
      const send = (bytes: Uint8Array, from = "peer") =>
        (deliver as NonNullable<typeof deliver>)(bytes, from);
      const v1 = value(1);
      const unsigned = { height: 1, round: 0, polRound: -1, proposer: proposer1, value: v1 };
      const signature = sign(
        (keys[proposer1] as (typeof keys)[0]).secretKey,
        proposalSigningBytes(TEST_CHAIN_ID, unsigned),
      );
      send(encodeProposal({ ...unsigned, signature }));
      // This validator precommits on its own after the others' prevotes; two more precommits decide.
      const others = [0, 1, 2, 3].filter((i) => i !== self);
      const [a, b, late] = others as [number, number, number];
      for (const i of others)
        send(
          encodeVote(
            signedVote(keys, {
              type: VoteType.Prevote,
              height: 1,
              round: 0,
              validator: i,
              valueHash: v1.hash,
            }),
          ),
        );
      await settle();
      send(encodeVote(precommit(a, 1, v1.hash)));
      send(encodeVote(precommit(b, 1, v1.hash)));
      await settle();
      await driver.idle();
      const decided = commits.get(1);
      assert.ok(decided, "height 1 decided");
      assert.deepEqual(certificateSigners(decided), [self, a, b].sort());

      // During the wait before height 2: a forged precommit from `late` (signed by another key) is
      // reported and kept out; one for another block and a repeat change nothing.
      const forged = { ...precommit(late, 1, v1.hash), signature: precommit(a, 1, v1.hash).signature };
      send(encodeVote(forged), "forger");
      send(encodeVote(precommit(late, 1, sha256(utf8("another block")))), "other");
      send(encodeVote(precommit(a, 1, v1.hash)), "repeat");
      await driver.idle();
      assert.deepEqual(invalid, ["forger"]);
      assert.deepEqual(certificateSigners(driver.lastCommitOf(1) as CommitCertificate), [self, a, b].sort());

      // The real late precommit is kept: the certificate grows and still verifies.
      send(encodeVote(precommit(late, 1, v1.hash)), "late");
      await driver.idle();
      const grown = driver.lastCommitOf(1) as CommitCertificate;
      assert.deepEqual(certificateSigners(grown), [0, 1, 2, 3]);
      verifyCertificate(grown, set, TEST_CHAIN_ID, { height: 1, blockHash: v1.hash });

      // Height 2 starts after the wait; this validator proposes it with the grown certificate.
      const wait = timers.filter((t) => t.ms === COMMIT_WAIT_MS);
      assert.equal(wait.length, 1);
      for (const t of wait) t.fire();
      await settle();
      await driver.idle();
      assert.equal(proposedWith.length, 1, "the proposer of height 2 asked for a value");
      assert.deepEqual(certificateSigners(proposedWith[0] as CommitCertificate), [0, 1, 2, 3]);
      assert.equal(driver.lastCommitOf(0), null);
    } finally {
      driver.stop();
    }
  });
});
