/**
 * Attacks on double-sign evidence, with real BLS keys and the node's own checks
 * (`checkEvidence`, `checkBlockEvidence`, `judgeEvidence`, `decodeBlockValue`) over a
 * state that holds only the staking contract's evidence age and tombstones: forged
 * signatures, the same vote twice, votes of different heights or rounds, signers outside
 * the set, expired heights, duplicates, and many pieces against one validator.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EvidenceError } from "../../../src/chain/staking/evidence.js";
import { slotKey, slots, VALIDATOR_FIELD } from "../../../src/chain/staking/storageLayout.js";
import type { ValidatorSet as StakingSet } from "../../../src/chain/staking/validatorSet.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { keyPairFromSeed, sign } from "../../../src/consensus/bls.js";
import {
  type DuplicateVoteEvidence,
  duplicateVoteEvidence,
  encodeEvidence,
} from "../../../src/consensus/evidence.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { ValidatorSet } from "../../../src/consensus/validatorSet.js";
import { PENALTY } from "../../../src/net/peerScore.js";
import {
  chainEvidencePool,
  checkBlockEvidence,
  checkEvidence,
  type EvidenceContext,
} from "../../../src/node/validator/evidenceCheck.js";
import { judgeEvidence } from "../../../src/node/validator/evidenceGossip.js";
import { EvidencePool } from "../../../src/node/validator/evidencePool.js";

const CHAIN = 7n;
const STAKING = `0x${"5".repeat(40)}` as Address;
const keys = [1, 2, 3, 4].map((i) => keyPairFromSeed(new Uint8Array(32).fill(i)));
const outsider = keyPairFromSeed(new Uint8Array(32).fill(9));
const set = ValidatorSet.create(keys.map((k) => ({ publicKey: k.publicKey, votingPower: 10n })));
const operator = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;
const stakingSet = {
  epoch: 0n,
  validators: keys.map((_, i) => ({ address: operator(i), power: 10 })),
} as unknown as StakingSet;

/**
 * The set's keys are read once per `verifyEvidence` (then two BLS checks): a proxy counting
 * `key` calls counts the pairs of signature checks.
 */
