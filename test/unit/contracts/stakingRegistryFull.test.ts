/**
 * A full registry (128 listed validators) is not closed for good: registering costs no stake,
 * so an attacker could fill the list with stakeless registrations and keep every later
 * validator out (before: `TooManyValidators` for every registration after the 128th, forever).
 * A validator with bonded stake takes the place of the listed one with the least.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";
import { registerArgs } from "../../helpers/validators.js";

const [A, B, C, D] = [account(2), account(3), account(4), account(5)];
const alice = account(10);

/** Four staked validators, then stakeless registrations filling the list to 128. */
function fullRegistry(): { net: Network; fillers: Address[] } {
  const net = new Network({
    activeSize: 4,
    epochLength: 10n,
    validators: [A, B, C, D].map((_, i) => ({ n: 2 + i, commissionBps: 0, stake: 100n * WAD })),
  });
  const fillers: Address[] = [];
  for (let i = 0; i < 124; i++) {
    const who = account(1000 + i);
    net.ok(net.send(who, "register", registerArgs(who, 0, 100 + i)));
    fillers.push(who);
  }
  assert.equal((net.view("validatorList") as Address[]).length, 128);
  return { net, fillers };
}

describe("staking: a full registry", () => {
  it("attacker: 124 stakeless registrations do not keep a staked validator out", () => {
    const { net, fillers } = fullRegistry();
    const honest = account(20);
    net.ok(net.send(honest, "register", registerArgs(honest, 0, 999)));
    let list = net.view("validatorList") as Address[];
    assert.equal(list.length, 128);
    assert.ok(!list.includes(honest), "registered into a full list: unlisted until it has stake");
    // Its first delegation lists it in place of the latest stakeless filler; the rest keep their order.
    net.ok(net.send(honest, "delegate", [honest], 500n * WAD));
    list = net.view("validatorList") as Address[];
    assert.equal(list.length, 128);
    assert.deepEqual(list.slice(0, 127), [A, B, C, D, ...fillers.slice(0, 123)]);
    assert.equal(list[127], honest);
    // Ranked at the next epoch like any validator.
    for (let h = 0; h < 10; h++) net.fullBlock(A);
    assert.equal(net.set().validators[0]?.address, honest);
  });

  it("the list goes to stake: more than the least listed enters, not more is refused", () => {
    const { net, fillers } = fullRegistry();
    // Every filler gets 1 unit: the least listed stake is now 1.
    for (const f of fillers) net.ok(net.send(alice, "delegate", [f], 1n));
    const honest = account(20);
    net.ok(net.send(honest, "register", registerArgs(honest, 0, 999)));
    const refused = net.send(alice, "delegate", [honest], 1n);
    assert.deepEqual(refused.error, { name: "TooManyValidators", args: { least: 1n, stake: 1n } });
    net.ok(net.send(alice, "delegate", [honest], 2n));
    const list = net.view("validatorList") as Address[];
    assert.equal(list[127], honest);
    assert.ok(!list.includes(fillers[123] as Address), "the latest of the least staked left");
    // The one that left stays registered: its delegator leaves with its stake.
    const out = fillers[123] as Address;
    assert.equal(net.view("validatorStake", [out]), 1n);
    const shares = net.view("sharesOf", [out, alice]) as bigint;
    net.ok(net.send(alice, "undelegate", [out, shares]));
    assert.equal(net.view("unbondingOf", [out, alice]), 1n);
    // And it enters again only by beating the least listed stake (1, among the other fillers).
    net.ok(net.send(alice, "delegate", [out], 5n));
    assert.equal((net.view("validatorList") as Address[])[127], out);
  });
});
