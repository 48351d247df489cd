/**
 * The evidence pool on its own, with a checker standing in for the chain: what it holds,
 * and that every node (not only the proposer) drops evidence a committed block made moot.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { EvidenceError } from "../../../src/chain/staking/evidence.js";
import type { Address } from "../../../src/codec/address.js";
import { type DuplicateVoteEvidence, duplicateVoteEvidence } from "../../../src/consensus/evidence.js";
import { SIGNATURE_LENGTH, type Vote, VoteType } from "../../../src/consensus/types.js";
import { EvidencePool } from "../../../src/node/validator/evidencePool.js";

function vote(validator: number, height: number): Vote {
  return {
    type: VoteType.Precommit,
    height,
    round: 0,
    valueHash: new Uint8Array(randomBytes(32)),
    validator,
    signature: new Uint8Array(SIGNATURE_LENGTH),
  };
}
const evidence = (validator: number, height: number): DuplicateVoteEvidence =>
  duplicateVoteEvidence(vote(validator, height), vote(validator, height));
const operator = (validator: number) => `0x${validator.toString(16).padStart(40, "0")}` as Address;

/** A chain where validators in `tombstoned` were punished already. */
function poolOn(tombstoned: Set<number>): EvidencePool {
  return new EvidencePool((ev, blockHeight) => {
    const who = ev.first.validator;
    if (ev.first.height >= blockHeight) throw new EvidenceError("FUTURE", "not yet");
    if (tombstoned.has(who)) throw new EvidenceError("ALREADY_PUNISHED", `validator ${who}`);
    return { validator: operator(who), height: BigInt(ev.first.height) };
  });
}

describe("evidence pool", () => {
  it("holds one piece per validator and refuses evidence it took before", () => {
    const pool = poolOn(new Set());
    const a = evidence(1, 3);
    assert.equal(pool.add(a, 5), "added");
    assert.equal(pool.add(evidence(1, 4), 5), "held");
    assert.equal(pool.size, 1);
    assert.throws(
      () => pool.add(a, 5),
      (e: unknown) => e instanceof EvidenceError && e.code === "DUPLICATE",
    );
  });

  it("a commit that tombstones a validator drops its other held evidence on every node", () => {
    const tombstoned = new Set<number>();
    const pool = poolOn(tombstoned);
    const carried = evidence(2, 3); // what the proposer's block carried
    pool.add(evidence(2, 4), 5); // this node holds another piece against the same validator
    pool.add(evidence(3, 4), 5);
    pool.add(evidence(4, 5), 6); // gossiped from a peer a block ahead
    assert.equal(pool.size, 3);
    tombstoned.add(2); // block 5 committed carrying `carried`: validator 2 is tombstoned
    pool.committed([carried], 6);
    assert.equal(pool.size, 2, "validator 2's evidence is moot");
    assert.deepEqual(
      pool.forBlock(6, 10).map((e) => e.first.validator),
      [3, 4],
    );
  });
});
