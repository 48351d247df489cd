/**
 * The staking contract seen by consensus: its set as consensus's `ValidatorSet` (same
 * order, power and keys; the start of the epoch), and consensus's duplicate-vote evidence,
 * verified against the set, slashing the right validator through the end-of-block step.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blsSign } from "../../../src/codec/bls.js";
import { ConsensusError } from "../../../src/consensus/errors.js";
import { duplicateVoteEvidence } from "../../../src/consensus/evidence.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { equivocationToSlash, stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { account } from "../../helpers/chain.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";
import { blsKey, TEST_CHAIN_ID } from "../../helpers/validators.js";

function network() {
  return new Network({
    epochLength: 5n,
    validators: [0, 1, 2, 3].map((i) => ({ n: 2 + i, commissionBps: 0, stake: BigInt(100 - i) * WAD })),
  });
}

function vote(signer: number, index: number, valueHash: Uint8Array | null, height = 3): Vote {
  const unsigned: UnsignedVote = { type: VoteType.Precommit, height, round: 0, valueHash, validator: index };
  return {
    ...unsigned,
    signature: blsSign(blsKey(signer).secret, voteSigningBytes(TEST_CHAIN_ID.toString(), unsigned)),
  };
}

describe("staking and consensus", () => {
  it("the validator source gives consensus the contract's set, order and power, per epoch", () => {
    const net = network();
    const source = stakingValidatorSource((k) => net.chain.state.get(k), net.staking.address);
    const { set, startHeight } = source.validatorSetAt(3);
    assert.equal(startHeight, 1);
    assert.equal(set.size, 4);
    assert.deepEqual(
      set.validators.map((v) => v.votingPower),
      [253_807_106n, 251_269_035n, 248_730_964n, 246_192_893n], // 100, 99, 98, 97 of 394,
    );
    assert.deepEqual(set.validators[2]?.publicKey, blsKey(2).publicKey);
    for (let h = 1; h <= 5; h++) net.fullBlock(account(2));
    assert.equal(source.validatorSetAt(6).startHeight, 6);
  });

  it("duplicate votes by validator 2 slash and tombstone its operator; anything else never reaches the contract", () => {
    const net = network();
    const source = stakingValidatorSource((k) => net.chain.state.get(k), net.staking.address);
    for (let h = 1; h <= 3; h++) net.fullBlock(account(2));
    const evidence = duplicateVoteEvidence(vote(2, 2, new Uint8Array(32).fill(1)), vote(2, 2, null));
    const verified = equivocationToSlash(evidence, source, TEST_CHAIN_ID);
    assert.deepEqual(verified, { validator: account(4), height: 3n });
    const end = net.signedBlock(account(2), [0, 1, 2, 3], [verified]);
    assert.equal(end.calls[0]?.status, "success");
    assert.equal(net.view("isTombstoned", [account(4)]), true);
    assert.equal(net.view("validatorStake", [account(4)]), 98n * WAD - (98n * WAD) / 20n);
    // Validator 1's position signed with validator 2's key: refused before any slash.
    const framed = duplicateVoteEvidence(vote(2, 1, new Uint8Array(32).fill(1)), vote(2, 1, null));
    assert.throws(
      () => equivocationToSlash(framed, source, TEST_CHAIN_ID),
      (e: unknown) => e instanceof ConsensusError && e.code === "BAD_EVIDENCE",
    );
    // Signed for another chain: refused too.
    const elsewhere = duplicateVoteEvidence(vote(1, 1, new Uint8Array(32).fill(1)), vote(1, 1, null));
    assert.throws(() => equivocationToSlash(elsewhere, source, TEST_CHAIN_ID + 1n), ConsensusError);
  });
});
