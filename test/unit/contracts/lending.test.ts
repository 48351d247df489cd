/**
 * The lending market: supply and withdraw, borrow and repay, interest by index with the
 * kinked rate model and reserves, account health from the oracle (stale prices refused),
 * liquidation, flash loans, every revert reason, a property test over random actions,
 * and the parallel engine matching sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const WAD = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const [admin, alice, bob, carol] = [account(1), account(2), account(3), account(4)];
// Per-second rates: base 1e9 (~3%/year), multiplier 5e9, jump 1e11 above 80% utilisation.
const RATES = { base: 10n ** 9n, multiplier: 5n * 10n ** 9n, jump: 10n ** 11n, kink: (8n * WAD) / 10n };

function setup(accounts = 8) {
  const chain = new TestChain(accounts);
  const oracle = chain.deploy("oracle", [3600n]);
  const lending = chain.deploy("lending", [oracle.address]);
  const usd = chain.deploy("token", ["USD", "USD", 6, 10n ** 30n, admin], admin, new Uint8Array(32).fill(1));
  const eth = chain.deploy("token", ["ETH", "ETH", 18, 10n ** 30n, admin], admin, new Uint8Array(32).fill(2));
  for (const [t, cf] of [
    [usd, (8n * WAD) / 10n],
    [eth, (75n * WAD) / 100n],
  ] as const) {
    const out = lending.send(admin, "listMarket", [
      t.address,
      cf,
      WAD / 10n,
      RATES.base,
      RATES.multiplier,
      RATES.jump,
      RATES.kink,
    ]);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
  }
  oracle.send(admin, "setPrice", [usd.address, WAD]);
  oracle.send(admin, "setPrice", [eth.address, 2000n * WAD]);
  for (let i = 2; i <= accounts; i++) {
    for (const t of [usd, eth]) {
      chain.runOne(t.tx(admin, "transfer", [account(i), 10n ** 24n]));
      chain.runOne(t.tx(account(i), "approve", [lending.address, MAX]));
    }
  }
  return { chain, oracle, lending, usd, eth };
}

type Setup = ReturnType<typeof setup>;

function state(
  s: Setup,
  t: Contract,
): { cash: bigint; borrows: bigint; reserves: bigint; shares: bigint; index: bigint } {
  const [cash, borrows, reserves, shares, index] = s.lending.view("marketState", [t.address]) as bigint[];
  return {
    cash: cash as bigint,
    borrows: borrows as bigint,
    reserves: reserves as bigint,
    shares: shares as bigint,
    index: index as bigint,
  };
}

function refreshPrices(s: Setup): void {
  s.oracle.send(admin, "setPrice", [s.usd.address, WAD]);
  s.oracle.send(admin, "setPrice", [s.eth.address, 2000n * WAD]);
}

describe("lending market", () => {
  it("supply mints shares 1:1 first, then at the share value; withdraw burns them", () => {
    const s = setup();
    assert.equal(s.lending.send(alice, "supply", [s.usd.address, 1_000_000n]).value, 1_000_000n);
    assert.equal(s.lending.send(bob, "supply", [s.usd.address, 500_000n]).value, 500_000n);
    assert.equal(s.lending.view("suppliedBalance", [s.usd.address, bob]), 500_000n);
    const burned = s.lending.send(bob, "withdraw", [s.usd.address, 200_000n]);
    assert.equal(burned.value, 200_000n);
    assert.equal(s.lending.view("sharesOf", [s.usd.address, bob]), 300_000n);
    assert.equal(s.usd.view("balanceOf", [s.lending.address]), 1_300_000n);
  });

  it("borrowing is limited by collateral value * factor; beyond it reverts", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 22n]); // liquidity to borrow
    s.lending.send(bob, "supply", [s.eth.address, WAD]); // 1 ETH = 2000 USD of collateral, factor 0.75
    const power = ((2000n * WAD * 75n) / 100n) as bigint;
    assert.deepEqual(s.lending.view("accountLiquidity", [bob]), [power, 0n]);
    // A USD unit is worth 1 (price 1e18 / 1e18): a power of 1500e18 allows 1500e18 units.
    assert.equal(s.lending.send(bob, "borrow", [s.usd.address, 1_500n * WAD]).receipt.status, "success");
    const over = s.lending.send(bob, "borrow", [s.usd.address, 1n]);
    assert.deepEqual(over.error, {
      name: "InsufficientCollateral",
      args: { borrowingPower: power, debt: 1_500n * WAD + 1n },
    });
    const withdraw = s.lending.send(bob, "withdraw", [s.eth.address, WAD / 2n]);
    assert.equal(withdraw.error?.name, "InsufficientCollateral");
  });

  it("interest accrues by index with the kinked rate, and the reserve factor goes to reserves", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10_000n * WAD]);
    s.lending.send(bob, "supply", [s.eth.address, 100n * WAD]);
    s.lending.send(bob, "borrow", [s.usd.address, 5_000n * WAD]); // 50% utilisation: below the kink
    const before = state(s, s.usd);
    const rate = s.lending.view("borrowRate", [s.usd.address]) as bigint;
    assert.equal(rate, RATES.base + (((5_000n * WAD * WAD) / (10_000n * WAD)) * RATES.multiplier) / WAD);
    s.chain.advance(3600n);
    refreshPrices(s);
    s.lending.send(carol, "accrueInterest", [s.usd.address]);
    const after = state(s, s.usd);
    const factor = rate * 3600n;
    const interest = (before.borrows * factor) / WAD;
    assert.equal(after.borrows, before.borrows + interest);
    assert.equal(after.reserves, before.reserves + interest / 10n);
    assert.equal(after.index, before.index + (before.index * factor) / WAD);
    assert.equal(
      s.lending.view("borrowBalance", [s.usd.address, bob]),
      (5_000n * WAD * after.index) / before.index,
    );
    // Suppliers earn: alice's balance grew by the interest minus reserves (rounding down).
    const supplied = s.lending.view("suppliedBalance", [s.usd.address, alice]) as bigint;
    assert.ok(supplied > 10_000n * WAD && supplied <= 10_000n * WAD + interest - interest / 10n);
    // Above the kink the jump multiplier applies.
    s.lending.send(bob, "borrow", [s.usd.address, 4_000n * WAD]);
    const high = s.lending.view("borrowRate", [s.usd.address]) as bigint;
    const u =
      ((after.borrows + 4_000n * WAD) * WAD) /
      (after.cash - 4_000n * WAD + after.borrows + 4_000n * WAD - after.reserves);
    assert.equal(
      high,
      RATES.base + (RATES.kink * RATES.multiplier) / WAD + ((u - RATES.kink) * RATES.jump) / WAD,
    );
  });

  it("repay part and all (u128 max), by the borrower or someone else", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 9n]);
    s.lending.send(bob, "supply", [s.eth.address, WAD]);
    s.lending.send(bob, "borrow", [s.usd.address, 1_000n]);
    assert.equal(s.lending.send(bob, "repay", [s.usd.address, bob, 400n]).value, 400n);
    assert.equal(s.lending.view("borrowBalance", [s.usd.address, bob]), 600n);
    assert.equal(s.lending.send(carol, "repay", [s.usd.address, bob, MAX]).value, 600n);
    assert.equal(s.lending.view("borrowBalance", [s.usd.address, bob]), 0n);
    assert.equal(s.lending.send(carol, "repay", [s.usd.address, bob, 5n]).error?.name, "ZeroAmount");
  });

  it("stale prices are refused: health cannot be judged", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 9n]);
    s.lending.send(bob, "supply", [s.eth.address, WAD]);
    s.chain.advance(3601n);
    const out = s.lending.send(bob, "borrow", [s.usd.address, 1n]);
    assert.equal(out.error?.name, "StalePrice");
  });

  it("liquidation: only unhealthy accounts, at most half the debt, collateral worth 108% seized", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 22n]);
    s.lending.send(bob, "supply", [s.eth.address, WAD]);
    s.lending.send(bob, "borrow", [s.usd.address, 1_400n * WAD]);
    assert.equal(
      s.lending.send(carol, "liquidate", [bob, s.usd.address, 100n, s.eth.address]).error?.name,
      "AccountHealthy",
    );
    s.oracle.send(admin, "setPrice", [s.eth.address, 1500n * WAD]); // power 1125e18 < debt 1400e18
    assert.deepEqual(
      s.lending.send(carol, "liquidate", [bob, s.usd.address, 700n * WAD + 1n, s.eth.address]).error,
      {
        name: "RepayTooMuch",
        args: { maximum: 700n * WAD, requested: 700n * WAD + 1n },
      },
    );
    const out = s.lending.send(carol, "liquidate", [bob, s.usd.address, 700n * WAD, s.eth.address]);
    assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    // 700 USD * 108% / 1500 USD per ETH = 0.504 ETH, seized as shares (1:1 here).
    const seizedAmount = (((700n * WAD * 108n) / 100n) * WAD) / (1500n * WAD);
    assert.equal(out.value, seizedAmount);
    assert.equal(s.lending.view("sharesOf", [s.eth.address, carol]), seizedAmount);
    assert.equal(s.lending.view("borrowBalance", [s.usd.address, bob]), 700n * WAD);
  });

  it("flash loans: repaid with the fee the suppliers earn; unpaid or refused reverts everything", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 9n]);
    const receiver = s.chain.deploy("flashReceiver", [], account(5));
    s.chain.runOne(s.usd.tx(admin, "transfer", [receiver.address, 10n ** 6n]));
    const amount = 10n ** 8n;
    const fee = (amount * 9n) / 10_000n;
    const before = state(s, s.usd);
    const ok = s.lending.send(bob, "flashLoan", [
      s.usd.address,
      amount,
      receiver.address,
      encodeAbi(["u128"], [amount + fee]),
    ]);
    assert.equal(ok.receipt.status, "success", JSON.stringify(ok.error));
    assert.equal(state(s, s.usd).cash, before.cash + fee);
    assert.equal(receiver.view("callCount"), 1n);
    const entries = new Map(s.chain.state.entries);
    const unpaid = s.lending.send(bob, "flashLoan", [
      s.usd.address,
      amount,
      receiver.address,
      encodeAbi(["u128"], [amount]),
    ]);
    assert.deepEqual(unpaid.error, {
      name: "FlashLoanNotRepaid",
      args: { expected: before.cash + fee + fee, actual: before.cash + fee + 0n },
    });
    const refused = s.lending.send(bob, "flashLoan", [
      s.usd.address,
      amount,
      receiver.address,
      encodeAbi(["u128"], [MAX]),
    ]);
    assert.deepEqual(refused.error, { name: "Error", args: { message: "receiver refuses" } });
    for (const [k, v] of s.chain.state.entries)
      if (!k.startsWith("01")) assert.deepEqual(v, entries.get(k), `changed ${k}`);
    assert.equal(
      s.lending.send(bob, "flashLoan", [
        s.usd.address,
        10n ** 10n,
        receiver.address,
        encodeAbi(["u128"], [0n]),
      ]).error?.name,
      "InsufficientCash",
    );
  });

  it("admin paths and parameter checks", () => {
    const s = setup();
    assert.equal(
      s.lending.send(bob, "listMarket", [account(9), 0n, 0n, 0n, 0n, 0n, 0n]).error?.name,
      "NotOwner",
    );
    assert.equal(
      s.lending.send(admin, "listMarket", [s.usd.address, 0n, 0n, 0n, 0n, 0n, 0n]).error?.name,
      "MarketAlreadyListed",
    );
    assert.equal(
      s.lending.send(admin, "listMarket", [account(9), WAD, 0n, 0n, 0n, 0n, 0n]).error?.name,
      "InvalidParameter",
    );
    assert.equal(s.lending.send(bob, "supply", [account(9), 1n]).error?.name, "MarketNotListed");
    assert.equal(s.lending.send(bob, "supply", [s.usd.address, 0n]).error?.name, "ZeroAmount");
    assert.equal(s.lending.send(bob, "withdraw", [s.usd.address, 1n]).error?.name, "InsufficientCash");
    assert.equal(s.lending.send(bob, "setFlashFee", [5n]).error?.name, "NotOwner");
  });

  it("the owner hands the parameters over in two steps (in the dev genesis, to the governor's timelock)", () => {
    const s = setup();
    assert.equal(s.lending.view("owner"), admin);
    assert.deepEqual(s.lending.send(bob, "transferOwnership", [bob]).error, {
      name: "NotOwner",
      args: { caller: bob },
    });
    const offered = s.lending.send(admin, "transferOwnership", [bob]);
    assert.deepEqual(s.lending.events(offered.receipt), [
      { name: "OwnershipTransferStarted", args: { previous: admin, next: bob } },
    ]);
    assert.equal(s.lending.send(bob, "setFlashFee", [5n]).error?.name, "NotOwner", "not before accepting");
    const handed = s.lending.send(bob, "acceptOwnership");
    assert.deepEqual(s.lending.events(handed.receipt), [
      { name: "OwnershipTransferred", args: { previous: admin, next: bob } },
    ]);
    assert.equal(s.lending.send(admin, "setFlashFee", [5n]).error?.name, "NotOwner");
    assert.equal(s.lending.send(bob, "setFlashFee", [5n]).receipt.status, "success");
    assert.equal(s.lending.view("flashFee"), 5n);
  });

  it("random actions by many users: no borrow beyond the limit, cash + borrows - reserves = supplied value (fast-check)", () => {
    const users = [2, 3, 4, 5, 6].map((n) => account(n));
    const op = fc.record({
      kind: fc.constantFrom("supply", "withdraw", "borrow", "repay", "time"),
      user: fc.nat(4),
      eth: fc.boolean(),
      amount: fc.bigInt(1n, 10n ** 21n),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 25 }), (ops) => {
        const s = setup(6);
        for (const o of ops) {
          const user = users[o.user] as Address;
          const token = o.eth ? s.eth : s.usd;
          if (o.kind === "time") {
            s.chain.advance(600n);
            refreshPrices(s);
            continue;
          }
          const args = o.kind === "repay" ? [token.address, user, o.amount] : [token.address, o.amount];
          const out = s.lending.send(user, o.kind, args);
          if (out.receipt.status === "success" && (o.kind === "borrow" || o.kind === "withdraw")) {
            const [power, debt] = s.lending.view("accountLiquidity", [user]) as bigint[];
            assert.ok((debt as bigint) <= (power as bigint), "an action left an account over its limit");
          }
        }
        for (const t of [s.usd, s.eth]) {
          const m = state(s, t);
          assert.equal(t.view("balanceOf", [s.lending.address]), m.cash, "cash matches the token balance");
          const supplied = users.reduce(
            (sum, u) => sum + (s.lending.view("suppliedBalance", [t.address, u]) as bigint),
            0n,
          );
          const value = m.cash + m.borrows - m.reserves;
          assert.ok(
            supplied <= value && value - supplied <= BigInt(users.length),
            `supplied ${supplied} vs ${value}`,
          );
        }
      }),
      { numRuns: 12 },
    );
  });

  it("lending actions by many users: the parallel engine matches sequential", async () => {
    const s = setup(10);
    for (let i = 2; i <= 10; i++) s.lending.send(account(i), "supply", [s.eth.address, 10n * WAD]);
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 12n]);
    const txs: Transaction[] = [];
    for (let k = 0; k < 45; k++) {
      const user = account(2 + (k % 9));
      const step = k % 3;
      if (step === 0) txs.push(s.lending.tx(user, "borrow", [s.usd.address, 1_000n + BigInt(k)]));
      else if (step === 1) txs.push(s.lending.tx(user, "repay", [s.usd.address, user, 500n]));
      else txs.push(s.lending.tx(user, "supply", [s.usd.address, 10_000n]));
    }
    const engine = await chainEngine(2);
    try {
      await assertSameAsSequential(engine, await attachChain(engine, s.chain), s.chain.block, txs);
    } finally {
      await engine.close();
    }
  });
});

describe("lending market: remaining paths", () => {
  it("supply rate = borrow rate * utilisation * (1 - reserve factor); the flash fee is configurable", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10_000n * WAD]);
    s.lending.send(bob, "supply", [s.eth.address, 100n * WAD]);
    s.lending.send(bob, "borrow", [s.usd.address, 2_500n * WAD]);
    const borrowRate = s.lending.view("borrowRate", [s.usd.address]) as bigint;
    const utilisation = (2_500n * WAD * WAD) / (10_000n * WAD);
    const expected = (((borrowRate * utilisation) / WAD) * (WAD - WAD / 10n)) / WAD;
    assert.equal(s.lending.view("supplyRate", [s.usd.address]), expected);
    const fee = s.lending.send(admin, "setFlashFee", [30n]);
    assert.deepEqual(s.lending.events(fee.receipt), [{ name: "FlashFeeChanged", args: { bps: 30n } }]);
    assert.equal(s.lending.view("flashFee"), 30n);
    assert.equal(s.lending.send(admin, "setFlashFee", [10_001n]).error?.name, "InvalidParameter");
  });

  it("withdrawing more shares than held, and seizing collateral the borrower does not have", () => {
    const s = setup();
    s.lending.send(alice, "supply", [s.usd.address, 10n ** 22n]);
    s.lending.send(bob, "supply", [s.usd.address, 100n]);
    assert.deepEqual(s.lending.send(bob, "withdraw", [s.usd.address, 101n]).error, {
      name: "InsufficientShares",
      args: { balance: 100n, needed: 101n },
    });
    s.lending.send(bob, "supply", [s.eth.address, WAD]);
    s.lending.send(bob, "borrow", [s.usd.address, 1_400n * WAD]);
    s.oracle.send(admin, "setPrice", [s.eth.address, 1500n * WAD]);
    // Bob's collateral is ETH; seizing USD shares (he has only 100) fails.
    assert.equal(
      s.lending.send(carol, "liquidate", [bob, s.usd.address, 700n * WAD, s.usd.address]).error?.name,
      "NothingToSeize",
    );
  });
});
