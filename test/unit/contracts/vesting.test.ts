/**
 * The vesting contract: schedules with a cliff and linear release, funded by their
 * creator; every revert path and event; the curve at the cliff, midway and at the end to
 * the second; revocation (the vested part stays, the rest is refunded); (fast-check) over
 * random schedules, times and actions nothing is released before it vests, and the
 * beneficiary and the creator end with exactly the amount; a block of releases in
 * parallel identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [owner, team, buyer, stranger] = [account(1), account(2), account(3), account(4)];
const MAX = (1n << 128n) - 1n;
const ZERO: Address = `0x${"00".repeat(20)}`;

function setup() {
  const chain = new TestChain(40);
  const token = chain.deploy("token", ["Vest", "VST", 18, 10n ** 30n, owner]);
  const vesting = chain.deploy("vesting", [token.address]);
  token.send(owner, "approve", [vesting.address, MAX]);
  const now = chain.block.time;
  const create = (
    who: Address,
    amount: bigint,
    start: bigint,
    cliff: bigint,
    duration: bigint,
    revocable = true,
    from: Address = owner,
  ) => vesting.send(from, "createSchedule", [who, amount, start, cliff, duration, revocable]);
  const at = (time: bigint) => chain.setBlock({ time, height: chain.block.height + 1n });
  /** The contract's own events (the token's Transfer is in the receipt too). */
  const events = (receipt: Parameters<typeof vesting.events>[0]) =>
    vesting.events({ ...receipt, events: receipt.events.filter((e) => e.address === vesting.address) });
  return { chain, token, vesting, now, create, at, events };
}

/** The curve in JavaScript: what the contract must agree with. */
const vested = (amount: bigint, start: bigint, cliff: bigint, duration: bigint, t: bigint) =>
  t < start + cliff ? 0n : t >= start + duration ? amount : (amount * (t - start)) / duration;