function countingSet(): { set: ValidatorSet; verifications: () => number } {
  let lookups = 0;
  const counted = new Proxy(set, {
    get(target, name, receiver) {
      if (name === "key")
        return (i: number) => {
          lookups++;
          return target.key(i);
        };
      const value = Reflect.get(target, name, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { set: counted, verifications: () => 2 * lookups };
}

function chain(age: bigint, consensusSet: ValidatorSet = set) {
  const state = new Map<string, Uint8Array>([
    [slotKey(STAKING, slots.evidenceAge()), encodeAbi(["u64"], [age])],
  ]);
  const ctx: EvidenceContext = {
    read: (k) => state.get(k),
    staking: STAKING,
    chainId: CHAIN,
    validators: { validatorSetAt: () => ({ set: consensusSet }), stakingSetAt: () => stakingSet },
  };
  const tombstone = (i: number) =>
    state.set(
      slotKey(STAKING, slots.validatorField(operator(i), VALIDATOR_FIELD.tombstoned)),
      encodeAbi(["bool"], [true]),
    );
  return { ctx, tombstone };
}

function vote(v: UnsignedVote, secret = keys[v.validator]?.secretKey ?? outsider.secretKey): Vote {
  return { ...v, signature: sign(secret, voteSigningBytes(CHAIN.toString(), v)) };
}
const hash = (b: number) => new Uint8Array(32).fill(b);
function doubleSign(validator: number, height: number, round = 0, a = 1, b = 2): DuplicateVoteEvidence {
  const base = { type: VoteType.Precommit, height, round, validator };
  return duplicateVoteEvidence(vote({ ...base, valueHash: hash(a) }), vote({ ...base, valueHash: hash(b) }));
}
const code = (c: string) => (e: unknown) => e instanceof EvidenceError && e.code === c;

describe("evidence spam", () => {
  it("refuses forged, self-identical, mismatched and outsider evidence, and slashes nobody for it", () => {
    const { ctx } = chain(100n);
    const real = doubleSign(1, 5);
    assert.equal(checkEvidence(real, 6, ctx).validator, operator(1));
    // A signature swapped for another validator's.
    const forged = {
      ...real,
      second: { ...real.second, signature: vote(real.second, keys[2]?.secretKey).signature },
    };
    assert.throws(() => checkEvidence(forged, 6, ctx), code("FORGED"));
    // The same vote twice.
    assert.throws(() => checkEvidence({ first: real.first, second: real.first }, 6, ctx), code("FORGED"));
    // Votes of different heights, rounds, types, validators: each signed honestly, none a double sign.
    const at = (h: number, r: number, t: VoteType, v: number, x: number) =>
      vote({ type: t, height: h, round: r, validator: v, valueHash: hash(x) });
    for (const second of [
      at(6, 0, VoteType.Precommit, 1, 2),
      at(5, 1, VoteType.Precommit, 1, 2),
      at(5, 0, VoteType.Prevote, 1, 2),
      at(5, 0, VoteType.Precommit, 2, 2),
    ])
      assert.throws(
        () => checkEvidence({ first: at(5, 0, VoteType.Precommit, 1, 1), second }, 7, ctx),
        code("FORGED"),
      );
    // Out of canonical order.
    assert.throws(() => checkEvidence({ first: real.second, second: real.first }, 6, ctx), code("FORGED"));
    // A signer outside the set (index 4 of 4), signing with its own key.
    assert.throws(() => checkEvidence(doubleSign(4, 5), 6, ctx), code("UNKNOWN_VALIDATOR"));
    // Too old, and not yet.
    assert.throws(() => checkEvidence(doubleSign(1, 5), 106, ctx), code("EXPIRED"));
    assert.throws(() => checkEvidence(doubleSign(1, 5), 5, ctx), code("FUTURE"));
  });

  it("a block carries one piece per validator; a tombstoned validator is not punished again", () => {
    const { ctx, tombstone } = chain(100n);
    const twice = [doubleSign(1, 5), doubleSign(1, 6)];
    assert.throws(() => checkBlockEvidence(twice, 8, ctx), code("DUPLICATE"));
    assert.throws(() => checkBlockEvidence([doubleSign(1, 5), doubleSign(1, 5)], 8, ctx), code("DUPLICATE"));
    assert.equal(checkBlockEvidence([doubleSign(1, 5), doubleSign(2, 5)], 8, ctx).length, 2);
    tombstone(1);
    assert.throws(() => checkBlockEvidence([doubleSign(1, 7)], 8, ctx), code("ALREADY_PUNISHED"));
  });

  it("gossip: a spammer of bad evidence pays per message, a real double sign is held once", () => {
    const { ctx, tombstone } = chain(100n);
    const pool = new EvidencePool((e, h) => checkEvidence(e, h, ctx));
    const real = doubleSign(3, 5);
    const points = (v: ReturnType<typeof judgeEvidence>) => (typeof v === "object" ? v.points : 0);
    assert.equal(judgeEvidence(encodeEvidence(real), pool, 6), "accept");
    assert.equal(points(judgeEvidence(encodeEvidence(real), pool, 6)), PENALTY.STALE_GOSSIP, "a replay");
    assert.equal(judgeEvidence(encodeEvidence(doubleSign(3, 5, 1)), pool, 6), "ignore", "held already");
    assert.equal(points(judgeEvidence(encodeEvidence(doubleSign(4, 5)), pool, 6)), PENALTY.INVALID_GOSSIP);
    assert.equal(points(judgeEvidence(new Uint8Array([1, 0, 0]), pool, 6)), PENALTY.INVALID_GOSSIP);
    assert.equal(judgeEvidence(encodeEvidence(doubleSign(2, 50)), pool, 6), "ignore", "a height not reached");
    assert.equal(pool.size, 1);
    tombstone(3);
    pool.committed([real], 7);
    assert.equal(pool.size, 0);
    assert.equal(points(judgeEvidence(encodeEvidence(doubleSign(3, 6)), pool, 7)), PENALTY.STALE_GOSSIP);
    assert.deepEqual(pool.forBlock(8, 64), []);
  });

  it("new valid evidence against a validator held or tombstoned costs no BLS check", () => {
    // Issue 15, session 16's open LOW: such evidence was verified (two BLS checks, ~0.85 ms each)
    // before the pool saw it held its validator, so a peer could make a node pay 1.7 ms a message.
    const counting = countingSet();
    const { ctx, tombstone } = chain(100n, counting.set);
    const pool = chainEvidencePool(ctx);
    assert.equal(judgeEvidence(encodeEvidence(doubleSign(3, 5)), pool, 6), "accept");
    assert.equal(counting.verifications(), 2, "the first piece against validator 3 is verified");
    // Other real double signs of validator 3 (other rounds): held already, ignored unverified.
    for (let round = 1; round <= 20; round++)
      assert.equal(judgeEvidence(encodeEvidence(doubleSign(3, 5, round)), pool, 6), "ignore");
    assert.equal(counting.verifications(), 2, "none of the 20 others is verified");
    // Tombstoned: refused as already punished before any signature is checked.
    tombstone(2);
    for (let round = 0; round < 20; round++) {
      const verdict = judgeEvidence(encodeEvidence(doubleSign(2, 5, round)), pool, 6);
      assert.equal(typeof verdict === "object" ? verdict.points : 0, PENALTY.STALE_GOSSIP);
    }
    assert.throws(() => checkEvidence(doubleSign(2, 4), 6, ctx), code("ALREADY_PUNISHED"));
    assert.equal(counting.verifications(), 2, "evidence against a tombstoned validator is not verified");
    // A validator not held: still verified, and a forgery against it still refused as FORGED.
    assert.equal(judgeEvidence(encodeEvidence(doubleSign(1, 5)), pool, 6), "accept");
    assert.equal(counting.verifications(), 4);
    assert.deepEqual(
      pool
        .forBlock(6, 64)
        .map((e) => e.first.validator)
        .sort(),
      [1, 3],
    );
  });
});
