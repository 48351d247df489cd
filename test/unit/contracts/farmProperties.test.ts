/**
 * The farm's invariants over random action sequences, against a model of exact pro-rata
 * shares: the rewards paid (and still owed) never exceed those funded, and each user's
 * rewards differ from their exact share by less than the bound docs/farm.md derives:
 * 2 units per settlement plus 1 unit per update of the pool while the user is staked.
 * Hostile cases: a 1-wei first stake under a huge reward rate, withdrawing more than
 * staked, funding 0, pools with 0 allocation, and reentrancy through a token's transfer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { farmSetup, ok, owner, pending, rewardBalance, SCALE } from "../../helpers/farm.js";

const WAD = 10n ** 18n;
/** The model's exact shares are kept multiplied by P. */
const P = 10n ** 40n;
const MAX_DURATION = 1n << 40n;
const USERS = [2, 3, 4, 5].map((n) => account(n));

interface Pos {
  amount: bigint;
  /** Exact rewards × P: settled (kept through an emergency withdrawal) and since the last settlement. */
  idealOwed: bigint;
  idealPending: bigint;
  paid: bigint;
  /** The rounding allowed so far, in units. */
  bound: bigint;
}

class Model {
  rate: bigint;
  end: bigint;
  unscheduled = 0n;
  funded = 0n;
  allocs: bigint[];
  totals: bigint[];
  last: bigint[];
  pos = new Map<string, Pos>();

  constructor(rate: bigint, now: bigint, allocs: number[]) {
    this.rate = rate;
    this.end = now;
    this.allocs = allocs.map(BigInt);
    this.totals = allocs.map(() => 0n);
    this.last = allocs.map(() => now);
  }

  at(u: Address, pid: number): Pos {
    const key = `${u}/${pid}`;
    let p = this.pos.get(key);
    if (p === undefined) {
      p = { amount: 0n, idealOwed: 0n, idealPending: 0n, paid: 0n, bound: 0n };
      this.pos.set(key, p);
    }
    return p;
  }

  get totalAlloc(): bigint {
    return this.allocs.reduce((a, b) => a + b, 0n);
  }

  /** Exact shares for the time from `from` to `to`, with nothing changing in between. */
  accrue(from: bigint, to: bigint): void {
    const a = from < this.end ? from : this.end;
    const b = to < this.end ? to : this.end;
    const total = this.totalAlloc;
    if (b <= a || total === 0n) return;
    this.allocs.forEach((alloc, pid) => {
      const staked = this.totals[pid] as bigint;
      if (alloc === 0n || staked === 0n) return;
      for (const u of USERS) {
        const p = this.at(u, pid);
        if (p.amount > 0n) p.idealPending += (this.rate * (b - a) * alloc * p.amount * P) / (total * staked);
      }
    });
  }

  /** The contract writes the pool's reward per share: one more unit of rounding for every staker. */
  update(pid: number, now: bigint): void {
    if (now <= (this.last[pid] as bigint)) return;
    this.last[pid] = now;
    for (const u of USERS) {
      const p = this.at(u, pid);
      if (p.amount > 0n) p.bound += 1n;
    }
  }

  settle(p: Pos): void {
    p.idealOwed += p.idealPending;
    p.idealPending = 0n;
    p.bound += 2n;
  }

  /** The contract's `reschedule`; false when it would refuse (ScheduleTooLong). */
  reschedule(rate: bigint, added: bigint, now: bigint): boolean {
    let left = this.unscheduled + added;
    if (this.end > now) left += this.rate * (this.end - now);
    if (rate === 0n) {
      Object.assign(this, { rate, end: now, unscheduled: left });
      return true;
    }
    const seconds = left / rate;
    if (seconds > MAX_DURATION) return false;
    Object.assign(this, { rate, end: now + seconds, unscheduled: left - seconds * rate });
    return true;
  }
}

const action = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom("deposit", "deposit", "withdraw"),
      user: fc.nat(3),
      pid: fc.nat(1),
      amount: fc.oneof(fc.constantFrom(0n, 1n, 7n), fc.bigInt(1n, 10n ** 27n)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("harvest"), user: fc.nat(3), pid: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("emergency"), user: fc.nat(3), pid: fc.nat(1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance"),
      seconds: fc.oneof(fc.nat(100), fc.constant(100_000)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("fund"),
      amount: fc.oneof(fc.constant(0n), fc.bigInt(1n, 10n ** 33n)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rate"),
      rate: fc.constantFrom(0n, 1n, 10n ** 6n, WAD, 10n ** 30n),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("alloc"),
      pid: fc.nat(1),
      alloc: fc.constantFrom(0, 1, 100, 300),
    }),
  },
);

