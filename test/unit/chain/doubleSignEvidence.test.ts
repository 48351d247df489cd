/**
 * Verifying double-signing evidence against a validator set: two validly signed votes by
 * one validator for one position with different blocks is evidence; anything else is a
 * typed `EvidenceError` saying what is wrong (a node never slashes on it).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type DoubleSignEvidence,
  EvidenceError,
  type EvidenceVote,
  verifyDoubleSign,
} from "../../../src/chain/staking/evidence.js";
import type { ValidatorSet } from "../../../src/chain/staking/validatorSet.js";
import { blsSign } from "../../../src/codec/bls.js";
import { utf8 } from "../../../src/codec/bytes.js";
import { account } from "../../helpers/chain.js";
import { blsKey } from "../../helpers/validators.js";

/** Stands in for the consensus module's canonical vote bytes. */
const signBytes = (v: EvidenceVote) => utf8(`vote/${v.height}/${v.round}/${v.step}/${v.blockHash ?? "nil"}`);

const set: ValidatorSet = {
  epoch: 0n,
  totalPower: 2,
  validators: [0, 1].map((i) => ({ address: account(2 + i), power: 1, blsKey: blsKey(i).publicKey })),
};

function vote(signer: number, blockHash: string | null, index = signer): EvidenceVote {
  const unsigned = {
    height: 9n,
    round: 1,
    step: 2,
    blockHash,
    validatorIndex: index,
    signature: new Uint8Array(),
  };
  return { ...unsigned, signature: blsSign(blsKey(signer).secret, signBytes(unsigned)) };
}

function refused(evidence: DoubleSignEvidence, code: EvidenceError["code"]): void {
  assert.throws(
    () => verifyDoubleSign(evidence, set, signBytes),
    (e: unknown) => e instanceof EvidenceError && e.code === code,
  );
}

describe("double-signing evidence", () => {
  it("two signed votes for different blocks at one position name the validator and height", () => {
    assert.deepEqual(verifyDoubleSign({ a: vote(1, "aa"), b: vote(1, null) }, set, signBytes), {
      validator: account(3),
      height: 9n,
    });
  });

  it("refuses what is not a double sign", () => {
    refused({ a: vote(1, "aa"), b: vote(1, "aa") }, "NOT_CONFLICTING");
    refused({ a: vote(1, "aa"), b: { ...vote(1, "bb"), round: 2 } }, "NOT_CONFLICTING");
    refused({ a: vote(0, "aa"), b: vote(1, "bb") }, "NOT_CONFLICTING");
    refused({ a: vote(1, "aa", 5), b: vote(1, "bb", 5) }, "UNKNOWN_VALIDATOR");
  });

  it("attacker: votes signed by another key cannot frame a validator", () => {
    // Validator 1's position, signed with validator 0's key.
    refused({ a: vote(0, "aa", 1), b: vote(0, "bb", 1) }, "BAD_SIGNATURE");
    refused(
      { a: vote(1, "aa"), b: { ...vote(1, "bb"), signature: vote(1, "cc").signature } },
      "BAD_SIGNATURE",
    );
  });
});
