/**
 * The token sale: deposit, fixed and Dutch prices (to the second), every cap, the
 * allowlist by Merkle proof, finalization (success: proceeds and unsold tokens to the
 * recipient, claims paid out or vested; failure: refunds and every sale token back), every
 * revert path and event; (fast-check) over random purchases the caps hold and, once settled,
 * every unit of both tokens is where it should be; a block of purchases in parallel
 * identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { buildAllowlist } from "../../../src/sdk/airdrop.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [owner, recipient, alice, bob, carol] = [account(1), account(2), account(3), account(4), account(5)];
const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const NO_ROOT = new Uint8Array(32);
const ZERO: Address = `0x${"00".repeat(20)}`;

interface SaleParams {
  supply: bigint;
  startPrice: bigint;
  endPrice: bigint;
  start: bigint;
  end: bigint;
  softCap: bigint;
  hardCap: bigint;
  buyerCap: bigint;
  root: Uint8Array;
  vesting: Address;
  cliff: bigint;
  duration: bigint;
}

function setup(
  changes: Partial<SaleParams> = {},
  deposit = true,
  vest?: { cliff: bigint; duration: bigint },
) {
  const chain = new TestChain(40);
  const now = chain.block.time;
  const token = chain.deploy("token", ["Sale", "SAL", 18, 10n ** 30n, owner]);
  const usd = chain.deploy("token", ["USD", "USD", 18, 10n ** 30n, owner]);
  const buyers = [alice, bob, carol, ...Array.from({ length: 30 }, (_, i) => account(6 + i))];
  for (const b of buyers) usd.send(owner, "transfer", [b, 10n ** 24n]);
  const vesting = vest === undefined ? undefined : chain.deploy("vesting", [token.address]);
  const p: SaleParams = {
    supply: 1_000n * E18,
    startPrice: 2n * E18, // 2 USD a token
    endPrice: 2n * E18,
    start: now + 10n,
    end: now + 1_010n,
    softCap: 500n * E18,
    hardCap: 1_500n * E18,
    buyerCap: 600n * E18,
    root: NO_ROOT,
    vesting: ZERO,
    cliff: 0n,
    duration: 0n,
    ...(vesting === undefined ? {} : { vesting: vesting.address, ...vest }),
    ...changes,
  };
  const sale = chain.deploy("sale", [
    token.address,
    usd.address,
    recipient,
    p.supply,
    p.startPrice,
    p.endPrice,
    p.start,
    p.end,
    p.softCap,
    p.hardCap,
    p.buyerCap,
    p.root,
    p.vesting,
    p.cliff,
    p.duration,
  ]);
  for (const b of buyers) usd.send(b, "approve", [sale.address, MAX]);
  if (deposit) {
    token.send(owner, "approve", [sale.address, MAX]);
    assert.equal(sale.send(owner, "deposit").receipt.status, "success");
  }
  const at = (time: bigint) => chain.setBlock({ time, height: chain.block.height + 1n });
  const buy = (who: Address, amount: bigint, maxCost = MAX, proof: Uint8Array[] = []) =>
    sale.send(who, "buy", [amount, maxCost, proof]);
  const own = (c: Contract, receipt: Receipt) =>
    c.events({ ...receipt, events: receipt.events.filter((e) => e.address === c.address) });
  return { chain, now, token, usd, sale, vesting, p, at, buy, own, buyers };
}

describe("token sale", () => {
  it("opens once deposited and started, sells at the fixed price, rounding the cost up", () => {
    const { token, usd, sale, p, at, buy, own } = setup({}, false);
    assert.equal(buy(alice, E18).error?.name, "NotOpen", "not deposited");
    assert.deepEqual(sale.send(alice, "deposit").error, { name: "NotOwner", args: { caller: alice } });
    token.send(owner, "approve", [sale.address, MAX]);
    const dep = sale.send(owner, "deposit");
    assert.deepEqual(own(sale, dep.receipt), [{ name: "Deposited", args: { supply: p.supply } }]);
    assert.deepEqual(sale.send(owner, "deposit").error, { name: "Funded", args: { funded: true } });
    assert.equal(buy(alice, E18).error?.name, "NotOpen", "before the start");
    at(p.start);
    const out = buy(alice, 10n * E18);
    assert.equal(out.value, 20n * E18);
    assert.deepEqual(own(sale, out.receipt), [
      { name: "Purchased", args: { buyer: alice, amount: 10n * E18, cost: 20n * E18 } },
    ]);
    assert.equal(usd.view("balanceOf", [sale.address]), 20n * E18);
    assert.equal(sale.view("costOf", [1n]), 2n, "1 unit at 2e18/1e18 costs 2");
    assert.equal(sale.view("costOf", [3n * 10n ** 17n + 1n]), 6n * 10n ** 17n + 2n);
    // A price of 1.5 per token: 1 unit costs 1.5, rounded up to 2.
    const odd = setup({ startPrice: 15n * 10n ** 17n, endPrice: 15n * 10n ** 17n });
    assert.equal(odd.sale.view("costOf", [1n]), 2n);
    assert.equal(sale.view("paidBy", [alice]), 20n * E18);
    assert.equal(sale.view("boughtBy", [alice]), 10n * E18);
    at(p.end);
    assert.equal(buy(alice, E18).receipt.status, "success", "the end second is open");
    at(p.end + 1n);
    assert.equal(buy(alice, E18).error?.name, "NotOpen");
  });

  it("enforces max cost, the hard cap, the per-buyer cap, the supply and zero purchases", () => {
    const { p, at, buy } = setup({ supply: 700n * E18, hardCap: 1_300n * E18 });
    at(p.start);
    assert.deepEqual(buy(alice, E18, 2n * E18 - 1n).error, {
      name: "CostAboveMax",
      args: { cost: 2n * E18, maxCost: 2n * E18 - 1n },
    });
    assert.equal(buy(alice, 300n * E18).value, 600n * E18);
    assert.deepEqual(buy(alice, 1n).error, {
      name: "BuyerCapExceeded",
      args: { buyer: alice, contributed: 600n * E18, cost: 2n, cap: 600n * E18 },
    });
    assert.equal(buy(bob, 300n * E18).receipt.status, "success");
    assert.deepEqual(buy(carol, 101n * E18).error, {
      name: "SoldOut",
      args: { left: 100n * E18, wanted: 101n * E18 },
    });
    // The largest amount is bounded by the supply before it is priced (no overflow).
    assert.deepEqual(buy(carol, MAX).error, { name: "SoldOut", args: { left: 100n * E18, wanted: MAX } });
    assert.deepEqual(buy(carol, 100n * E18).error, {
      name: "HardCapExceeded",
      args: { raised: 1_200n * E18, cost: 200n * E18, hardCap: 1_300n * E18 },
    });
    assert.deepEqual(buy(carol, 0n).error, { name: "ZeroPurchase", args: {} });
    assert.equal(buy(account(40), E18).error?.name, "TransferFailed", "no payment tokens, no allowance");
  });

  it("a Dutch sale's price falls linearly to the second, and each buyer pays its block's price", () => {
    const { sale, p, at, buy } = setup({ startPrice: 3n * E18, endPrice: E18 });
    assert.equal(sale.view("priceAt", [p.start]), 3n * E18);
    assert.equal(sale.view("priceAt", [p.start + 500n]), 2n * E18);
    assert.equal(sale.view("priceAt", [p.start + 250n]), 25n * 10n ** 17n);
    assert.equal(sale.view("priceAt", [p.end]), E18);
    assert.equal(sale.view("priceAt", [p.end + 99n]), E18);
    at(p.start + 500n);
    assert.equal(buy(alice, 10n * E18).value, 20n * E18);
    at(p.start + 750n);
    assert.equal(buy(bob, 10n * E18, 15n * E18).value, 15n * E18);
  });

  it("an allowlist admits only proven buyers", () => {
    const list = buildAllowlist([alice, bob]);
    const { p, at, buy } = setup({ root: fromHex(list.root.slice(2)) });
    at(p.start);
    const proof = (who: Address) => (list.proofs[who] ?? []).map((h) => fromHex(h.slice(2)));
    assert.equal(buy(alice, E18, MAX, proof(alice)).receipt.status, "success");
    assert.equal(buy(bob, E18, MAX, proof(bob)).receipt.status, "success");
    assert.deepEqual(buy(carol, E18, MAX, proof(alice)).error, {
      name: "NotAllowlisted",
      args: { buyer: carol },
    });
    assert.deepEqual(buy(alice, E18, MAX, []).error, { name: "NotAllowlisted", args: { buyer: alice } });
  });

  it("a sale that meets its soft cap pays the recipient, returns the unsold tokens, and buyers claim", () => {
    const { token, usd, sale, p, at, buy, own } = setup();
    at(p.start);
    buy(alice, 200n * E18);
    buy(bob, 100n * E18);
    assert.deepEqual(sale.send(carol, "finalize").error, { name: "StillOpen", args: { endTime: p.end } });
    assert.deepEqual(sale.send(alice, "claim").error, { name: "NotFinalized", args: {} });
    at(p.end + 1n);
    const fin = sale.send(carol, "finalize");
    assert.equal(fin.value, true);
    assert.deepEqual(own(sale, fin.receipt), [
      { name: "Finalized", args: { succeeded: true, raised: 600n * E18, sold: 300n * E18 } },
    ]);
    assert.equal(usd.view("balanceOf", [recipient]), 600n * E18);
    assert.equal(token.view("balanceOf", [recipient]), 700n * E18, "the unsold tokens");
    assert.deepEqual(sale.send(carol, "finalize").error, { name: "AlreadyFinalized", args: {} });
    const claimed = sale.send(alice, "claim");
    assert.equal(claimed.value, 200n * E18);
    assert.deepEqual(own(sale, claimed.receipt), [
      { name: "Claimed", args: { buyer: alice, amount: 200n * E18, vested: false, schedule: 0n } },
    ]);
    assert.equal(token.view("balanceOf", [alice]), 200n * E18);
    assert.deepEqual(sale.send(alice, "claim").error, { name: "NothingOwed", args: { account: alice } });
    assert.deepEqual(sale.send(carol, "claim").error, { name: "NothingOwed", args: { account: carol } });
    assert.deepEqual(sale.send(bob, "refund").error, { name: "WrongOutcome", args: { succeeded: true } });
    assert.equal(sale.send(bob, "claim").receipt.status, "success");
    assert.equal(token.view("balanceOf", [sale.address]), 0n);
    assert.equal(sale.view("outcome"), 1n);
  });

  it("a sale under its soft cap refunds every buyer and returns every token; the hard cap closes it early", () => {
    const { token, usd, sale, p, at, buy } = setup();
    at(p.start);
    buy(alice, 100n * E18);
    at(p.end + 1n);
    assert.equal(sale.send(bob, "finalize").value, false);
    assert.equal(token.view("balanceOf", [recipient]), p.supply);
    assert.equal(usd.view("balanceOf", [recipient]), 0n);
    assert.deepEqual(sale.send(alice, "claim").error, { name: "WrongOutcome", args: { succeeded: false } });
    const before = usd.view("balanceOf", [alice]) as bigint;
    assert.equal(sale.send(alice, "refund").value, 200n * E18);
    assert.equal(usd.view("balanceOf", [alice]), before + 200n * E18);
    assert.equal(sale.send(alice, "refund").error?.name, "NothingOwed");
    assert.equal(usd.view("balanceOf", [sale.address]), 0n);

    const full = setup({ softCap: 300n * E18, hardCap: 400n * E18 });
    full.at(full.p.start);
    full.buy(alice, 200n * E18);
    assert.equal(full.sale.send(bob, "finalize").value, true, "at the hard cap, before the end");
  });

  it("vests claimed tokens when the sale names a vesting contract", () => {
    const { token, sale, vesting, p, at, buy, own } = setup({}, true, { cliff: 100n, duration: 1_000n });
    assert.ok(vesting !== undefined);
    at(p.start);
    buy(alice, 300n * E18);
    at(p.end + 1n);
    assert.equal(sale.send(bob, "finalize").value, true);
    const claimed = sale.send(alice, "claim");
    assert.deepEqual(own(sale, claimed.receipt), [
      { name: "Claimed", args: { buyer: alice, amount: 300n * E18, vested: true, schedule: 0n } },
    ]);
    assert.equal(token.view("balanceOf", [alice]), 0n, "nothing paid out yet");
    assert.equal(vesting.view("beneficiaryOf", [0n]), alice);
    assert.equal(vesting.view("amountOf", [0n]), 300n * E18);
    assert.equal(vesting.send(alice, "release", [0n]).error?.name, "NothingToRelease", "before the cliff");
    at(p.end + 1n + 500n);
    assert.equal(vesting.send(alice, "release", [0n]).value, 150n * E18);
    at(p.end + 1n + 1_000n);
    vesting.send(alice, "release", [0n]);
    assert.equal(token.view("balanceOf", [alice]), 300n * E18);
  });

  it("refuses parameters that make no sale", () => {
    const chain = new TestChain(2);
    const now = chain.block.time;
    const t = chain.deploy("token", ["A", "A", 18, 1n, owner]).address;
    const u = chain.deploy("token", ["B", "B", 18, 1n, owner]).address;
    const base = [t, u, recipient, 1n, 2n, 1n, now + 1n, now + 10n, 1n, 2n, 1n, NO_ROOT, ZERO, 0n, 0n];
    const refused = (change: Record<number, unknown>) => {
      const args = base.map((v, i) => (i in change ? change[i] : v));
      assert.throws(
        () => chain.deploy("sale", args),
        /InvalidParams/,
        JSON.stringify(change, (_k, v) => String(v)),
      );
    };
    refused({ 1: t });
    refused({ 3: 0n });
    refused({ 5: 0n });
    refused({ 4: 1n, 5: 2n });
    refused({ 7: now + 1n });
    refused({ 6: now - 20n, 7: now - 10n });
    refused({ 8: 3n });
    refused({ 10: 0n });
    refused({ 12: owner, 14: 0n });
    // A vesting contract of another token (or no vesting contract) would make every claim
    // revert after the proceeds left: the buyers' tokens locked for good.
    const otherVesting = chain.deploy("vesting", [u]).address;
    refused({ 12: otherVesting, 13: 0n, 14: 10n });
    refused({ 12: u, 13: 0n, 14: 10n });
    assert.doesNotThrow(() =>
      chain.deploy(
        "sale",
        base.map((v, i) => (i === 12 ? chain.deploy("vesting", [t]).address : i === 14 ? 10n : v)),
      ),
    );
    refused({ 2: ZERO });
    assert.doesNotThrow(() => chain.deploy("sale", base));
  });

  it("(fast-check) caps hold over random purchases, and once settled every unit is accounted for", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(4), fc.bigInt({ min: 1n, max: 400n }), fc.nat(1_100)), { maxLength: 12 }),
        (purchases) => {
          const { token, usd, sale, p, at, buy, buyers } = setup({ startPrice: 3n * E18, endPrice: E18 });
          const times = purchases.map(([, , t]) => p.start + BigInt(t)).sort((a, b) => (a < b ? -1 : 1));
          const usdStart = new Map(buyers.slice(0, 5).map((b) => [b, usd.view("balanceOf", [b]) as bigint]));
          purchases.forEach(([who, tokens], i) => {
            at(times[i] as bigint);
            buy(buyers[who] as Address, tokens * E18);
            assert.ok((sale.view("raised") as bigint) <= p.hardCap);
            assert.ok((sale.view("sold") as bigint) <= p.supply);
            assert.ok((sale.view("paidBy", [buyers[who]]) as bigint) <= p.buyerCap);
          });
          at(p.end + 1n);
          const succeeded = sale.send(owner, "finalize").value === true;
          let paid = 0n;
          let bought = 0n;
          for (const b of buyers.slice(0, 5)) {
            paid += sale.view("paidBy", [b]) as bigint;
            bought += sale.view("boughtBy", [b]) as bigint;
            sale.send(b, succeeded ? "claim" : "refund");
          }
          assert.equal(token.view("balanceOf", [sale.address]), 0n);
          assert.equal(usd.view("balanceOf", [sale.address]), 0n);
          assert.equal(usd.view("balanceOf", [recipient]), succeeded ? paid : 0n);
          assert.equal(token.view("balanceOf", [recipient]), succeeded ? p.supply - bought : p.supply);
          let spent = 0n;
          for (const b of buyers.slice(0, 5))
            spent += (usdStart.get(b) as bigint) - (usd.view("balanceOf", [b]) as bigint);
          assert.equal(spent, succeeded ? paid : 0n);
        },
      ),
      { numRuns: 12, seed: 3 },
    );
  });

  it("a block of purchases runs in parallel identical to sequential", async () => {
    const { chain, sale, p, at, buyers } = setup();
    at(p.start);
    const txs = buyers.slice(0, 24).map((b, i) => sale.tx(b, "buy", [BigInt(i + 1) * E18, MAX, []]));
    txs.push(sale.tx(alice, "buy", [900n * E18, MAX, []])); // over the per-buyer cap: reverts
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.equal(result.receipts.filter((r) => r.status === "success").length, 24);
      assert.equal(result.receipts.at(-1)?.status, "revert");
    } finally {
      await engine.close();
    }
  });
});
