/**
 * The farm (MasterChef-style yield farming): rewards per second shared by allocation
 * points and stake, the funded schedule (never more than funded), deposit, withdraw,
 * harvest and emergency withdrawal, every revert reason and event, a real AMM pair's LP
 * token, and the parallel engine matching sequential on harvests and deposits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import {
  type Farm,
  farmEvents,
  farmSetup,
  ok,
  owner,
  pending,
  rewardBalance,
  SCALE,
} from "../../helpers/farm.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const WAD = 10n ** 18n;
const [alice, bob, carol] = [account(2), account(3), account(4)];

/** What a stake of `stake` in a pool of `total` earns of `reward` in one step: the contract's two roundings down. */
function share(reward: bigint, stake: bigint, total: bigint): bigint {
  return (stake * ((reward * SCALE) / total)) / SCALE;
}

function deposit(f: Farm, user: Address, pid: number, amount: bigint) {
  const out = f.farm.send(user, "deposit", [pid, amount]);
  ok(out);
  return out;
}

describe("farm: rewards", () => {
  it("one pool: the rate is shared by stake, second by second, and harvest pays it", () => {
    const f = farmSetup();
    deposit(f, alice, 0, 100n * WAD);
    f.chain.advance(10n);
    assert.equal(pending(f, 0, alice), 10n * WAD, "alone for 10 s at 1 per second");
    deposit(f, bob, 0, 300n * WAD);
    f.chain.advance(10n);
    assert.equal(pending(f, 0, alice), 10n * WAD + (10n * WAD) / 4n);
    assert.equal(pending(f, 0, bob), (30n * WAD) / 4n);
    const harvest = f.farm.send(alice, "harvest", [0]);
    ok(harvest);
    assert.equal(harvest.value, 12_500_000_000_000_000_000n);
    assert.deepEqual(farmEvents(f, harvest.receipt), [
      { name: "Harvest", args: { user: alice, pid: 0n, amount: 12_500_000_000_000_000_000n } },
    ]);
    assert.equal(rewardBalance(f, alice), 12_500_000_000_000_000_000n);
    assert.equal(pending(f, 0, alice), 0n);
    // Harvesting again in the same second pays nothing, and is no error.
    const again = f.farm.send(alice, "harvest", [0]);
    ok(again);
    assert.equal(again.value, 0n);
  });

  it("pools share the rate by allocation points; a pool with 0 points earns nothing", () => {
    const f = farmSetup({ allocs: [100, 300, 0] });
    assert.equal(f.farm.view("totalAllocPoint"), 400n);
    deposit(f, alice, 0, WAD);
    deposit(f, bob, 1, 5n * WAD);
    deposit(f, carol, 2, 7n * WAD);
    f.chain.advance(100n);
    assert.equal(pending(f, 0, alice), 25n * WAD);
    assert.equal(pending(f, 1, bob), 75n * WAD);
    assert.equal(pending(f, 2, carol), 0n);
    // Moving points: everything earned so far is kept at the old shares.
    const set = f.farm.send(owner, "setAllocPoint", [2, 400]);
    ok(set);
    assert.deepEqual(farmEvents(f, set.receipt), [
      { name: "AllocPointSet", args: { pid: 2n, allocPoint: 400n, totalAllocPoint: 800n } },
    ]);
    f.chain.advance(100n);
    assert.equal(pending(f, 0, alice), 25n * WAD + (100n * WAD) / 8n);
    assert.equal(pending(f, 1, bob), 75n * WAD + (300n * WAD) / 8n);
    assert.equal(pending(f, 2, carol), share(50n * WAD, 7n * WAD, 7n * WAD), "50e18 less rounding");
    assert.equal(share(50n * WAD, 7n * WAD, 7n * WAD), 50n * WAD - 1n);
  });

  it("the schedule ends when the funds are spent; a later funding starts from then, not before", () => {
    const f = farmSetup({ funding: 0n });
    deposit(f, alice, 0, WAD);
    f.chain.advance(5n);
    assert.equal(pending(f, 0, alice), 0n, "nothing funded, nothing earned");
    const funded = f.farm.send(owner, "fund", [10n * WAD]);
    ok(funded);
    const t = f.chain.block.time;
    assert.equal(funded.value, t + 10n);
    assert.deepEqual(farmEvents(f, funded.receipt), [
      { name: "Funded", args: { funder: owner, amount: 10n * WAD, endTime: t + 10n } },
    ]);
    f.chain.advance(25n);
    assert.equal(pending(f, 0, alice), 10n * WAD, "paid up to the funds, not beyond");
    ok(f.farm.send(owner, "fund", [4n * WAD + 3n]));
    assert.equal(f.farm.view("endTime"), f.chain.block.time + 4n);
    assert.equal(f.farm.view("unscheduled"), 3n, "less than a second of the rate waits");
    f.chain.advance(2n);
    assert.equal(pending(f, 0, alice), 12n * WAD);
    // Halving the rate: the 2e18 left (and the 3 unscheduled) now run 4 s.
    const rate = f.farm.send(owner, "setRewardRate", [WAD / 2n]);
    ok(rate);
    assert.deepEqual(farmEvents(f, rate.receipt), [
      { name: "RewardRateSet", args: { rate: WAD / 2n, endTime: f.chain.block.time + 4n } },
    ]);
    assert.equal(f.farm.view("unscheduled"), 3n);
    // Rate 0: everything left is unscheduled until a rate is set.
    ok(f.farm.send(owner, "setRewardRate", [0n]));
    assert.equal(f.farm.view("unscheduled"), 2n * WAD + 3n);
    f.chain.advance(100n);
    assert.equal(pending(f, 0, alice), 12n * WAD);
    ok(f.farm.send(owner, "setRewardRate", [WAD]));
    f.chain.advance(100n);
    assert.equal(pending(f, 0, alice), 14n * WAD);
    assert.equal(f.farm.view("totalFunded"), 14n * WAD + 3n);
    ok(f.farm.send(alice, "harvest", [0]));
    assert.equal(rewardBalance(f, f.farm.address), 3n, "the farm keeps exactly what was not paid");
  });

  it("withdraw keeps what was earned; emergencyWithdraw forfeits only what was not settled", () => {
    const f = farmSetup();
    deposit(f, alice, 0, 10n * WAD);
    f.chain.advance(10n);
    const w = f.farm.send(alice, "withdraw", [0, 4n * WAD]);
    ok(w);
    assert.deepEqual(farmEvents(f, w.receipt), [
      { name: "Withdraw", args: { user: alice, pid: 0n, amount: 4n * WAD } },
    ]);
    assert.equal(f.lps[0]?.view("balanceOf", [alice]), 10n ** 30n - 6n * WAD);
    assert.equal(f.farm.view("stakedOf", [0, alice]), 6n * WAD);
    f.chain.advance(10n);
    const settled = 10n * WAD;
    assert.equal(pending(f, 0, alice), settled + share(10n * WAD, 6n * WAD, 6n * WAD));
    const e = f.farm.send(alice, "emergencyWithdraw", [0]);
    ok(e);
    assert.equal(e.value, 6n * WAD);
    assert.deepEqual(farmEvents(f, e.receipt), [
      { name: "EmergencyWithdraw", args: { user: alice, pid: 0n, amount: 6n * WAD } },
    ]);
    assert.equal(f.lps[0]?.view("balanceOf", [alice]), 10n ** 30n);
    assert.equal(f.farm.view("poolTotalStaked", [0]), 0n);
    assert.equal(pending(f, 0, alice), 10n * WAD, "settled at the withdrawal: kept");
    ok(f.farm.send(alice, "harvest", [0]));
    assert.equal(rewardBalance(f, alice), 10n * WAD);
  });

  it("a pool with no stake earns for nobody: a later depositor gets none of it", () => {
    const f = farmSetup();
    f.chain.advance(50n);
    deposit(f, alice, 0, WAD);
    f.chain.advance(1n);
    assert.equal(pending(f, 0, alice), WAD);
  });

  it("LP tokens sent to the farm directly change nobody's share", () => {
    const f = farmSetup();
    deposit(f, alice, 0, WAD);
    ok(f.lps[0]?.send(bob, "transfer", [f.farm.address, 1_000n * WAD]) as never);
    f.chain.advance(10n);
    assert.equal(pending(f, 0, alice), 10n * WAD);
    assert.equal(f.farm.view("poolTotalStaked", [0]), WAD);
  });

  it("views: pools, stakes, rates and the reward per share", () => {
    const f = farmSetup({ allocs: [7] });
    assert.equal(f.farm.view("poolCount"), 1n);
    assert.equal(f.farm.view("poolLpToken", [0]), f.lps[0]?.address);
    assert.equal(f.farm.view("poolAllocPoint", [0]), 7n);
    assert.equal(f.farm.view("rewardToken"), f.reward.address);
    assert.equal(f.farm.view("rewardRate"), WAD);
    assert.equal(f.farm.view("owner"), owner);
    deposit(f, alice, 0, 4n);
    const t = f.chain.block.time;
    f.chain.advance(3n);
    assert.equal(f.farm.view("accRewardPerShare", [0]), (3n * WAD * 10n ** 36n) / 4n);
    assert.equal(f.farm.view("storedAccRewardPerShare", [0]), 0n, "a view stores nothing");
    assert.equal(f.farm.view("lastRewardTime", [0]), t);
  });
});

