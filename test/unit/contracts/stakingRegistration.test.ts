/**
 * Validator registration on a network: a BLS key proven by a proof of possession bound to
 * the chain and the registering address, once per key; the commission's bound and
 * change-rate limit. An attacker's view: a key without its proof, someone else's proof,
 * a proof for another chain, a key already taken.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blsKeyFromSeed, blsProofOfPossession, blsSign } from "../../../src/codec/bls.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";
import { blsKey, registerArgs, TEST_CHAIN_ID } from "../../helpers/validators.js";

const DAY = 86_400n;
const victim = account(20);
const attacker = account(21);

function fresh() {
  const chain = new TestChain(30);
  const staking = chain.deploy("staking", [DAY, WAD / 20n, WAD / 100n]);
  const send = (from: typeof victim, args: unknown[]) =>
    staking.send(from, "register", args, { gasPrice: 0n, gasLimit: 50_000_000 });
  return { chain, staking, send };
}

describe("staking: validator registration with a BLS key", () => {
  it("registers a key with its proof of possession; the key is readable and paid for", () => {
    const { staking, send } = fresh();
    const out = send(victim, registerArgs(victim, 500, 1));
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(staking.view("blsKey", [victim]), blsKey(1).publicKey);
    assert.ok(
      out.receipt.gasUsed > GAS.BLS_VERIFY,
      `gas ${out.receipt.gasUsed} includes the BLS verification`,
    );
  });

  it("attacker: a stolen public key without its proof is refused", () => {
    const { send } = fresh();
    const stolen = blsKey(1).publicKey;
    const garbage = new Uint8Array(96);
    assert.equal(send(attacker, [0, stolen, garbage]).error?.name, "InvalidProofOfPossession");
    // A signature by the attacker's own key over the right message is still not the victim key's.
    const mine = blsKeyFromSeed(new Uint8Array(32).fill(9));
    const forged = blsProofOfPossession({ secret: mine.secret, publicKey: stolen }, TEST_CHAIN_ID, attacker);
    assert.equal(send(attacker, [0, stolen, forged]).error?.name, "InvalidProofOfPossession");
  });

  it("attacker: the victim's own proof is bound to the victim's address and chain", () => {
    const { send } = fresh();
    const key = blsKey(1);
    const victimsProof = blsProofOfPossession(key, TEST_CHAIN_ID, victim);
    assert.equal(send(attacker, [0, key.publicKey, victimsProof]).error?.name, "InvalidProofOfPossession");
    const otherChain = blsProofOfPossession(key, TEST_CHAIN_ID + 1n, attacker);
    assert.equal(send(attacker, [0, key.publicKey, otherChain]).error?.name, "InvalidProofOfPossession");
    // A plain signature of the key (no domain tag) is not a proof either.
    assert.equal(
      send(attacker, [0, key.publicKey, blsSign(key.secret, key.publicKey)]).error?.name,
      "InvalidProofOfPossession",
    );
  });

  it("a key is registered once; malformed keys and proofs are typed errors", () => {
    const { send } = fresh();
    assert.equal(send(victim, registerArgs(victim, 0, 1)).receipt.status, "success");
    // Even the key's holder cannot register it for a second address.
    const again = send(attacker, registerArgs(attacker, 0, 1));
    assert.equal(again.error?.name, "BlsKeyInUse");
    assert.equal(again.error?.args.validator, victim);
    const short = send(attacker, [0, new Uint8Array(47), new Uint8Array(96)]);
    assert.equal(short.error?.name, "InvalidBlsKey");
    assert.equal(short.error?.args.length, 47n);
    const key = blsKey(2);
    const pop = blsProofOfPossession(key, TEST_CHAIN_ID, attacker);
    assert.equal(
      send(attacker, [0, key.publicKey, pop.subarray(0, 95)]).error?.name,
      "InvalidProofOfPossession",
    );
    assert.equal(send(attacker, [10_001, key.publicKey, pop]).error?.name, "InvalidCommission");
    assert.equal(send(attacker, [10_000, key.publicKey, pop]).receipt.status, "success");
  });

  it("the point at infinity is not a key", () => {
    const { send } = fresh();
    const infinity = new Uint8Array(48);
    infinity[0] = 0xc0;
    const sigInfinity = new Uint8Array(96);
    sigInfinity[0] = 0xc0;
    assert.equal(send(attacker, [0, infinity, sigInfinity]).error?.name, "InvalidProofOfPossession");
  });
});

describe("staking: commission bound and change rate", () => {
  it("moves by at most 1 point, once a day", () => {
    const net = new Network({ validators: [{ n: 2, commissionBps: 1_000, stake: WAD }] });
    const v = account(2);
    const set = (bps: number) => net.send(v, "setCommission", [bps]);
    const soon = set(1_050);
    assert.equal(soon.error?.name, "CommissionChangeTooSoon");
    // The fixture registered at the chain's current time (its clock has not moved since).
    assert.equal(soon.error?.args.next, net.chain.block.time + DAY);
    net.chain.advance(DAY);
    const big = set(1_101);
    assert.equal(big.error?.name, "CommissionChangeTooLarge");
    assert.deepEqual(big.error?.args, { from: 1_000n, to: 1_101n, maxChange: 100n });
    net.ok(set(1_100));
    assert.equal(net.view("commissionOf", [v]), 1_100n);
    assert.equal(set(1_050).error?.name, "CommissionChangeTooSoon");
    net.chain.advance(DAY);
    net.ok(set(1_000));
    assert.equal(net.view("commissionOf", [v]), 1_000n);
    net.chain.advance(DAY);
    assert.equal(set(10_001).error?.name, "InvalidCommission");
    assert.equal(net.send(account(3), "setCommission", [0]).error?.name, "NotRegistered");
  });
});
