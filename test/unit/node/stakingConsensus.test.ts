/**
 * The staking contract seen by consensus: its set as consensus's `ValidatorSet` (same
 * order, power and keys; the start of the epoch), and consensus's duplicate-vote evidence,
 * verified against the set, slashing the right validator through the end-of-block step.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EvidenceError } from "../../../src/chain/staking/evidence.js";
import { blsSign } from "../../../src/codec/bls.js";
import { type DuplicateVoteEvidence, duplicateVoteEvidence } from "../../../src/consensus/evidence.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { checkBlockEvidence, checkEvidence } from "../../../src/node/validator/evidenceCheck.js";
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

  it("duplicate votes by validator 2 slash and tombstone its operator; anything else is a typed refusal", () => {
    const net = network();
    const read = (k: string) => net.chain.state.get(k);
    const source = stakingValidatorSource(read, net.staking.address);
    const ctx = { read, staking: net.staking.address, chainId: TEST_CHAIN_ID, validators: source };
    const refused = (e: DuplicateVoteEvidence, at: number, code: string, c = ctx) =>
      assert.throws(
        () => checkEvidence(e, at, c),
        (err: unknown) => err instanceof EvidenceError && err.code === code,
        code,
      );
    for (let h = 1; h <= 3; h++) net.fullBlock(account(2));
    const evidence = duplicateVoteEvidence(vote(2, 2, new Uint8Array(32).fill(1)), vote(2, 2, null));
    // Not before the block after its height.
    refused(evidence, 3, "FUTURE");
    const verified = checkEvidence(evidence, 4, ctx);
    assert.deepEqual(verified, { validator: account(4), height: 3n });
    // Older than the network's evidence age (100 blocks).
    refused(evidence, 104, "EXPIRED");
    // Validator 1's position signed with validator 2's key.
    refused(duplicateVoteEvidence(vote(2, 1, new Uint8Array(32).fill(1)), vote(2, 1, null)), 4, "FORGED");
    // Signed for another chain.
    refused(evidence, 4, "FORGED", { ...ctx, chainId: TEST_CHAIN_ID + 1n });
    // The same vote twice is no conflict.
    const same = vote(2, 2, null);
    refused({ first: same, second: same }, 4, "FORGED");
    refused(
      duplicateVoteEvidence(vote(2, 7, new Uint8Array(32).fill(1)), vote(2, 7, null)),
      4,
      "UNKNOWN_VALIDATOR",
    );
    const other = duplicateVoteEvidence(vote(2, 2, new Uint8Array(32).fill(2)), vote(2, 2, null));
    assert.throws(
      () => checkBlockEvidence([evidence, other], 4, ctx),
      (err: unknown) => err instanceof EvidenceError && err.code === "DUPLICATE",
    );
    const end = net.signedBlock(account(2), [0, 1, 2, 3], checkBlockEvidence([evidence], 4, ctx));
    assert.equal(end.calls[0]?.status, "success");
    assert.equal(net.view("isTombstoned", [account(4)]), true);
    assert.equal(net.view("validatorStake", [account(4)]), 98n * WAD - (98n * WAD) / 20n);
    // Punished once: evidence of another double sign by it no longer holds.
    refused(other, 5, "ALREADY_PUNISHED");
  });
});
