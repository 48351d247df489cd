/**
 * The option vaults (covered call, cash-secured put): the Friday expiry and strike rules,
 * queued deposits and withdrawals across rounds, a whole round of each kind with the share
 * price computed by hand (premium minus the holders' payout), every revert path and event,
 * and a block of deposits and purchases in parallel identical to sequential. The fast-check
 * solvency model is in optionVaultProperties.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { E18, owner } from "../../helpers/options.js";
import {
  fundFor,
  manager,
  nextFriday,
  PREMIUM_MAX,
  PREMIUM_MIN,
  VAULT_OTM_BPS,
  VAULT_STEP,
  vaultSetup,
} from "../../helpers/optionVault.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [alice, bob, buyer, stranger] = [account(3), account(4), account(5), account(6)];
const V = 1_000n; // the SDK's virtual shares and assets

function setup() {
  const s = vaultSetup();
  for (const who of [alice, bob, buyer, stranger, manager]) {
    fundFor(s, who, s.callVault);
    fundFor(s, who, s.putVault);
  }
  return s;
}

describe("option vaults", () => {
  it("expire rounds on the next Friday 08:00 UTC and pick strikes by the rule", () => {
    const { callVault, putVault, chain } = setup();
    assert.equal(callVault.view("nextExpiry", [1609891200n]), 1610092800n, "the issue's example");
    assert.equal(
      callVault.view("nextExpiry", [1610092800n]),
      1610697600n,
      "at exactly Friday 08:00: the Friday after",
    );
    assert.equal(callVault.view("nextExpiry", [1610092799n]), 1610092800n);
    for (const t of [0n, 1n, 1700000000n, chain.block.time, 1710000000n, 1893456000n])
      assert.equal(callVault.view("nextExpiry", [t]), nextFriday(t), `at ${t}`);
    // Calls 10% above the spot rounded up to 100; puts 10% below rounded down.
    assert.equal(callVault.view("strikeFor", [2_000n * E18]), 2_200n * E18);
    assert.equal(callVault.view("strikeFor", [2_001n * E18]), 2_300n * E18);
    assert.equal(putVault.view("strikeFor", [2_000n * E18]), 1_800n * E18);
    assert.equal(putVault.view("strikeFor", [2_111n * E18]), 1_800n * E18);
  });

  it("refuses invalid configurations", () => {
    const { chain, options, weth, wusd } = setup();
    const ZERO = `0x${"00".repeat(20)}`;
    const args: unknown[] = [options.address, weth.address, false, manager, 1_000n, E18, 0n, E18];
    const reason = (i: number, v: unknown) => {
      const a = [...args];
      a[i] = v;
      try {
        chain.deploy("optionVault", a, manager);
        return "deployed";
      } catch (e) {
        return String((e as Error).message);
      }
    };
    assert.match(reason(3, ZERO), /an address is zero/);
    assert.match(reason(4, 10_000n), /otmBps must be below 10,000/);
    assert.match(reason(5, 0n), /the strike step is zero/);
    assert.match(reason(6, 2n * E18), /the premium bounds need min ≤ max ≤ 1e18/);
    assert.match(reason(1, wusd.address), /the underlying is the options' quote token/);
  });

  it("runs a covered-call round: queued deposits, premium, an in-the-money settlement, withdrawals at the close price", () => {
    const s = setup();
    const { callVault: vault, options, weth } = s;
    const events = (r: Parameters<typeof vault.events>[0]) => s.eventsOf(vault, r);
    const dep = vault.send(alice, "deposit", [10n * E18]);
    assert.deepEqual(events(dep.receipt), [
      { name: "Deposited", args: { account: alice, amount: 10n * E18, round: 1n } },
    ]);
    vault.send(bob, "deposit", [5n * E18]);
    const back = vault.send(bob, "withdrawInstantly", [E18]);
    assert.deepEqual(events(back.receipt), [
      { name: "InstantWithdrawal", args: { account: bob, amount: E18, round: 1n } },
    ]);
    assert.equal(vault.view("queuedDeposit", [bob]), 4n * E18);
    assert.equal(vault.view("pendingDeposits"), 14n * E18);
    assert.deepEqual(vault.send(stranger, "closeRound").error, {
      name: "NotManager",
      args: { caller: stranger },
    });
    const closed = vault.send(manager, "closeRound");
    assert.deepEqual(events(closed.receipt), [
      { name: "RoundClosed", args: { round: 1n, assets: 0n, shares: 0n, minted: 14n * E18, withdrawn: 0n } },
    ]);
    assert.equal(vault.view("sharesOf", [alice]), 10n * E18, "one share per unit in an empty vault");
    assert.equal(vault.view("round"), 2n);
    const t = s.chain.block.time;
    const expiry = nextFriday(t);
    const started = vault.send(manager, "startRound", [E18 / 50n]); // 2% of the collateral
    assert.deepEqual(events(started.receipt), [
      {
        name: "RoundStarted",
        args: {
          round: 2n,
          seriesId: 0n,
          strike: 2_200n * E18,
          expiry,
          amount: 14n * E18,
          premium: E18 / 50n,
        },
      },
    ]);
    assert.equal(options.view("balanceOf", [vault.address, 0n]), 14n * E18);
    const bought = vault.send(buyer, "buy", [10n * E18, E18]);
    assert.equal(bought.value, E18 / 5n, "10 × 0.02 WETH");
    assert.deepEqual(events(bought.receipt), [
      { name: "OptionsBought", args: { buyer, amount: 10n * E18, cost: E18 / 5n } },
    ]);
    assert.equal(options.view("balanceOf", [buyer, 0n]), 10n * E18);
    assert.equal(vault.view("unsoldOptions"), 4n * E18);
    const init = vault.send(alice, "initiateWithdraw", [5n * E18]);
    assert.deepEqual(events(init.receipt), [
      { name: "WithdrawalInitiated", args: { account: alice, shares: 5n * E18, round: 2n } },
    ]);
    assert.deepEqual(vault.send(alice, "completeWithdraw").error, {
      name: "WithdrawalNotReady",
      args: { round: 2n },
    });
    assert.deepEqual(vault.send(stranger, "closeRound").error, {
      name: "RoundNotExpired",
      args: { expiry, now: s.chain.block.time },
    });
    s.at(expiry);
    s.price(2_750n * E18); // the options pay (2750 − 2200) / 2750 = 0.2 WETH each
    const close2 = vault.send(stranger, "closeRound");
    // The vault: 14 − ⌈14 × 0.2⌉ redeemed + 4 × 0.2 from its unsold options + 0.2 premium.
    const assets = 14n * E18 - (14n * E18) / 5n + (4n * E18) / 5n + E18 / 5n;
    assert.equal(assets, 122n * (E18 / 10n));
    const shares = 14n * E18;
    const worth = (5n * E18 * (assets + V)) / (shares + V);
    assert.deepEqual(events(close2.receipt), [
      { name: "RoundClosed", args: { round: 2n, assets, shares, minted: 0n, withdrawn: worth } },
    ]);
    assert.equal(vault.view("roundPricePerShare", [2n]), (E18 * (assets + V)) / (shares + V));
    assert.equal(vault.view("withdrawable", [alice]), worth);
    const before = weth.view("balanceOf", [alice]) as bigint;
    const paid = vault.send(alice, "completeWithdraw");
    assert.equal(paid.value, worth);
    assert.deepEqual(events(paid.receipt), [
      { name: "Withdrawn", args: { account: alice, amount: worth, shares: 5n * E18 } },
    ]);
    assert.equal(weth.view("balanceOf", [alice]), before + worth);
    assert.deepEqual(vault.send(alice, "completeWithdraw").error, {
      name: "NoWithdrawal",
      args: { account: alice },
    });
    assert.equal(options.send(buyer, "exercise", [0n, 10n * E18]).value, 2n * E18, "the buyer's payout");
    assert.equal(vault.view("sharesOf", [bob]), 4n * E18);
    assert.equal(vault.view("totalShares"), 9n * E18);
    assert.equal(vault.view("freeAssets"), assets - worth);
  });

  it("closes a covered-call round settled at a price of zero, so its depositors are not locked in", () => {
    const s = setup();
    const { callVault: vault, weth, wusd, oracle } = s;
    vault.send(alice, "deposit", [3n * E18]);
    vault.send(manager, "closeRound");
    vault.send(manager, "startRound", [E18 / 50n]);
    vault.send(buyer, "buy", [E18, E18]);
    vault.send(alice, "initiateWithdraw", [3n * E18]);
    s.at(nextFriday(s.chain.block.time));
    // 1 wei of WETH against a quote at 2: the settlement price ⌊1e18 / 2e18⌋ is zero.
    oracle.send(owner, "setPrice", [wusd.address, 2n * E18]);
    oracle.send(owner, "setPrice", [weth.address, 1n]);
    const closed = vault.send(stranger, "closeRound");
    assert.equal(closed.error, undefined, "the vault exercises its unsold calls at P = 0 without reverting");
    const assets = 3n * E18 + E18 / 50n; // all the collateral back plus the premium
    assert.equal(vault.view("withdrawable", [alice]), (3n * E18 * (assets + V)) / (3n * E18 + V));
    assert.equal(vault.send(alice, "completeWithdraw").error, undefined);
  });

  it("keeps each round's record (series, written, sold, premium collected) and reads its rules back", () => {
    const s = setup();
    const { callVault: vault, options } = s;
    assert.deepEqual(
      ["otmBps", "strikeStep", "minPremium", "maxPremium"].map((m) => vault.view(m)),
      [VAULT_OTM_BPS, VAULT_STEP, PREMIUM_MIN, PREMIUM_MAX],
    );
    vault.send(alice, "deposit", [10n * E18]);
    vault.send(manager, "closeRound");
    const record = (r: bigint) =>
      [
        "roundHasSeries",
        "roundSeries",
        "roundWritten",
        "roundPremium",
        "roundSold",
        "roundPremiumCollected",
      ].map((m) => vault.view(m, [r]));
    assert.deepEqual(record(1n), [false, 0n, 0n, 0n, 0n, 0n], "round 1 closed idle");
    options.send(stranger, "createSeries", [
      s.weth.address,
      3_000n * E18,
      nextFriday(s.chain.block.time),
      false,
    ]);
    vault.send(manager, "startRound", [E18 / 50n]);
    const first = vault.send(buyer, "buy", [3n * E18, E18]).value as bigint;
    const second = vault.send(bob, "buy", [E18 + 1n, E18]).value as bigint;
    assert.equal(second, (E18 + 1n) / 50n + 1n, "rounded up");
    assert.deepEqual(record(2n), [true, 1n, 10n * E18, E18 / 50n, 4n * E18 + 1n, first + second]);
    s.at(nextFriday(s.chain.block.time));
    s.price(2_000n * E18);
    vault.send(stranger, "closeRound");
    assert.deepEqual(
      record(2n),
      [true, 1n, 10n * E18, E18 / 50n, 4n * E18 + 1n, first + second],
      "kept after the close",
    );
    assert.deepEqual(record(3n), [false, 0n, 0n, 0n, 0n, 0n]);
  });

  it("runs a cash-secured-put round that loses: the shares price the premium minus the payout", () => {
    const s = setup();
    const { putVault: vault, options, wusd } = s;
    vault.send(alice, "deposit", [10_000n * E18]);
    vault.send(manager, "closeRound");
    const expiry = nextFriday(s.chain.block.time);
    vault.send(manager, "startRound", [E18 / 100n]);
    const strike = 1_800n * E18;
    const amount = (10_000n * E18 * E18) / strike;
    const collateral = (amount * strike + E18 - 1n) / E18;
    assert.equal(options.view("collateralOf", [0n]), collateral);
    const premium = (strike * (E18 / 100n)) / E18; // 18 WUSD per option
    assert.equal(vault.view("premium"), premium);
    const cost = (amount * premium + E18 - 1n) / E18;
    assert.equal(vault.view("costOf", [amount]), cost);
    assert.equal(vault.send(buyer, "buy", [amount, cost]).value, cost);
    s.at(expiry + 10n);
    s.price(1_500n * E18); // each put pays 300 WUSD
    vault.send(stranger, "closeRound");
    const payout = (amount * 300n * E18) / E18;
    const owed = (amount * 300n * E18 + E18 - 1n) / E18;
    const assets = 10_000n * E18 - collateral + (collateral - owed) + cost;
    assert.equal(vault.view("freeAssets"), assets);
    assert.equal(vault.view("roundPricePerShare", [2n]), (E18 * (assets + V)) / (10_000n * E18 + V));
    assert.equal(options.send(buyer, "exercise", [0n, amount]).value, payout);
    assert.ok((wusd.view("balanceOf", [options.address]) as bigint) <= 1n, "only rounding dust left");
  });

  it("refuses every misuse with its error", () => {
    const s = setup();
    const { callVault: vault, putVault } = s;
    const err = (out: { error?: unknown }) => out.error;
    assert.deepEqual(err(vault.send(alice, "deposit", [0n])), { name: "ZeroAmount", args: {} });
    assert.equal((err(vault.send(account(9), "deposit", [1n])) as { name: string }).name, "TransferFailed");
    assert.deepEqual(err(vault.send(alice, "withdrawInstantly", [1n])), {
      name: "Insufficient",
      args: { what: "queued deposit", available: 0n, requested: 1n },
    });
    assert.deepEqual(err(vault.send(alice, "initiateWithdraw", [1n])), {
      name: "Insufficient",
      args: { what: "shares", available: 0n, requested: 1n },
    });
    assert.deepEqual(err(vault.send(alice, "buy", [1n, 1n])), { name: "NoActiveRound", args: {} });
    assert.deepEqual(err(vault.send(alice, "startRound", [E18 / 100n])), {
      name: "NotManager",
      args: { caller: alice },
    });
    assert.deepEqual(err(vault.send(manager, "startRound", [E18])), {
      name: "PremiumOutOfBounds",
      args: { rate: E18, min: PREMIUM_MIN, max: PREMIUM_MAX },
    });
    vault.send(alice, "deposit", [3n * E18]);
    vault.send(manager, "closeRound");
    vault.send(manager, "startRound", [E18 / 100n]);
    assert.deepEqual(err(vault.send(manager, "startRound", [E18 / 100n])), {
      name: "RoundActive",
      args: { round: 2n },
    });
    assert.deepEqual(err(vault.send(buyer, "buy", [0n, 1n])), { name: "ZeroAmount", args: {} });
    assert.deepEqual(err(vault.send(buyer, "buy", [4n * E18, E18])), {
      name: "NotEnoughOptions",
      args: { available: 3n * E18, requested: 4n * E18 },
    });
    assert.deepEqual(err(vault.send(buyer, "buy", [E18, 1n])), {
      name: "CostAboveLimit",
      args: { cost: E18 / 100n, maxCost: 1n },
    });
    assert.deepEqual(err(vault.send(alice, "initiateWithdraw", [0n])), { name: "ZeroAmount", args: {} });
    assert.deepEqual(err(vault.send(alice, "withdrawInstantly", [0n])), { name: "ZeroAmount", args: {} });
    vault.send(alice, "initiateWithdraw", [E18]);
    vault.send(alice, "initiateWithdraw", [E18]); // the same round adds up
    const expiry = vault.view("roundExpiry") as bigint;
    s.at(expiry);
    assert.deepEqual(err(vault.send(buyer, "buy", [E18, E18])), { name: "NoActiveRound", args: {} });
    // Settling needs a price posted at or after expiry: the options contract's error bubbles up.
    assert.equal((err(vault.send(stranger, "closeRound")) as { name: string }).name, "PriceBeforeExpiry");
    s.price(2_000n * E18);
    vault.send(stranger, "closeRound");
    assert.equal((vault.view("withdrawable", [alice]) as bigint) > 0n, true);
    assert.deepEqual(err(vault.send(alice, "initiateWithdraw", [E18 / 2n])), {
      name: "WithdrawalPending",
      args: { round: 2n },
    });
    // A put vault whose strike rounds down to nothing.
    const coarse = s.chain.deploy(
      "optionVault",
      [s.options.address, s.weth.address, true, manager, 1_000n, 10_000n * E18, 0n, E18],
      manager,
    );
    assert.deepEqual(err(coarse.send(manager, "startRound", [0n])), {
      name: "BadStrike",
      args: { spot: 2_000n * E18, strike: 0n },
    });
    assert.equal(putVault.view("isPut"), true);
  });

  it("a block of deposits, purchases and withdrawals runs in parallel identical to sequential (1 and 2 workers)", async () => {
    const s = setup();
    const { callVault: vault, chain } = s;
    const people: Address[] = Array.from({ length: 6 }, (_, i) => account(7 + i));
    for (const p of people) fundFor(s, p, vault);
    for (const p of people) vault.send(p, "deposit", [E18]);
    vault.send(manager, "closeRound");
    vault.send(manager, "startRound", [E18 / 100n]);
    const txs = [
      ...people.map((p) => vault.tx(p, "deposit", [E18 / 2n])),
      ...people.slice(0, 3).map((p) => vault.tx(p, "initiateWithdraw", [E18 / 4n])),
      vault.tx(buyer, "buy", [2n * E18, E18]),
      vault.tx(stranger, "buy", [10n * E18, E18]), // more than is left: reverts
    ];
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
        assert.equal(statuses.filter((x) => x === "success").length, txs.length - 1);
        assert.equal(statuses.at(-1), "revert");
      } finally {
        await engine.close();
      }
    }
  });
});
