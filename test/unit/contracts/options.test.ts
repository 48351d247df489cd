/**
 * The options contract: series, fully collateralized writing (calls by the underlying,
 * puts by the quote), ERC-1155-style balances and approvals, settlement at an oracle price
 * posted at or after expiry, exercise and redeem with exact rounding; every revert path
 * and event; (fast-check) over random write/transfer/exercise/redeem sequences the claims
 * never exceed the collateral held and a writer never loses more than it locked; a block
 * of exercises in parallel identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { E18, optionsSetup, owner } from "../../helpers/options.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [writer, holder, stranger] = [account(2), account(3), account(4)];
const ZERO: Address = `0x${"00".repeat(20)}`;
const DAY = 86_400n;

function setup() {
  const o = optionsSetup();
  const now = o.chain.block.time;
  o.price(2_000n * E18);
  for (const who of [writer, holder, stranger]) o.fund(who, o.options.address);
  const series = (strike: bigint, put: boolean, expiry = now + DAY) =>
    o.options.send(stranger, "createSeries", [o.weth.address, strike, expiry, put]).value as bigint;
  const events = (receipt: Parameters<typeof o.options.events>[0]) => o.eventsOf(o.options, receipt);
  const bal = (token: typeof o.weth, who: Address) => token.view("balanceOf", [who]) as bigint;
  return { ...o, now, series, events, bal };
}

describe("options", () => {
  it("creates series with SeriesCreated and refuses invalid ones", () => {
    const { options, weth, wusd, now, events } = setup();
    const out = options.send(stranger, "createSeries", [weth.address, 2_100n * E18, now + DAY, false]);
    assert.equal(out.value, 0n);
    assert.deepEqual(events(out.receipt), [
      {
        name: "SeriesCreated",
        args: { id: 0n, underlying: weth.address, strike: 2_100n * E18, expiry: now + DAY, isPut: false },
      },
    ]);
    assert.equal(options.view("seriesCount"), 1n);
    assert.equal(options.view("strike", [0n]), 2_100n * E18);
    assert.equal(options.view("expiry", [0n]), now + DAY);
    assert.equal(options.view("isPut", [0n]), false);
    assert.equal(options.view("underlying", [0n]), weth.address);
    assert.equal(options.view("quote"), wusd.address);
    const reason = (args: unknown[]) => options.send(stranger, "createSeries", args).error?.args.reason;
    assert.equal(reason([ZERO, 1n, now + DAY, false]), "the underlying is the zero address");
    assert.equal(reason([wusd.address, 1n, now + DAY, false]), "the underlying is the quote token");
    assert.equal(reason([weth.address, 0n, now + DAY, true]), "the strike is zero");
    assert.equal(reason([weth.address, 1n, now, true]), "the expiry is not in the future");
    assert.deepEqual(options.send(stranger, "settle", [5n]).error, {
      name: "UnknownSeries",
      args: { id: 5n },
    });
  });

  it("writes calls against the underlying and puts against ⌈amount × strike⌉ of the quote", () => {
    const { options, weth, wusd, series, events, bal } = setup();
    const call = series(2_000n * E18, false);
    const put = series(1_500_000_000_000_000_001n, true); // 1.5 + 1e-18 quote per unit
    const before = bal(weth, writer);
    const out = options.send(writer, "write", [call, 7n]);
    assert.equal(out.value, 7n);
    assert.deepEqual(events(out.receipt), [
      { name: "Written", args: { id: call, writer, amount: 7n, collateral: 7n } },
      { name: "TransferSingle", args: { operator: writer, from: ZERO, to: writer, id: call, value: 7n } },
    ]);
    assert.equal(bal(weth, writer), before - 7n);
    assert.equal(options.send(writer, "write", [put, 3n]).value, 5n, "⌈3 × 1.5000…01⌉ = 5");
    assert.equal(bal(wusd, options.address), 5n);
    assert.equal(options.view("collateralFor", [put, 2n]), 4n);
    assert.equal(options.view("balanceOf", [writer, call]), 7n);
    assert.equal(options.view("totalSupply", [call]), 7n);
    assert.equal(options.view("collateralOf", [put]), 5n);
    assert.equal(options.view("writtenBy", [put, writer]), 3n);
    assert.equal(options.view("lockedBy", [put, writer]), 5n);
    assert.deepEqual(options.send(writer, "write", [call, 0n]).error, { name: "ZeroAmount", args: {} });
    const poor = account(9);
    assert.equal(options.send(poor, "write", [call, 1n]).error?.name, "TransferFailed", "no allowance");
  });

  it("moves options by ERC-1155 transfers and operator approvals, refusing the rest", () => {
    const { options, series, events } = setup();
    const id = series(2_000n * E18, false);
    options.send(writer, "write", [id, 10n]);
    const moved = options.send(writer, "transferFrom", [writer, holder, id, 4n]);
    assert.deepEqual(events(moved.receipt), [
      { name: "TransferSingle", args: { operator: writer, from: writer, to: holder, id, value: 4n } },
    ]);
    assert.deepEqual(options.send(stranger, "transferFrom", [writer, stranger, id, 1n]).error, {
      name: "NotApproved",
      args: { owner: writer, operator: stranger },
    });
    const approval = options.send(writer, "setApprovalForAll", [stranger, true]);
    assert.deepEqual(events(approval.receipt), [
      { name: "ApprovalForAll", args: { owner: writer, operator: stranger, approved: true } },
    ]);
    assert.equal(options.view("isApprovedForAll", [writer, stranger]), true);
    options.send(stranger, "transferFrom", [writer, stranger, id, 1n]);
    assert.deepEqual(options.send(holder, "transferFrom", [holder, stranger, id, 5n]).error, {
      name: "InsufficientBalance",
      args: { id, account: holder, balance: 4n, requested: 5n },
    });
    assert.equal(options.send(holder, "transferFrom", [holder, stranger, id, 0n]).error?.name, "ZeroAmount");
    assert.equal(
      options.send(holder, "transferFrom", [holder, ZERO, id, 1n]).error?.args.reason,
      "the recipient is the zero address",
    );
    assert.equal(
      options.send(holder, "transferFrom", [holder, stranger, 9n, 1n]).error?.name,
      "UnknownSeries",
    );
    assert.deepEqual(
      [writer, holder, stranger].map((a) => options.view("balanceOf", [a, id])),
      [5n, 4n, 1n],
    );
  });

  it("settles once at a price posted at or after expiry; refuses before expiry, stale prices and missing prices", () => {
    const { options, oracle, weth, wusd, now, series, events, at, price } = setup();
    const id = series(2_000n * E18, false);
    options.send(writer, "write", [id, 10n]);
    assert.deepEqual(options.send(stranger, "settle", [id]).error, {
      name: "NotExpired",
      args: { id, expiry: now + DAY, now },
    });
    assert.equal(options.send(holder, "exercise", [id, 1n]).error?.name, "NotExpired");
    assert.equal(options.send(writer, "redeem", [id]).error?.name, "NotExpired");
    at(now + DAY);
    assert.deepEqual(options.send(writer, "write", [id, 1n]).error, {
      name: "Expired",
      args: { id, expiry: now + DAY, now: now + DAY },
    });
    assert.deepEqual(options.send(stranger, "settle", [id]).error, {
      name: "PriceBeforeExpiry",
      args: { id, updatedAt: now, expiry: now + DAY },
    });
    // A quote token the oracle never priced: no settlement price.
    const other = optionsSetup();
    other.oracle.send(owner, "setPrice", [other.weth.address, E18]);
    const t = other.chain.block.time;
    const lone = other.options.send(stranger, "createSeries", [other.weth.address, E18, t + 10n, true]).value;
    other.at(t + 10n);
    other.oracle.send(owner, "setPrice", [other.weth.address, E18]);
    assert.deepEqual(other.options.send(stranger, "settle", [lone]).error, {
      name: "NoSettlementPrice",
      args: { id: lone, asset: other.wusd.address },
    });
    price(2_500n * E18);
    const out = options.send(stranger, "settle", [id]);
    assert.equal(out.value, 2_500n * E18);
    assert.deepEqual(events(out.receipt), [{ name: "Settled", args: { id, price: 2_500n * E18 } }]);
    oracle.send(owner, "setPrice", [weth.address, 9_000n * E18]);
    const again = options.send(stranger, "settle", [id]);
    assert.equal(again.value, 2_500n * E18, "the first settlement stands");
    assert.deepEqual(events(again.receipt), []);
    assert.equal(options.view("settled", [id]), true);
    assert.equal(options.view("settlementPrice", [id]), 2_500n * E18);
    assert.equal(wusd.address.length, 42);
  });

  it("settles at a price that rounds to zero: a call pays nothing, a put pays its strike, nothing reverts", () => {
    const { options, oracle, weth, wusd, now, series, at, bal } = setup();
    const call = series(1n, false);
    const put = series(2n * E18, true);
    for (const id of [call, put]) {
      options.send(writer, "write", [id, 5n]);
      options.send(writer, "transferFrom", [writer, holder, id, 5n]);
    }
    at(now + DAY + 5n);
    // 1 wei of WETH against a quote priced at 2: P = ⌊1 × 1e18 / 2e18⌋ = 0.
    oracle.send(owner, "setPrice", [wusd.address, 2n * E18]);
    oracle.send(owner, "setPrice", [weth.address, 1n]);
    assert.equal(options.send(stranger, "settle", [call]).value, 0n);
    assert.equal(options.view("payoutOf", [call, 5n]), 0n);
    const ex = options.send(holder, "exercise", [call, 5n]);
    assert.equal(ex.error, undefined, "exercise at P = 0 must not revert");
    assert.equal(ex.value, 0n);
    assert.equal(options.view("totalSupply", [call]), 0n);
    const wethBefore = bal(weth, writer);
    assert.equal(options.send(writer, "redeem", [call]).value, 5n, "the call writer keeps everything");
    assert.equal(bal(weth, writer), wethBefore + 5n);
    assert.equal(options.view("payoutOf", [put, 5n]), 0n, "unsettled");
    assert.equal(options.send(holder, "exercise", [put, 5n]).value, 10n, "a put pays K × 5 at P = 0");
    assert.equal(options.send(writer, "redeem", [put]).value, 0n);
    assert.equal(options.view("collateralOf", [put]), 0n);
  });

  it("pays a call's holders ⌊h(P−K)/P⌋ and its writer its collateral minus ⌈w(P−K)/P⌉", () => {
    const { options, weth, now, series, events, at, price, bal } = setup();
    const id = series(2_000n * E18, false);
    options.send(writer, "write", [id, 7n]);
    options.send(writer, "transferFrom", [writer, holder, id, 7n]);
    at(now + DAY + 5n);
    price(3_000n * E18); // rate 1/3
    assert.equal(options.view("payoutOf", [id, 7n]), 0n, "before settlement");
    assert.equal(options.view("redeemable", [id, writer]), 0n, "before settlement");
    const holderBefore = bal(weth, holder);
    const out = options.send(holder, "exercise", [id, 7n]);
    assert.equal(out.value, 2n, "⌊7/3⌋");
    assert.deepEqual(events(out.receipt), [
      { name: "Settled", args: { id, price: 3_000n * E18 } },
      { name: "TransferSingle", args: { operator: holder, from: holder, to: ZERO, id, value: 7n } },
      { name: "Exercised", args: { id, holder, amount: 7n, payout: 2n } },
    ]);
    assert.equal(bal(weth, holder), holderBefore + 2n);
    assert.equal(options.view("redeemable", [id, writer]), 4n, "7 − ⌈7/3⌉");
    const redeemed = options.send(writer, "redeem", [id]);
    assert.equal(redeemed.value, 4n);
    assert.deepEqual(events(redeemed.receipt), [{ name: "Redeemed", args: { id, writer, amount: 4n } }]);
    assert.equal(options.view("collateralOf", [id]), 1n, "the rounding dust stays");
    assert.equal(bal(weth, options.address), 1n);
    assert.deepEqual(options.send(writer, "redeem", [id]).error, {
      name: "NothingToRedeem",
      args: { id, writer },
    });
    assert.deepEqual(options.send(holder, "exercise", [id, 1n]).error, {
      name: "InsufficientBalance",
      args: { id, account: holder, balance: 0n, requested: 1n },
    });
    assert.equal(options.send(holder, "exercise", [id, 0n]).error?.name, "ZeroAmount");
  });

  it("pays a put's holders ⌊h(K−P)⌋ of the quote; out of the money the writer takes everything back", () => {
    const { options, wusd, now, series, at, price, bal } = setup();
    const itm = series(1_500_000_000_000_000_001n, true);
    const otm = series(E18 / 2n, true);
    options.send(writer, "write", [itm, 3n]); // collateral 5
    options.send(writer, "write", [otm, 2_000n * E18]); // collateral 1,000e18
    options.send(writer, "transferFrom", [writer, holder, itm, 3n]);
    at(now + DAY);
    price(700_000_000_000_000_000n); // P = 0.7: rate (0.8 + 1e-18) per option
    assert.equal(options.send(holder, "exercise", [itm, 3n]).value, 2n, "⌊3 × 0.800…01⌋");
    assert.equal(options.send(writer, "redeem", [itm]).value, 2n, "5 − ⌈2.400…03⌉");
    const before = bal(wusd, writer);
    assert.equal(options.send(writer, "exercise", [otm, E18]).value, 0n, "out of the money");
    assert.equal(options.send(writer, "redeem", [otm]).value, 1_000n * E18);
    assert.equal(bal(wusd, writer), before + 1_000n * E18);
    assert.equal(options.view("collateralOf", [otm]), 0n);
  });

  it("(fast-check) claims never exceed the collateral and writers never lose more than they locked", () => {
    const people = [writer, holder, stranger, account(5)];
    const action = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), who: fc.nat(3), amount: fc.bigInt(1n, 10n ** 21n) }),
      fc.record({
        kind: fc.constant("transfer" as const),
        who: fc.nat(3),
        to: fc.nat(3),
        share: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    );
    const after = fc.record({
      kind: fc.constantFrom("exercise" as const, "redeem" as const),
      who: fc.nat(3),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.bigInt(1n, 5_000n * E18),
        fc.bigInt(1n, 5_000n * E18),
        fc.array(action, { maxLength: 6 }),
        fc.array(after, { maxLength: 6 }),
        (put, strike, settleAt, before, later) => {
          const { options, weth, wusd, now, series, at, price, bal } = setup();
          const token = put ? wusd : weth;
          const id = series(strike, put);
          const start = people.map((p) => bal(token, p));
          const lockedBy = new Map<Address, bigint>();
          const check = () => {
            const held = bal(token, options.address);
            assert.equal(held, options.view("collateralOf", [id]));
            const claims = people.reduce(
              (sum, p) =>
                sum +
                (options.view("payoutOf", [id, options.view("balanceOf", [p, id])]) as bigint) +
                (options.view("redeemable", [id, p]) as bigint),
              0n,
            );
            assert.ok(claims <= held, `claims ${claims} > collateral ${held}`);
            // Before settlement, the worst case: every option paying its maximum.
            if (options.view("settled", [id])) return;
            const supply = options.view("totalSupply", [id]) as bigint;
            assert.ok((put ? (supply * strike) / E18 : supply) <= held, "the maximum payout is covered");
          };
          for (const a of before) {
            if (a.kind === "write") options.send(people[a.who] as Address, "write", [id, a.amount]);
            else {
              const from = people[a.who] as Address;
              const has = options.view("balanceOf", [from, id]) as bigint;
              const amount = BigInt(Math.floor(Number(has) * a.share));
              if (amount > 0n) options.send(from, "transferFrom", [from, people[a.to], id, amount]);
            }
            check();
          }
          for (const p of people) lockedBy.set(p, options.view("lockedBy", [id, p]) as bigint);
          at(now + DAY);
          price(settleAt);
          let claimsMade = 0n;
          for (const a of later) {
            const who = people[a.who] as Address;
            claimsMade++;
            if (a.kind === "redeem") options.send(who, "redeem", [id]);
            else {
              const has = options.view("balanceOf", [who, id]) as bigint;
              const amount = BigInt(Math.ceil(Number(has) * a.share));
              if (amount > 0n) options.send(who, "exercise", [id, amount > has ? has : amount]);
            }
            check();
          }
          // Everyone claims: all are paid, and the contract keeps only rounding dust.
          for (const p of people) {
            claimsMade += 2n;
            const has = options.view("balanceOf", [p, id]) as bigint;
            if (has > 0n) assert.equal(options.send(p, "exercise", [id, has]).receipt.status, "success");
            if ((options.view("writtenBy", [id, p]) as bigint) > 0n)
              assert.equal(options.send(p, "redeem", [id]).receipt.status, "success");
          }
          check();
          const dust = bal(token, options.address);
          assert.ok(dust <= claimsMade, `dust ${dust}: at most one unit per claim (${claimsMade})`);
          for (const [i, p] of people.entries()) {
            const lost = (start[i] as bigint) - bal(token, p);
            assert.ok(lost <= (lockedBy.get(p) as bigint), `${p} lost ${lost} > ${lockedBy.get(p)}`);
          }
        },
      ),
      { numRuns: 25, seed: 18 },
    );
  });

  it("a block of exercises (one too large) runs in parallel identical to sequential", async () => {
    const { chain, options, now, series, at, price } = setup();
    const people = Array.from({ length: 8 }, (_, i) => account(4 + i));
    const id = series(2_000n * E18, false);
    options.send(writer, "write", [id, 80n * E18]);
    for (const p of people) options.send(writer, "transferFrom", [writer, p, id, 10n * E18]);
    at(now + DAY);
    price(2_400n * E18);
    options.send(stranger, "settle", [id]);
    const txs = people.map((p, i) => options.tx(p, "exercise", [id, i === 2 ? 11n * E18 : 10n * E18]));
    txs.push(options.tx(writer, "redeem", [id]));
    for (const workers of [1, 2]) {
      const engine = await chainEngine(workers);
      try {
        const result = await assertSameAsSequential(
          engine,
          await attachChain(engine, chain),
          chain.block,
          txs,
        );
        const statuses = result.receipts.map((r) => r.status);
        assert.equal(statuses.filter((s) => s === "success").length, 8);
        assert.equal(statuses[2], "revert", "more than it holds");
      } finally {
        await engine.close();
      }
    }
  });
});
