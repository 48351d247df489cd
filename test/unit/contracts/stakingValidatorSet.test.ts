/**
 * The validator set: top N by bonded stake, ties in registration order, voting power
 * proportional to stake (total at most 1e9), recomputed only at epoch boundaries, read by
 * the node straight from storage (the reader agrees with the contract's views).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  readValidatorSet,
  ValidatorSetError,
  validatorSetAt,
} from "../../../src/chain/staking/validatorSet.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { Network, WAD } from "../../helpers/stakingNetwork.js";
import { blsKey } from "../../helpers/validators.js";

const [a, b, c, d] = [account(2), account(3), account(4), account(5)];

function fourValidators(activeSize = 3, epochLength = 10n) {
  return new Network({
    activeSize,
    epochLength,
    validators: [
      { n: 2, commissionBps: 0, stake: 300n * WAD },
      { n: 3, commissionBps: 0, stake: 100n * WAD },
      { n: 4, commissionBps: 0, stake: 100n * WAD },
      { n: 5, commissionBps: 0, stake: 50n * WAD },
    ],
  });
}

describe("staking: the validator set", () => {
  it("is the top N by stake, ties in registration order, power proportional to stake", () => {
    const net = fourValidators();
    const set = net.set();
    assert.equal(set.epoch, 0n);
    assert.deepEqual(
      set.validators.map((m) => [m.address, m.power]),
      [
        [a, 600_000_000],
        [b, 200_000_000],
        [c, 200_000_000],
      ],
    );
    assert.equal(set.totalPower, 1_000_000_000);
    assert.deepEqual(set.validators[0]?.blsKey, blsKey(0).publicKey);
    // The reader agrees with the contract's own views.
    assert.deepEqual(net.view("setMembers", [0n]), [a, b, c]);
    assert.deepEqual(net.view("setPowers", [0n]), [600_000_000n, 200_000_000n, 200_000_000n]);
  });

  it("a tie is broken by registration order, not by address", () => {
    // Registered in the order 5, 4: equal stakes keep that order although 4 < 5.
    const net = new Network({
      activeSize: 1,
      validators: [
        { n: 5, commissionBps: 0, stake: 10n * WAD },
        { n: 4, commissionBps: 0, stake: 10n * WAD },
      ],
    });
    assert.deepEqual(
      net.set().validators.map((m) => m.address),
      [d],
    );
  });

  it("changes only at an epoch boundary (end of block epoch·L)", () => {
    const net = fourValidators(3, 4n);
    net.ok(net.send(account(10), "delegate", [d], 200n * WAD)); // d: 250, now above b and c
    for (let h = 1n; h <= 3n; h++) {
      net.fullBlock(a);
      assert.equal(net.set().epoch, 0n, `after block ${h}`);
      assert.deepEqual(
        net.set().validators.map((m) => m.address),
        [a, b, c],
      );
    }
    net.fullBlock(a); // block 4 ends epoch 0
    const next = net.set();
    assert.equal(next.epoch, 1n);
    assert.deepEqual(
      next.validators.map((m) => [m.address, m.power]),
      [
        [a, 461_538_461],
        [d, 384_615_384],
        [b, 153_846_153],
      ],
    );
    assert.equal(net.view("currentEpoch"), 1n);
    // Blocks 5..8 are epoch 1's; the previous set is still readable for block 4's certificate.
    assert.deepEqual(
      net.setAt(4n).validators.map((m) => m.address),
      [a, b, c],
    );
    assert.deepEqual(
      net.setAt(5n).validators.map((m) => m.address),
      [a, d, b],
    );
    const read = (k: string) => net.chain.state.get(k);
    const at5 = validatorSetAt(read, net.staking.address, 5n);
    assert.equal(at5.startHeight, 5n);
    assert.equal(at5.set.epoch, 1n);
    assert.equal(validatorSetAt(read, net.staking.address, 4n).startHeight, 1n);
    for (let h = 5n; h <= 12n; h++) net.fullBlock(a);
    assert.equal(net.set().epoch, 3n);
    // Sets older than the previous epoch are deleted.
    assert.throws(
      () => readValidatorSet((k) => net.chain.state.get(k), net.staking.address, 1n),
      (e: unknown) => e instanceof ValidatorSetError && e.code === "NO_SUCH_EPOCH",
    );
    assert.deepEqual(net.view("setMembers", [1n]), []);
  });

  it("the plain DeFi staking contract is not a network: a typed error, and no end-of-block calls", () => {
    const chain = new TestChain(3);
    const staking = chain.deploy("staking", [86_400n, WAD / 20n, WAD / 1000n]);
    assert.throws(
      () => readValidatorSet((k) => chain.state.get(k), staking.address),
      (e: unknown) => e instanceof ValidatorSetError && e.code === "NOT_A_NETWORK",
    );
  });

  it("configureNetwork: owner only, once, parameters checked", () => {
    const net = fourValidators();
    const again = net.send(account(1), "configureNetwork", [3, 10n, 600n, 100n]);
    // Ownership went to the protocol: the former owner is refused.
    assert.equal(again.error?.name, "NotOwner");
    const chain = new TestChain(3);
    const staking = chain.deploy("staking", [86_400n, WAD / 20n, WAD / 100n], account(1));
    const send = (args: unknown[]) => staking.send(account(1), "configureNetwork", args);
    assert.deepEqual(send([0, 10n, 600n, 100n]).error, {
      name: "InvalidParameter",
      args: { name: "activeSize", value: 0n },
    });
    assert.equal(send([129, 10n, 600n, 100n]).error?.args.name, "activeSize");
    assert.equal(send([4, 0n, 600n, 100n]).error?.args.name, "epochLength");
    assert.equal(send([4, 10n, 0n, 100n]).error?.args.name, "jailSeconds");
    assert.equal(send([4, 10n, 600n, 0n]).error?.args.name, "evidenceAge");
    assert.equal(staking.send(account(2), "configureNetwork", [4, 10n, 600n, 100n]).error?.name, "NotOwner");
  });
});