describe("farm: invariants over random actions (fast-check)", () => {
  it("paid ≤ funded, and every user within the derived bound of their exact share", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1n, WAD, 10n ** 30n),
        fc.tuple(fc.constantFrom(0, 100), fc.constantFrom(0, 100, 300)),
        fc.array(action, { minLength: 10, maxLength: 30 }),
        (rate, allocs, actions) => {
          // Funds for 200,000 seconds at the starting rate.
          const funding = rate * 200_000n;
          const f = farmSetup({ rate, allocs, funding, users: 5 });
          const m = new Model(rate, f.chain.block.time, allocs);
          m.reschedule(rate, funding, f.chain.block.time);
          m.funded = funding;
          const now = () => f.chain.block.time;
          const updateAll = () => {
            for (let pid = 0; pid < m.allocs.length; pid++) m.update(pid, now());
          };
          for (const a of actions) {
            if (a.kind === "advance") {
              m.accrue(now(), now() + BigInt(a.seconds));
              f.chain.advance(BigInt(a.seconds));
              continue;
            }
            if (a.kind === "fund") {
              const out = f.farm.send(owner, "fund", [a.amount]);
              if (a.amount === 0n) {
                assert.equal(out.error?.name, "ZeroAmount");
                continue;
              }
              const probe = Object.assign(Object.create(Model.prototype), m) as Model;
              if (!probe.reschedule(m.rate, a.amount, now())) {
                assert.equal(out.error?.name, "ScheduleTooLong");
                continue;
              }
              ok(out);
              updateAll();
              m.reschedule(m.rate, a.amount, now());
              m.funded += a.amount;
              continue;
            }
            if (a.kind === "rate") {
              const out = f.farm.send(owner, "setRewardRate", [a.rate]);
              const probe = Object.assign(Object.create(Model.prototype), m) as Model;
              if (!probe.reschedule(a.rate, 0n, now())) {
                assert.equal(out.error?.name, "ScheduleTooLong");
                continue;
              }
              ok(out);
              updateAll();
              m.reschedule(a.rate, 0n, now());
              continue;
            }
            if (a.kind === "alloc") {
              ok(f.farm.send(owner, "setAllocPoint", [a.pid, a.alloc]));
              updateAll();
              m.allocs[a.pid] = BigInt(a.alloc);
              continue;
            }
            const user = USERS[a.user] as Address;
            const p = m.at(user, a.pid);
            if (a.kind === "deposit" || a.kind === "withdraw") {
              const out = f.farm.send(user, a.kind, [a.pid, a.amount]);
              if (a.amount === 0n) {
                assert.equal(out.error?.name, "ZeroAmount");
                continue;
              }
              if (a.kind === "withdraw" && a.amount > p.amount) {
                assert.deepEqual(out.error, {
                  name: "InsufficientStake",
                  args: { staked: p.amount, requested: a.amount },
                });
                continue;
              }
              ok(out);
              m.update(a.pid, now());
              m.settle(p);
              const sign = a.kind === "deposit" ? 1n : -1n;
              p.amount += sign * a.amount;
              m.totals[a.pid] = (m.totals[a.pid] as bigint) + sign * a.amount;
            } else if (a.kind === "harvest") {
              const out = f.farm.send(user, "harvest", [a.pid]);
              ok(out);
              m.settle(p);
              p.paid += out.value as bigint;
              // What the user was owed is paid: the settled exact share leaves the account too.
            } else {
              const out = f.farm.send(user, "emergencyWithdraw", [a.pid]);
              if (p.amount === 0n) {
                assert.equal(out.error?.name, "ZeroAmount");
                continue;
              }
              ok(out);
              m.update(a.pid, now());
              p.idealPending = 0n;
              m.totals[a.pid] = (m.totals[a.pid] as bigint) - p.amount;
              p.amount = 0n;
            }
          }
          // The schedule is exactly the model's, and the farm holds exactly what it has not paid.
          assert.equal(f.farm.view("endTime"), m.end);
          assert.equal(f.farm.view("unscheduled"), m.unscheduled);
          assert.equal(f.farm.view("totalFunded"), m.funded);
          let paid = 0n;
          let owed = 0n;
          for (const u of USERS) {
            for (let pid = 0; pid < 2; pid++) {
              const p = m.at(u, pid);
              assert.equal(f.farm.view("stakedOf", [pid, u]), p.amount);
              const due = pending(f, pid, u);
              const got = (p.paid + due) * P;
              const exact = p.idealOwed + p.idealPending;
              const bound = (p.bound + 2n) * P;
              const diff = got > exact ? got - exact : exact - got;
              assert.ok(
                diff <= bound,
                `user ${u} pool ${pid}: ${got / P} vs exact ${exact / P}, bound ${bound / P}`,
              );
              paid += p.paid;
              owed += due;
            }
          }
          assert.ok(paid + owed <= m.funded, `paid ${paid} + owed ${owed} > funded ${m.funded}`);
          assert.equal(rewardBalance(f, f.farm.address), m.funded - paid);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("farm: hostile cases", () => {
  it("a 1-wei first stake under a huge rate: nothing overflows, later stakers are paid exactly", () => {
    const rate = 10n ** 30n;
    const f = farmSetup({ rate, funding: 10n ** 36n });
    const [alice, bob] = USERS as [Address, Address];
    ok(f.farm.send(alice, "deposit", [0, 1n]));
    f.chain.advance(100_000n);
    // Alone: the whole 1e35 to one wei of stake; the reward per share is 1e35 × 1e36.
    assert.equal(f.farm.view("accRewardPerShare", [0]), 10n ** 35n * SCALE);
    assert.equal(pending(f, 0, alice), 10n ** 35n);
    ok(f.farm.send(bob, "deposit", [0, 10n ** 30n]));
    f.chain.advance(10n);
    const perShare = (10n * rate * SCALE) / (10n ** 30n + 1n);
    assert.equal(pending(f, 0, bob), (10n ** 30n * perShare) / SCALE);
    assert.equal(pending(f, 0, alice), 10n ** 35n + perShare / SCALE);
    ok(f.farm.send(alice, "harvest", [0]));
    ok(f.farm.send(bob, "harvest", [0]));
    ok(f.farm.send(bob, "withdraw", [0, 10n ** 30n]));
    const paid = rewardBalance(f, alice) + rewardBalance(f, bob);
    assert.ok(paid <= 10n ** 35n + 10n * rate);
    assert.ok(10n ** 35n + 10n * rate - paid <= 2n);
  });

  it("the largest reward a pool can hold, to one wei: its reward per share stays below 2^256", () => {
    const f = farmSetup({ rate: 10n ** 36n, funding: 0n });
    ok(f.reward.send(owner, "approve", [f.farm.address, (1n << 128n) - 1n]));
    const [alice] = USERS as [Address];
    ok(f.farm.send(alice, "deposit", [0, 1n]));
    ok(f.farm.send(owner, "fund", [10n ** 36n]));
    f.chain.advance(5n);
    assert.equal(pending(f, 0, alice), 10n ** 36n);
    ok(f.farm.send(alice, "harvest", [0]));
    assert.equal(rewardBalance(f, alice), 10n ** 36n);
  });

  it("a token reentering the farm from its transfer is refused, and the farm's books stay right", () => {
    const f = farmSetup();
    const [alice] = USERS as [Address];
    const hostile = f.chain.deploy("hostileToken", [], owner, new Uint8Array(32).fill(200));
    ok(hostile.send(owner, "mint", [alice, 1_000n]));
    ok(f.farm.send(owner, "addPool", [hostile.address, 100]));
    ok(hostile.send(owner, "setAttack", [f.farm.address, "withdraw", 1, true]));
    ok(f.farm.send(alice, "deposit", [1, 600n]));
    assert.equal(hostile.view("attackStatus"), 1n, "the reentrant withdraw reverted");
    assert.equal(f.farm.view("stakedOf", [1, alice]), 600n);
    ok(hostile.send(owner, "setAttack", [f.farm.address, "emergencyWithdraw", 1, false]));
    ok(f.farm.send(alice, "withdraw", [1, 100n]));
    assert.equal(hostile.view("attackStatus"), 1n);
    assert.equal(f.farm.view("stakedOf", [1, alice]), 500n);
    assert.equal(f.farm.view("poolTotalStaked", [1]), 500n);
    assert.equal(hostile.view("balanceOf", [f.farm.address]), 500n);
    assert.equal(hostile.view("attackCount"), 2n);
  });

  it("a reward token reentering harvest from its transfer is refused: paid once", () => {
    const chainFarm = farmSetup({ funding: 0n });
    const [alice] = USERS as [Address];
    const hostile = chainFarm.chain.deploy("hostileToken", [], owner, new Uint8Array(32).fill(201));
    const farm = chainFarm.chain.deploy("farm", [hostile.address, WAD], owner, new Uint8Array(32).fill(202));
    const lp = chainFarm.lps[0];
    assert.ok(lp);
    ok(farm.send(owner, "addPool", [lp.address, 1]));
    ok(hostile.send(owner, "mint", [owner, 100n * WAD]));
    ok(farm.send(owner, "fund", [100n * WAD]));
    ok(lp.send(alice, "approve", [farm.address, 10n ** 30n]));
    ok(farm.send(alice, "deposit", [0, WAD]));
    chainFarm.chain.advance(10n);
    ok(hostile.send(owner, "setAttack", [farm.address, "harvest", 0, false]));
    const out = farm.send(alice, "harvest", [0]);
    ok(out);
    assert.equal(out.value, 10n * WAD);
    assert.equal(hostile.view("attackStatus"), 1n);
    assert.equal(hostile.view("balanceOf", [alice]), 10n * WAD);
    assert.equal(farm.view("pendingReward", [0, alice]), 0n);
  });
});