describe("vesting", () => {
  it("creates funded schedules with ScheduleCreated, ids from 0", () => {
    const { token, vesting, now, create, events } = setup();
    const first = create(team, 1_000n, now, 100n, 1_000n);
    assert.equal(first.value, 0n);
    assert.deepEqual(events(first.receipt), [
      {
        name: "ScheduleCreated",
        args: {
          id: 0n,
          beneficiary: team,
          creator: owner,
          amount: 1_000n,
          start: now,
          cliff: 100n,
          duration: 1_000n,
          revocable: true,
        },
      },
    ]);
    assert.equal(create(buyer, 500n, now, 0n, 10n, false).value, 1n);
    assert.equal(vesting.view("scheduleCount"), 2n);
    assert.equal(token.view("balanceOf", [vesting.address]), 1_500n);
    assert.equal(vesting.view("beneficiaryOf", [1n]), buyer);
    assert.equal(vesting.view("amountOf", [0n]), 1_000n);
    assert.equal(vesting.view("token"), token.address);
  });

  it("refuses invalid schedules, unfunded ones and unknown ids, changing nothing", () => {
    const { token, vesting, now, create } = setup();
    const reason = (out: ReturnType<typeof create>) => out.error?.args.reason;
    assert.equal(reason(create(ZERO, 1n, now, 0n, 10n)), "the beneficiary is the zero address");
    assert.equal(reason(create(team, 0n, now, 0n, 10n)), "the amount is zero");
    assert.equal(reason(create(team, 1n, now, 0n, 0n)), "the duration is zero");
    assert.equal(reason(create(team, 1n, now, 11n, 10n)), "the cliff is longer than the duration");
    assert.equal(reason(create(team, 1n, (1n << 64n) - 5n, 0n, 10n)), "start + duration overflows");
    // No allowance from the stranger: the funding fails, nothing is created.
    const unfunded = create(team, 1n, now, 0n, 10n, true, stranger);
    assert.equal(unfunded.error?.name, "TransferFailed");
    assert.equal(vesting.view("scheduleCount"), 0n);
    assert.equal(token.view("balanceOf", [vesting.address]), 0n);
    assert.deepEqual(vesting.send(team, "release", [0n]).error, {
      name: "UnknownSchedule",
      args: { id: 0n },
    });
    assert.equal(vesting.send(team, "releasable", [7n]).error?.name, "UnknownSchedule");
  });

  it("lists each beneficiary's schedules in pages of at most 256, whatever the page asked", () => {
    const { chain, vesting, now } = setup();
    const txs = Array.from({ length: 300 }, (_, i) =>
      vesting.tx(owner, "createSchedule", [i % 3 === 2 ? buyer : team, 1n, now, 0n, 10n, false]),
    );
    assert.ok(chain.run(txs).receipts.every((r) => r.status === "success"));
    assert.equal(vesting.view("scheduleCountOf", [team]), 200n);
    assert.equal(vesting.view("scheduleCountOf", [buyer]), 100n);
    assert.equal(vesting.view("scheduleCountOf", [stranger]), 0n);
    const teamIds = Array.from({ length: 300 }, (_, i) => BigInt(i)).filter((i) => i % 3n !== 2n);
    assert.deepEqual(vesting.view("scheduleIdsOf", [team, 0n, 5n]), teamIds.slice(0, 5));
    assert.deepEqual(vesting.view("scheduleIdsOf", [team, 190n, 50n]), teamIds.slice(190));
    assert.deepEqual(vesting.view("scheduleIdsOf", [buyer, 99n, 1n]), [299n]);
    // Hostile pages: a huge count is cut to 256, a start past the end or at u64's top is empty.
    const U64_MAX = (1n << 64n) - 1n;
    assert.equal((vesting.view("scheduleIdsOf", [team, 0n, U64_MAX]) as bigint[]).length, 200);
    assert.deepEqual(vesting.view("scheduleIdsOf", [team, 200n, 1n]), []);
    assert.deepEqual(vesting.view("scheduleIdsOf", [team, U64_MAX, U64_MAX]), []);
    assert.deepEqual(vesting.view("scheduleIdsOf", [stranger, 0n, 10n]), []);
    for (let i = 0; i < 60; i++) vesting.send(owner, "createSchedule", [team, 1n, now, 0n, 10n, false]);
    assert.equal((vesting.view("scheduleIdsOf", [team, 1n, U64_MAX]) as bigint[]).length, 256);
    assert.deepEqual([vesting.view("startOf", [0n]), vesting.view("cliffOf", [0n])], [now, 0n]);
    assert.deepEqual([vesting.view("durationOf", [0n]), vesting.view("creatorOf", [0n])], [10n, owner]);
  });

  it("vests nothing before the cliff, linearly after it, everything at the end, to the second", () => {
    const { token, vesting, now, create, at, events } = setup();
    const start = now + 100n;
    create(team, 1_000_000n, start, 250n, 1_000n);
    assert.deepEqual(vesting.send(stranger, "release", [0n]).error, {
      name: "NothingToRelease",
      args: { id: 0n },
    });
    at(start + 249n);
    assert.equal(vesting.view("releasable", [0n]), 0n, "one second before the cliff");
    at(start + 250n);
    assert.equal(vesting.view("releasable", [0n]), 250_000n, "at the cliff: the linear amount since start");
    const paid = vesting.send(stranger, "release", [0n]);
    assert.equal(paid.value, 250_000n);
    assert.deepEqual(events(paid.receipt), [
      { name: "Released", args: { id: 0n, beneficiary: team, amount: 250_000n } },
    ]);
    assert.equal(token.view("balanceOf", [team]), 250_000n, "paid to the beneficiary, whoever sent it");
    assert.equal(vesting.send(team, "release", [0n]).error?.name, "NothingToRelease");
    at(start + 333n);
    assert.equal(vesting.view("releasable", [0n]), 333_000n - 250_000n);
    assert.equal(vesting.view("vestedAmount", [0n, start + 999n]), 999_000n);
    at(start + 1_000n);
    assert.equal(vesting.send(team, "release", [0n]).value, 750_000n);
    at(start + 5_000n);
    assert.equal(vesting.send(team, "release", [0n]).error?.name, "NothingToRelease");
    assert.equal(token.view("balanceOf", [team]), 1_000_000n);
    assert.equal(vesting.view("released", [0n]), 1_000_000n);
  });

  it("revocation keeps the vested part for the beneficiary and refunds the rest to the creator alone", () => {
    const { token, vesting, now, create, at, events } = setup();
    create(team, 1_000n, now, 0n, 100n);
    create(buyer, 1_000n, now, 0n, 100n, false);
    at(now + 40n);
    assert.deepEqual(vesting.send(stranger, "revoke", [0n]).error, {
      name: "NotCreator",
      args: { id: 0n, caller: stranger },
    });
    assert.deepEqual(vesting.send(owner, "revoke", [1n]).error, { name: "NotRevocable", args: { id: 1n } });
    const before = token.view("balanceOf", [owner]) as bigint;
    const out = vesting.send(owner, "revoke", [0n]);
    assert.equal(out.value, 600n);
    assert.deepEqual(events(out.receipt), [{ name: "Revoked", args: { id: 0n, refund: 600n } }]);
    assert.equal(token.view("balanceOf", [owner]), before + 600n);
    assert.equal(vesting.view("revoked", [0n]), true);
    assert.deepEqual(vesting.send(owner, "revoke", [0n]).error, { name: "AlreadyRevoked", args: { id: 0n } });
    // The vested 400 stays the beneficiary's, released later; no more vests.
    at(now + 90n);
    assert.equal(vesting.send(team, "release", [0n]).value, 400n);
    assert.equal(vesting.send(team, "release", [0n]).error?.name, "NothingToRelease");
    assert.equal(token.view("balanceOf", [team]), 400n);
    // Revoked before its cliff: everything goes back.
    const late = create(team, 500n, now + 1_000n, 10n, 100n).value as bigint;
    assert.equal(vesting.send(owner, "revoke", [late]).value, 500n);
    at(now + 2_000n);
    assert.equal(vesting.send(team, "release", [late]).error?.name, "NothingToRelease");
  });

  it("(fast-check) never releases before vesting, and the amount ends split exactly", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 27n }),
        fc.bigInt({ min: 1n, max: 10_000n }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.bigInt({ min: 0n, max: 500n }),
        fc.array(
          fc.tuple(fc.bigInt({ min: 0n, max: 3_000n }), fc.constantFrom("release", "revoke", "wait")),
          {
            maxLength: 12,
          },
        ),
        (amount, duration, cliffShare, delay, actions) => {
          const { token, vesting, now, create, at } = setup();
          const cliff = BigInt(Math.floor(Number(duration) * cliffShare));
          const start = now + delay;
          create(team, amount, start, cliff, duration);
          const ownerStart = token.view("balanceOf", [owner]) as bigint;
          let t = now;
          let revokedAt: bigint | undefined;
          for (const [step, kind] of actions) {
            t += step;
            at(t);
            const cap = vested(amount, start, cliff, duration, revokedAt ?? t);
            if (kind === "release") vesting.send(stranger, "release", [0n]);
            else if (kind === "revoke" && revokedAt === undefined) {
              if (vesting.send(owner, "revoke", [0n]).receipt.status === "success") revokedAt = t;
            }
            const paid = token.view("balanceOf", [team]) as bigint;
            assert.ok(paid <= cap, `released ${paid} > vested ${cap} at ${t}`);
            if (t < start + cliff) assert.equal(paid, 0n);
          }
          at(start + duration + 1n);
          vesting.send(stranger, "release", [0n]);
          const paid = token.view("balanceOf", [team]) as bigint;
          const refunded = (token.view("balanceOf", [owner]) as bigint) - ownerStart;
          assert.equal(paid + refunded, amount, "the beneficiary and the creator share the amount exactly");
          assert.equal(
            paid,
            revokedAt === undefined ? amount : vested(amount, start, cliff, duration, revokedAt),
          );
          assert.equal(token.view("balanceOf", [vesting.address]), 0n);
        },
      ),
      { numRuns: 20, seed: 5 },
    );
  });

  it("a block of releases (with a premature one) runs in parallel identical to sequential", async () => {
    const { chain, vesting, now, create, at } = setup();
    const people = Array.from({ length: 30 }, (_, i) => account(5 + i));
    for (const [i, who] of people.entries()) create(who, 10_000n + BigInt(i), now, i === 3 ? 90n : 0n, 100n);
    at(now + 60n);
    const txs = people.map((who, i) => vesting.tx(who, "release", [BigInt(i)]));
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      const statuses = result.receipts.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === "success").length, 29);
      assert.equal(statuses[3], "revert", "before its cliff");
    } finally {
      await engine.close();
    }
  });
});
