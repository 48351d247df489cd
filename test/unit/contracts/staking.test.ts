/**
 * Staking: registration, delegation, rewards by reward-per-share with commission,
 * unbonding and withdrawal, lockups, redelegation, slashing of bonded and unbonding
 * stake, the active set, conservation properties, and the parallel engine.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { type CallOptions, type Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";
import { registerArgs } from "../../helpers/validators.js";

const WAD = 10n ** 18n;
const DAY = 86_400n;
const admin = account(1);
const v1 = account(2);
const v2 = account(3);
const v3 = account(4);
const alice = account(5);
const bob = account(6);
const free: CallOptions = { gasPrice: 0n };

function setup() {
  const chain = new TestChain(10);
  const staking = chain.deploy("staking", [21n * DAY, WAD / 20n, WAD / 1000n]); // 5% double sign, 0.1% downtime
  for (const [i, [v, bps]] of (
    [
      [v1, 1_000],
      [v2, 500],
      [v3, 0],
    ] as const
  ).entries()) {
    // A BLS proof of possession (4M) and the first reads of the validator's keys: past the 5M default.
    const registered = staking.send(v as Address, "register", registerArgs(v, bps, i), {
      gasLimit: 10_000_000,
    });
    assert.equal(registered.receipt.status, "success");
  }
  return { chain, staking };
}

function send(staking: Contract, from: Address, method: string, args: unknown[], value = 0n) {
  return staking.send(from, method, args, { ...free, value });
}

describe("staking", () => {
  it("registration rules", () => {
    const { staking } = setup();
    assert.equal(staking.send(v1, "register", registerArgs(v1, 100, 9)).error?.name, "AlreadyRegistered");
    assert.equal(
      staking.send(alice, "register", registerArgs(alice, 10_001, 9)).error?.name,
      "InvalidCommission",
    );
    assert.equal(send(staking, alice, "delegate", [bob], 5n).error?.name, "NotRegistered");
    assert.equal(send(staking, alice, "delegate", [v1], 0n).error?.name, "ZeroAmount");
  });

  it("rewards: commission to the validator, the rest pro rata to delegators; claims pay coin", () => {
    const { chain, staking } = setup();
    send(staking, alice, "delegate", [v1], 1_000n * WAD);
    send(staking, bob, "delegate", [v1], 3_000n * WAD);
    send(staking, admin, "depositReward", [v1], 400n * WAD);
    assert.equal(staking.view("pendingRewards", [v1, v1]), 40n * WAD, "10% commission");
    assert.equal(staking.view("pendingRewards", [v1, alice]), 90n * WAD);
    assert.equal(staking.view("pendingRewards", [v1, bob]), 270n * WAD);
    const before = chain.state.balance(alice);
    assert.equal(send(staking, alice, "claimRewards", [v1]).value, 90n * WAD);
    assert.equal(chain.state.balance(alice), before + 90n * WAD);
    assert.equal(staking.view("pendingRewards", [v1, alice]), 0n);
    // A later delegator does not share earlier rewards.
    send(staking, alice, "delegate", [v1], 4_000n * WAD);
    assert.equal(staking.view("pendingRewards", [v1, alice]), 0n);
    assert.equal(staking.view("pendingRewards", [v1, bob]), 270n * WAD);
  });

  it("undelegate, then withdraw only after the unbonding period", () => {
    const { chain, staking } = setup();
    send(staking, alice, "delegate", [v2], 100n * WAD);
    const shares = staking.view("sharesOf", [v2, alice]) as bigint;
    const completes = send(staking, alice, "undelegate", [v2, shares / 2n]).value as bigint;
    assert.equal(completes, chain.block.time + 21n * DAY);
    assert.equal(staking.view("unbondingOf", [v2, alice]), 50n * WAD);
    assert.equal(send(staking, alice, "withdraw", [v2]).error?.name, "StillUnbonding");
    chain.advance(21n * DAY);
    const before = chain.state.balance(alice);
    assert.equal(send(staking, alice, "withdraw", [v2]).value, 50n * WAD);
    assert.equal(chain.state.balance(alice), before + 50n * WAD);
    assert.equal(send(staking, alice, "withdraw", [v2]).error?.name, "NothingToWithdraw");
    assert.equal(send(staking, alice, "undelegate", [v2, shares]).error?.name, "InsufficientShares");
  });

  it("locked delegations cannot be undelegated before the lock ends", () => {
    const { chain, staking } = setup();
    const until = chain.block.time + 7n * DAY;
    const locked = send(staking, alice, "delegateLocked", [v3, until], 10n * WAD);
    assert.deepEqual(staking.events(locked.receipt).at(-1), {
      name: "DelegationLocked",
      args: { validator: v3, delegator: alice, until },
    });
    assert.deepEqual(send(staking, alice, "undelegate", [v3, 1n]).error, {
      name: "Locked",
      args: { until, now: chain.block.time },
    });
    chain.advance(7n * DAY);
    assert.equal(send(staking, alice, "undelegate", [v3, 1n]).receipt.status, "success");
  });

  it("redelegation moves stake at once", () => {
    const { staking } = setup();
    send(staking, alice, "delegate", [v1], 10n * WAD);
    send(staking, alice, "redelegate", [v1, v2, staking.view("sharesOf", [v1, alice])]);
    assert.equal(staking.view("stakeOf", [v1, alice]), 0n);
    assert.equal(staking.view("stakeOf", [v2, alice]), 10n * WAD);
  });

  it("slashing cuts bonded and unbonding stake by the same fraction; owner only", () => {
    const { staking } = setup();
    send(staking, alice, "delegate", [v1], 100n * WAD);
    send(staking, bob, "delegate", [v1], 300n * WAD);
    send(staking, bob, "undelegate", [v1, staking.view("sharesOf", [v1, bob])]);
    assert.equal(staking.send(alice, "slash", [v1, WAD / 10n]).error?.name, "NotOwner");
    assert.equal(staking.send(admin, "slash", [v1, WAD + 1n]).error?.name, "InvalidFraction");
    const out = staking.send(admin, "slashDoubleSign", [v1]);
    assert.equal(out.receipt.status, "success");
    assert.equal(staking.view("stakeOf", [v1, alice]), 95n * WAD);
    assert.equal(staking.view("unbondingOf", [v1, bob]), 285n * WAD, "unbonding stake is slashed too");
  });

  it("the active set is the top validators by bonded stake", () => {
    const { staking } = setup();
    send(staking, alice, "delegate", [v1], 5n * WAD);
    send(staking, alice, "delegate", [v2], 50n * WAD);
    send(staking, alice, "delegate", [v3], 20n * WAD);
    assert.deepEqual(staking.view("activeSet", [2]), [v2, v3]);
    assert.deepEqual(staking.view("activeSet", [10]), [v2, v3, v1]);
  });

  it("stake and rewards are conserved except by slashing (fast-check)", () => {
    const delegators = [5, 6, 7, 8].map((n) => account(n));
    const vals = [v1, v2, v3];
    const op = fc.record({
      kind: fc.constantFrom("delegate", "undelegate", "withdraw", "reward", "claim", "slash", "wipe", "time"),
      d: fc.nat(3),
      v: fc.nat(2),
      amount: fc.bigInt(1n, 1000n * WAD),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 30 }), (ops) => {
        const { chain, staking } = setup();
        let staked = 0n;
        let withdrawn = 0n;
        let slashed = 0n;
        let rewards = 0n;
        let claimed = 0n;
        // Per delegator: coin put in, and coin taken out (withdrawn).
        const putIn = new Map<Address, bigint>();
        const takenOut = new Map<Address, bigint>();
        const add = (m: Map<Address, bigint>, d: Address, x: bigint) => m.set(d, (m.get(d) ?? 0n) + x);
        for (const o of ops) {
          const d = delegators[o.d] as Address;
          const v = vals[o.v] as Address;
          if (o.kind === "time") chain.advance(7n * DAY);
          else if (o.kind === "delegate") {
            if (send(staking, d, "delegate", [v], o.amount).receipt.status === "success") {
              staked += o.amount;
              add(putIn, d, o.amount);
            }
          } else if (o.kind === "undelegate") {
            const shares = staking.view("sharesOf", [v, d]) as bigint;
            if (shares > 0n) send(staking, d, "undelegate", [v, shares / 2n + 1n]);
          } else if (o.kind === "withdraw") {
            const out = send(staking, d, "withdraw", [v]);
            if (out.receipt.status === "success") {
              withdrawn += out.value as bigint;
              add(takenOut, d, out.value as bigint);
            }
          } else if (o.kind === "reward") {
            // A reward too large for a validator's total shares (1e18-scaled per share) reverts, whole.
            if (send(staking, admin, "depositReward", [v], o.amount).receipt.status === "success")
              rewards += o.amount;
          } else if (o.kind === "claim") {
            claimed += send(staking, d, "claimRewards", [v]).value as bigint;
          } else {
            const before =
              (staking.view("validatorStake", [v]) as bigint) +
              (staking.view("unbondingStake", [v]) as bigint);
            // "wipe" slashes everything: the pools' generations end.
            if (o.kind === "wipe") staking.send(admin, "slash", [v, WAD]);
            else staking.send(admin, "slashDowntime", [v]);
            slashed +=
              before -
              ((staking.view("validatorStake", [v]) as bigint) +
                (staking.view("unbondingStake", [v]) as bigint));
          }
        }
        let held = 0n;
        for (const v of vals)
          held +=
            (staking.view("validatorStake", [v]) as bigint) + (staking.view("unbondingStake", [v]) as bigint);
        assert.equal(held + withdrawn + slashed, staked, "stake conserved except by slashing");
        assert.ok(claimed <= rewards, "never pays more rewards than deposited");
        // Slashing only ever takes: no delegator's stake grows from someone else's coin.
        for (const d of delegators) {
          let has = takenOut.get(d) ?? 0n;
          for (const v of vals)
            has +=
              (staking.view("stakeOf", [v, d]) as bigint) + (staking.view("unbondingOf", [v, d]) as bigint);
          assert.ok(has <= (putIn.get(d) ?? 0n), `delegator ${d} holds ${has}, put in ${putIn.get(d) ?? 0n}`);
        }
        assert.equal(
          chain.state.balance(staking.address),
          held + slashed + rewards - claimed,
          "the contract holds exactly what it owes plus burned",
        );
      }),
      { numRuns: 12 },
    );
  });

  it("staking actions by many users: the parallel engine matches sequential", async () => {
    const { chain, staking } = setup();
    const txs: Transaction[] = [];
    for (let k = 0; k < 45; k++) {
      const d = account(5 + (k % 5));
      const v = [v1, v2, v3][k % 3] as Address;
      if (k % 5 === 4) txs.push(staking.tx(admin, "depositReward", [v], { value: WAD }));
      else if (k % 7 === 6) txs.push(staking.tx(d, "claimRewards", [v]));
      else txs.push(staking.tx(d, "delegate", [v], { value: 10n * WAD }));
    }
    const engine = await chainEngine(2);
    try {
      await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
    } finally {
      await engine.close();
    }
  });
});

describe("staking: remaining paths", () => {
  it("refuses slashing fractions above one at construction", () => {
    const chain = new TestChain(3);
    assert.throws(() => chain.deploy("staking", [DAY, WAD + 1n, 0n]), /InvalidFraction/);
    assert.throws(() => chain.deploy("staking", [DAY, 0n, WAD + 1n]), /InvalidFraction/);
  });

  it("a validator with no delegators keeps the whole reward", () => {
    const { staking } = setup();
    send(staking, admin, "depositReward", [v3], 7n * WAD);
    assert.equal(staking.view("pendingRewards", [v3, v3]), 7n * WAD);
    assert.equal(send(staking, admin, "depositReward", [v3], 0n).error?.name, "ZeroAmount");
  });
});

describe("staking: a pool slashed to nothing, and reward dust", () => {
  it("after a 100% slash, old shares are worthless: a new delegation is not shared with them", () => {
    const { chain, staking } = setup();
    send(staking, alice, "delegate", [v3], 100n * WAD);
    send(staking, admin, "depositReward", [v3], 10n * WAD); // v3 takes no commission
    assert.equal(staking.send(admin, "slash", [v3, WAD]).receipt.status, "success");
    assert.equal(staking.view("stakeOf", [v3, alice]), 0n);
    send(staking, bob, "delegate", [v3], 100n * WAD);
    assert.equal(staking.view("stakeOf", [v3, bob]), 100n * WAD, "the new delegation keeps its value");
    assert.equal(staking.view("stakeOf", [v3, alice]), 0n, "the wiped shares get nothing from it");
    assert.equal(staking.view("sharesOf", [v3, alice]), 0n);
    assert.equal(staking.view("validatorStake", [v3]), 100n * WAD);
    // Alice cannot take any of Bob's stake; the rewards earned before the slash stay hers.
    const before = chain.state.balance(alice);
    assert.equal(send(staking, alice, "undelegate", [v3, 1n]).error?.name, "InsufficientShares");
    assert.equal(staking.view("pendingRewards", [v3, alice]), 10n * WAD);
    assert.equal(send(staking, alice, "claimRewards", [v3]).value, 10n * WAD);
    assert.equal(chain.state.balance(alice), before + 10n * WAD);
    // Bob holds the whole pool: he gets all of it back, and all later rewards.
    send(staking, admin, "depositReward", [v3], 5n * WAD);
    assert.equal(staking.view("pendingRewards", [v3, bob]), 5n * WAD);
    const shares = staking.view("sharesOf", [v3, bob]) as bigint;
    send(staking, bob, "undelegate", [v3, shares]);
    assert.equal(staking.view("unbondingOf", [v3, bob]), 100n * WAD);
  });

  it("after a 100% slash of the unbonding pool, a new unbonding is not shared with the wiped one", () => {
    const { chain, staking } = setup();
    send(staking, alice, "delegate", [v3], 100n * WAD);
    send(staking, alice, "undelegate", [v3, staking.view("sharesOf", [v3, alice])]);
    staking.send(admin, "slash", [v3, WAD]);
    send(staking, bob, "delegate", [v3], 100n * WAD);
    send(staking, bob, "undelegate", [v3, staking.view("sharesOf", [v3, bob])]);
    assert.equal(staking.view("unbondingOf", [v3, bob]), 100n * WAD);
    assert.equal(staking.view("unbondingOf", [v3, alice]), 0n);
    chain.advance(21n * DAY);
    assert.equal(send(staking, alice, "withdraw", [v3]).error?.name, "NothingToWithdraw");
    assert.equal(send(staking, bob, "withdraw", [v3]).value, 100n * WAD);
  });

  it("reward dust below total shares / 1e18 is carried to the next reward, not lost", () => {
    const { staking } = setup();
    send(staking, alice, "delegate", [v3], 1_000n * WAD);
    send(staking, bob, "delegate", [v3], 2_000n * WAD);
    // 3,000e18 shares: a reward below 3,000 wei is less than one unit of the 1e18-scaled
    // reward per share. Nine of 1,000 wei each must all reach the delegators.
    for (let i = 0; i < 9; i++)
      assert.equal(send(staking, admin, "depositReward", [v3], 1_000n).receipt.status, "success");
    assert.equal(staking.view("pendingRewards", [v3, alice]), 3_000n);
    assert.equal(staking.view("pendingRewards", [v3, bob]), 6_000n);
    // Uneven amounts: what the delegators are owed plus the carried remainder (kept 1e18-scaled,
    // a fraction of a wei per share unit) is always exactly what came in.
    let deposited = 9_000n;
    for (const amount of [1n, 2_999n, 7n, 12_345n, 1n]) {
      assert.equal(send(staking, admin, "depositReward", [v3], amount).receipt.status, "success");
      deposited += amount;
      const paid =
        (staking.view("pendingRewards", [v3, alice]) as bigint) +
        (staking.view("pendingRewards", [v3, bob]) as bigint);
      const carried = staking.view("rewardRemainder", [v3]) as bigint;
      assert.ok(carried < 3_000n * WAD, "the remainder is below one unit per share");
      assert.equal(paid * WAD + carried, deposited * WAD, `after a reward of ${amount}`);
    }
  });
});