describe("farm: reverts and events", () => {
  it("owner-only calls", () => {
    const f = farmSetup();
    for (const [method, args] of [
      ["addPool", [account(50), 1]],
      ["setAllocPoint", [0, 1]],
      ["setRewardRate", [1n]],
      ["fund", [1n]],
    ] as const) {
      const out = f.farm.send(alice, method, [...args]);
      assert.deepEqual(out.error, { name: "NotOwner", args: { caller: alice } }, method);
    }
  });

  it("zero amounts, unknown pools, duplicates, too many pools, overdrawn stakes", () => {
    const f = farmSetup();
    assert.equal(f.farm.send(alice, "deposit", [0, 0n]).error?.name, "ZeroAmount");
    assert.equal(f.farm.send(alice, "withdraw", [0, 0n]).error?.name, "ZeroAmount");
    assert.equal(f.farm.send(owner, "fund", [0n]).error?.name, "ZeroAmount");
    assert.equal(f.farm.send(alice, "emergencyWithdraw", [0]).error?.name, "ZeroAmount");
    for (const [method, args] of [
      ["deposit", [1, 1n]],
      ["withdraw", [1, 1n]],
      ["harvest", [1]],
      ["emergencyWithdraw", [1]],
      ["pendingReward", [1, alice]],
      ["poolTotalStaked", [1]],
    ] as const) {
      assert.deepEqual(f.farm.send(alice, method, [...args]).error, {
        name: "UnknownPool",
        args: { pid: 1n },
      });
    }
    assert.deepEqual(f.farm.send(owner, "setAllocPoint", [9, 1]).error, {
      name: "UnknownPool",
      args: { pid: 9n },
    });
    assert.deepEqual(f.farm.send(owner, "addPool", [f.lps[0]?.address, 5]).error, {
      name: "DuplicatePool",
      args: { lpToken: f.lps[0]?.address, pid: 0n },
    });
    deposit(f, alice, 0, 5n);
    assert.deepEqual(f.farm.send(alice, "withdraw", [0, 6n]).error, {
      name: "InsufficientStake",
      args: { staked: 5n, requested: 6n },
    });
    for (let i = 1; i < 32; i++) ok(f.farm.send(owner, "addPool", [account(100 + i), 1]));
    assert.deepEqual(f.farm.send(owner, "addPool", [account(200), 1]).error, {
      name: "TooManyPools",
      args: { max: 32n },
    });
  });

  it("failed token transfers and a schedule too long", () => {
    const f = farmSetup({ funding: 0n });
    ok(f.lps[0]?.send(alice, "approve", [f.farm.address, 0n]) as never);
    assert.deepEqual(f.farm.send(alice, "deposit", [0, 1n]).error, {
      name: "TransferFailed",
      args: { token: f.lps[0]?.address, to: f.farm.address, amount: 1n },
    });
    // A pool whose "LP token" is no contract: the transfer call fails.
    ok(f.farm.send(owner, "addPool", [account(77), 1]));
    assert.deepEqual(f.farm.send(alice, "deposit", [1, 1n]).error?.name, "TransferFailed");
    ok(f.farm.send(owner, "setRewardRate", [1n]));
    const tooLong = f.farm.send(owner, "fund", [1n << 41n]);
    assert.equal(tooLong.error?.name, "ScheduleTooLong");
    ok(f.reward.send(owner, "approve", [f.farm.address, 0n]));
    assert.equal(f.farm.send(owner, "fund", [5n]).error?.name, "TransferFailed");
  });

  it("deposit and pool events", () => {
    const f = farmSetup();
    const d = deposit(f, alice, 0, 3n);
    assert.deepEqual(farmEvents(f, d.receipt), [
      { name: "Deposit", args: { user: alice, pid: 0n, amount: 3n } },
    ]);
    const added = f.farm.send(owner, "addPool", [account(60), 50]);
    ok(added);
    assert.equal(added.value, 1n);
    assert.deepEqual(farmEvents(f, added.receipt), [
      { name: "PoolAdded", args: { pid: 1n, lpToken: account(60), allocPoint: 50n } },
    ]);
  });
});

describe("farm on the parallel engine", () => {
  it("harvests, deposits and withdrawals by many users in two pools: parallel = sequential", async () => {
    const f = farmSetup({ allocs: [100, 200], users: 12 });
    for (let u = 2; u <= 12; u++) {
      deposit(f, account(u), 0, BigInt(u) * WAD);
      deposit(f, account(u), 1, BigInt(u) * 3n * WAD);
    }
    f.chain.advance(30n);
    const txs: Transaction[] = [];
    for (let k = 0; k < 44; k++) {
      const user = account(2 + (k % 11));
      const pid = k % 2;
      if (k % 4 === 3) txs.push(f.farm.tx(user, "deposit", [pid, WAD]));
      else if (k % 7 === 5) txs.push(f.farm.tx(user, "withdraw", [pid, WAD / 2n]));
      else txs.push(f.farm.tx(user, "harvest", [pid]));
    }
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(
        engine,
        await attachChain(engine, f.chain),
        f.chain.block,
        txs,
      );
      assert.ok(result.receipts.every((r) => r.status === "success"));
    } finally {
      await engine.close();
    }
  });
});
