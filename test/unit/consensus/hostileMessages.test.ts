/**
 * Consensus messages from a hostile peer (attacker pass, session 15):
 * - a proposer's signature forwarded over other value bytes does not verify (the bytes were
 *   not signed, so a peer forwarding altered bytes first made every validator judge id(v)
 *   invalid, remember that, and prevote nil);
 * - messages for the next heights are checked when their set is known (forgeries are not
 *   kept) and kept within a byte bound (unchecked, 10,000 proposals of 4 MiB could be parked);
 * - a validator walking up the future rounds leaves no empty round behind (each was scanned
 *   on every later vote, and kept until the height ended).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../../../src/codec/bytes.js";
import { sha256 } from "../../../src/codec/hash.js";
import { sign } from "../../../src/consensus/bls.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { ConsensusApplication } from "../../../src/consensus/interfaces.js";
import { checkMessage, signatureChecks } from "../../../src/consensus/messageCheck.js";
import { encodeProposal, encodeVote } from "../../../src/consensus/messageCodec.js";
import { proposalSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type Proposal, type UnsignedProposal, VoteType } from "../../../src/consensus/types.js";
import { HeightVotes } from "../../../src/consensus/voteSet.js";
import { hashOf, signedVote, TEST_CHAIN_ID, testKeys, testSet } from "../../helpers/consensusKeys.js";

const keys = testKeys(4, "hostile");
const set = testSet(keys);

function signedProposal(p: UnsignedProposal): Proposal {
  const pair = keys[p.proposer] as (typeof keys)[0];
  return { ...p, signature: sign(pair.secretKey, proposalSigningBytes(TEST_CHAIN_ID, p)) };
}

describe("hostile consensus messages", () => {
  it("a proposal's signature does not verify over other value bytes with the same id", () => {
    const bytes = utf8("block 5: the proposer's transactions");
    const real = signedProposal({
      height: 5,
      round: 0,
      polRound: -1,
      proposer: 1,
      value: { hash: sha256(bytes), bytes },
    });
    assert.equal(checkMessage(TEST_CHAIN_ID, { kind: "proposal", proposal: real }, set), null);
    const altered: Proposal = { ...real, value: { hash: real.value.hash, bytes: utf8("block 5: other") } };
    const error = checkMessage(TEST_CHAIN_ID, { kind: "proposal", proposal: altered }, set);
    assert.equal(error?.code, "BAD_SIGNATURE");
  });

  it("next-height messages: forgeries are refused, the rest kept within maxBufferedBytes", async () => {
    let deliver: ((bytes: Uint8Array, from: string) => void) | undefined;
    const invalid: string[] = [];
    const app: ConsensusApplication = {
      proposeValue: async (height) => ({ hash: hashOf(`v${height}`), bytes: utf8(`v${height}`) }),
      validateValue: async () => true,
      commit: async () => undefined,
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
      clock: { schedule: () => undefined }, // no timer fires: the driver stays at height 1
      validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
      app,
      maxBufferedBytes: 64 * 1024,
      onInvalid: (from) => void invalid.push(from),
    });
    await driver.start(1);
    assert.ok(deliver !== undefined);
    // Forged votes for height 2 (a signature of nobody): refused now, not parked for later.
    for (let round = 0; round < 20; round++) {
      const vote = signedVote(keys, {
        type: VoteType.Prevote,
        height: 2,
        round,
        valueHash: hashOf("x"),
        validator: 0,
      });
      deliver(encodeVote({ ...vote, signature: new Uint8Array(96) }), "forger");
    }
    await driver.idle();
    assert.equal(driver.status().buffered, 0, "forged next-height votes are not kept");
    assert.equal(invalid.filter((f) => f === "forger").length, 20);
    // Signed but large: 10 proposals of 16 KiB for height 2 (distinct rounds) fill 64 KiB at most.
    for (let round = 0; round < 10; round++) {
      const bytes = new Uint8Array(16 * 1024).fill(round + 1);
      const proposal = signedProposal({
        height: 2,
        round,
        polRound: -1,
        proposer: 2,
        value: { hash: sha256(bytes), bytes },
      });
      deliver(encodeProposal(proposal), "sender");
    }
    await driver.idle();
    const status = driver.status();
    assert.ok(status.bufferedBytes <= 64 * 1024, `kept ${status.bufferedBytes} bytes`);
    assert.equal(status.buffered, 3, "three 16 KiB proposals fit in 64 KiB");
    driver.stop();
  });

  it("a byzantine validator's votes for ever higher rounds keep at most maxFutureRounds rounds", () => {
    const votes = new HeightVotes(set, 4);
    for (let round = 1; round <= 200; round++) {
      const vote = { type: VoteType.Prevote, height: 1, round, valueHash: null, validator: 3 };
      votes.add({ ...vote, signature: new Uint8Array(96) }, 0);
    }
    assert.deepEqual(votes.roundsWithVotes(), [197, 198, 199, 200]);
    assert.deepEqual(votes.roundsAbove(0), [197, 198, 199, 200]);
  });
});

describe("replayed consensus messages", () => {
  it("a signature verified once is not verified again (a replay in a fresh bundle costs a hash), and binds its key", () => {
    const vote = signedVote(keys, {
      type: VoteType.Precommit,
      height: 9,
      round: 3,
      valueHash: hashOf("replayed"),
      validator: 1,
    });
    const before = signatureChecks();
    assert.equal(checkMessage(TEST_CHAIN_ID, { kind: "vote", vote }, set), null);
    for (let i = 0; i < 10; i++) assert.equal(checkMessage(TEST_CHAIN_ID, { kind: "vote", vote }, set), null);
    assert.equal(signatureChecks() - before, 1, "one pairing for eleven checks");
    // The same vote claimed by another member: not the cached one, and it does not verify.
    const other = { ...vote, validator: 2 };
    assert.equal(checkMessage(TEST_CHAIN_ID, { kind: "vote", vote: other }, set)?.code, "BAD_SIGNATURE");
    const elsewhere = testSet(testKeys(4, "another set"));
    assert.equal(checkMessage(TEST_CHAIN_ID, { kind: "vote", vote }, elsewhere)?.code, "BAD_SIGNATURE");
  });
});
