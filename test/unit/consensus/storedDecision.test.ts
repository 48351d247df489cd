/**
 * A validator restarted after committing height h answers a peer still at h with h's decision
 * from its store (`DriverOptions.committed`): its in-memory cache of recent decisions is empty
 * after a restart. Without it, when all validators restart with half of them one block ahead,
 * neither half has a quorum and none can learn the decision: the e2e suite's "restart all
 * validators" stalled this way for good.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { keyPairFromSeed, sign } from "../../../src/consensus/bls.js";
import { buildCertificate } from "../../../src/consensus/certificate.js";
import { type Decision, decodeDecision } from "../../../src/consensus/decisionSync.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import { encodeVote } from "../../../src/consensus/messageCodec.js";
import { MemorySignRecordStore, SignGuard } from "../../../src/consensus/signGuard.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type Value, type Vote, VoteType } from "../../../src/consensus/types.js";
import { ValidatorSet } from "../../../src/consensus/validatorSet.js";

const CHAIN = "stored-decision";
const keys = [0, 1, 2, 3].map((i) => keyPairFromSeed(sha256(utf8(`stored decision validator ${i}`))));
const set = ValidatorSet.create(keys.map((k) => ({ publicKey: k.publicKey, votingPower: 10n })));

function vote(type: VoteType, height: number, validator: number, valueHash: Uint8Array | null): Vote {
  const unsigned = { type, height, round: 0, valueHash, validator };
  return {
    ...unsigned,
    signature: sign((keys[validator] as (typeof keys)[number]).secretKey, voteSigningBytes(CHAIN, unsigned)),
  };
}

describe("consensus driver: decisions from the store", () => {
  it("a restarted validator answers a peer behind with the stored decision of its height", async () => {
    const bytes = utf8("block 5");
    const value: Value = { hash: sha256(bytes), bytes };
    const stored: Decision = {
      height: 5,
      value,
      certificate: buildCertificate(
        [0, 1, 2].map((i) => vote(VoteType.Precommit, 5, i, value.hash)),
        4,
      ),
    };
    const sent: Uint8Array[] = [];
    let deliver: (bytes: Uint8Array, from: string) => void = () => undefined;
    const driver = new ConsensusDriver({
      chainId: CHAIN,
      transport: {
        broadcast: (b) => sent.push(b),
        onMessage: (handler) => {
          deliver = handler;
        },
      },
      clock: { schedule: () => undefined },
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      app: {
        proposeValue: async () => value,
        validateValue: async () => true,
        commit: async () => undefined,
        reportEvidence: () => undefined,
      },
      validator: {
        publicKey: (keys[0] as (typeof keys)[number]).publicKey,
        guard: new SignGuard(new MemorySignRecordStore(), (keys[0] as (typeof keys)[number]).secretKey),
      },
      committed: (height) => (height === 5 ? stored : undefined),
    });
    await driver.start(6); // as after a restart: head 5, nothing decided since
    sent.length = 0;
    deliver(encodeVote(vote(VoteType.Prevote, 5, 2, null)), "peer-2"); // a peer still at height 5
    await driver.idle();
    const answers = sent.map((b) => decodeDecision(b)).filter((d) => d !== null);
    assert.equal(answers.length, 1, "the peer behind is sent height 5's decision");
    assert.equal(answers[0]?.height, 5);
    assert.deepEqual(answers[0]?.value.hash, value.hash);
    driver.stop();
  });
});
