/**
 * BLS keys for validators: proofs of possession in Weft's one scheme (`src/codec/bls.ts`, the
 * rogue-key defence, checked at registration), domain separation of signatures (chain id,
 * message kind), and validator sets refused when malformed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateSerializedPublicKeys, PublicKey, SecretKey } from "@chainsafe/blst";
import { blsPopMessage, verifyBls } from "../../../src/codec/bls.js";
import { parsePublicKey, sign, verifyAggregate, verifySignature } from "../../../src/consensus/bls.js";
import { ConsensusError } from "../../../src/consensus/errors.js";
import { proposalSigningBytes, voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { VoteType } from "../../../src/consensus/types.js";
import { decodeValidatorSet, encodeValidatorSet, ValidatorSet } from "../../../src/consensus/validatorSet.js";
import { hashOf, TEST_CHAIN_ID, testKeys } from "../../helpers/consensusKeys.js";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConsensusError, `not a ConsensusError: ${e}`);
    return e.code;
  }
  assert.fail("no error");
}

describe("BLS keys and validator sets", () => {
  const keys = testKeys(3);
  const [a, b] = keys as [(typeof keys)[0], (typeof keys)[0]];

  const operator = "0x00000000000000000000000000000000000000aa";
  const pop = (k: typeof a, key = k.publicKey) => sign(k.secretKey, blsPopMessage(7n, operator, key));

  it("a proof of possession verifies for its key, chain and operator only", () => {
    assert.ok(verifyBls(a.publicKey, blsPopMessage(7n, operator, a.publicKey), pop(a)));
    assert.ok(!verifyBls(b.publicKey, blsPopMessage(7n, operator, b.publicKey), pop(a)));
    assert.ok(!verifyBls(a.publicKey, blsPopMessage(8n, operator, a.publicKey), pop(a)));
    assert.ok(!verifyBls(new Uint8Array(48), blsPopMessage(7n, operator, new Uint8Array(48)), pop(a)));
  });

  it("a rogue key (built from an honest key) makes a forged aggregate, and has no proof of possession", () => {
    // The attacker picks x, publishes rogue = g·x − honest: the aggregate key of {honest, rogue} is g·x,
    // so x alone "signs" for both. Point negation is not exposed by blst, so build it from secrets:
    // honest = s·g, rogue = (x − s)·g — exactly the key the attack produces (the attacker never needs s).
    const order = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
    const s = BigInt(`0x${Buffer.from(a.secretKey.toBytes()).toString("hex")}`);
    const x = 12345678901234567890n;
    const scalar = (n: bigint) =>
      SecretKey.fromBytes(Buffer.from((((n % order) + order) % order).toString(16).padStart(64, "0"), "hex"));
    const rogueSecret = scalar(x - s);
    const rogue = rogueSecret.toPublicKey().toBytes(true);
    const xKey = scalar(x);
    const message = voteSigningBytes(TEST_CHAIN_ID, {
      type: VoteType.Precommit,
      height: 1,
      round: 0,
      valueHash: hashOf("v"),
    });
    const forged = sign(xKey, message);
    const aggregateKey = aggregateSerializedPublicKeys([a.publicKey, rogue], true);
    assert.equal(
      aggregateKey.toHex(true),
      xKey.toPublicKey().toHex(true),
      "the rogue key cancels the honest one",
    );
    assert.ok(
      verifyAggregate([parsePublicKey(a.publicKey), PublicKey.fromBytes(rogue)], message, forged),
      "the forgery verifies without proofs",
    );
    // The attacker can sign for g·x but not prove possession of `rogue`: registration
    // (the staking contract's bls_verify of this message) refuses it.
    const fakeProof = sign(xKey, blsPopMessage(7n, operator, rogue));
    assert.ok(!verifyBls(rogue, blsPopMessage(7n, operator, rogue), fakeProof));
  });

  it("signatures are bound to the chain id and the kind of message", () => {
    const vote = { type: VoteType.Prevote, height: 5, round: 0, valueHash: hashOf("v") };
    const signature = sign(a.secretKey, voteSigningBytes(TEST_CHAIN_ID, vote));
    const key = parsePublicKey(a.publicKey);
    assert.ok(verifySignature(key, voteSigningBytes(TEST_CHAIN_ID, vote), signature));
    assert.ok(!verifySignature(key, voteSigningBytes("other-chain", vote), signature));
    assert.ok(
      !verifySignature(
        key,
        voteSigningBytes(TEST_CHAIN_ID, { ...vote, type: VoteType.Precommit }),
        signature,
      ),
    );
    assert.ok(
      !verifySignature(key, voteSigningBytes(TEST_CHAIN_ID, { ...vote, valueHash: null }), signature),
    );
    const proposal = {
      height: 5,
      round: 0,
      polRound: -1,
      proposer: 0,
      value: { hash: hashOf("v"), bytes: new Uint8Array() },
    };
    assert.ok(!verifySignature(key, proposalSigningBytes(TEST_CHAIN_ID, proposal), signature));
    assert.ok(!verifySignature(key, blsPopMessage(7n, operator, a.publicKey), signature));
    assert.ok(!verifyBls(a.publicKey, blsPopMessage(7n, operator, a.publicKey), signature));
    assert.ok(
      !verifySignature(key, voteSigningBytes(TEST_CHAIN_ID, vote), new Uint8Array(96)),
      "malformed is false, not a throw",
    );
  });

  it("a validator set refuses duplicates, zero power, emptiness and a bad key; it round-trips", () => {
    const entry = (k: typeof a, power = 10n) => ({ publicKey: k.publicKey, votingPower: power });
    assert.equal(
      code(() => ValidatorSet.create([])),
      "BAD_VALIDATOR_SET",
    );
    assert.equal(
      code(() => ValidatorSet.create([entry(a), entry(a)])),
      "BAD_VALIDATOR_SET",
    );
    assert.equal(
      code(() => ValidatorSet.create([entry(a, 0n)])),
      "BAD_VALIDATOR_SET",
    );
    assert.equal(
      code(() => ValidatorSet.create([entry(a, 1n << 61n)])),
      "BAD_VALIDATOR_SET",
    );
    assert.equal(
      code(() => ValidatorSet.create([{ publicKey: new Uint8Array(48), votingPower: 1n }])),
      "BAD_KEY",
    );
    const set = ValidatorSet.create([entry(a, 3n), entry(b, 7n)]);
    assert.equal(set.totalPower, 10n);
    assert.ok(set.hasQuorum(7n) && !set.hasQuorum(6n), "7/10 > 2/3, 6/10 is not");
    assert.ok(set.hasOneThird(4n) && !set.hasOneThird(3n));
    const again = decodeValidatorSet(encodeValidatorSet(set.validators));
    assert.deepEqual(again.hash, set.hash);
    assert.equal(again.indexOf(b.publicKey), 1);
    assert.equal(
      code(() => set.key(2)),
      "UNKNOWN_VALIDATOR",
    );
  });
});
