/**
 * The ERC-20 token contract: metadata, transfers, allowances, mint and burn by the
 * owner, events, every revert path, and (fast-check) supply conservation over random
 * sequences of operations.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";

const [owner, bob, carol, dave] = [account(1), account(2), account(3), account(4)];
const ZERO: Address = `0x${"00".repeat(20)}`;
const MAX = (1n << 128n) - 1n;

function token(supply = 1_000_000n): { chain: TestChain; t: Contract } {
  const chain = new TestChain();
  return { chain, t: chain.deploy("token", ["Weft Token", "WFT", 18, supply, owner]) };
}

describe("token", () => {
  it("is initialised with metadata, supply and owner", () => {
    const { t } = token();
    assert.equal(t.view("name"), "Weft Token");
    assert.equal(t.view("symbol"), "WFT");
    assert.equal(t.view("decimals"), 18n);
    assert.equal(t.view("totalSupply"), 1_000_000n);
    assert.equal(t.view("owner"), owner);
    assert.equal(t.view("balanceOf", [owner]), 1_000_000n);
    assert.equal(t.view("balanceOf", [bob]), 0n);
  });

  it("transfer moves tokens and emits Transfer", () => {
    const { t } = token();
    const out = t.send(owner, "transfer", [bob, 250n]);
    assert.equal(out.value, true);
    assert.deepEqual(t.events(out.receipt), [
      { name: "Transfer", args: { from: owner, to: bob, amount: 250n } },
    ]);
    assert.equal(t.view("balanceOf", [owner]), 999_750n);
    assert.equal(t.view("balanceOf", [bob]), 250n);
    // To oneself: allowed, balance unchanged, event emitted.
    const self = t.send(bob, "transfer", [bob, 100n]);
    assert.equal(self.value, true);
    assert.equal(t.view("balanceOf", [bob]), 250n);
    // Zero amount is a valid transfer.
    assert.equal(t.send(carol, "transfer", [bob, 0n]).value, true);
  });

  it("transfer reverts on insufficient balance and the zero address, changing nothing", () => {
    const { t } = token();
    const poor = t.send(bob, "transfer", [carol, 1n]);
    assert.equal(poor.receipt.status, "revert");
    assert.deepEqual(poor.error, {
      name: "InsufficientBalance",
      args: { account: bob, balance: 0n, needed: 1n },
    });
    const zero = t.send(owner, "transfer", [ZERO, 1n]);
    assert.deepEqual(zero.error, { name: "ZeroAddress", args: {} });
    assert.equal(t.view("balanceOf", [owner]), 1_000_000n);
  });

  it("approve, allowance and transferFrom spend the allowance", () => {
    const { t } = token();
    const approve = t.send(owner, "approve", [bob, 500n]);
    assert.deepEqual(t.events(approve.receipt), [
      { name: "Approval", args: { owner, spender: bob, amount: 500n } },
    ]);
    assert.equal(t.view("allowance", [owner, bob]), 500n);
    const spend = t.send(bob, "transferFrom", [owner, carol, 200n]);
    assert.equal(spend.value, true);
    assert.equal(t.view("allowance", [owner, bob]), 300n);
    assert.equal(t.view("balanceOf", [carol]), 200n);
    const over = t.send(bob, "transferFrom", [owner, carol, 301n]);
    assert.deepEqual(over.error, {
      name: "InsufficientAllowance",
      args: { owner, spender: bob, allowance: 300n, needed: 301n },
    });
    // Someone without an allowance.
    assert.equal(t.send(dave, "transferFrom", [owner, dave, 1n]).error?.name, "InsufficientAllowance");
    // An allowance larger than the balance still fails on the balance.
    t.send(carol, "approve", [bob, 1_000n]);
    const broke = t.send(bob, "transferFrom", [carol, bob, 201n]);
    assert.deepEqual(broke.error, {
      name: "InsufficientBalance",
      args: { account: carol, balance: 200n, needed: 201n },
    });
    assert.equal(t.view("allowance", [carol, bob]), 1_000n, "a failed transferFrom leaves the allowance");
  });

  it("an unlimited allowance (u128 max) is never spent; approve to zero address reverts", () => {
    const { t } = token();
    t.send(owner, "approve", [bob, MAX]);
    t.send(bob, "transferFrom", [owner, carol, 10n]);
    assert.equal(t.view("allowance", [owner, bob]), MAX);
    assert.equal(t.send(owner, "approve", [ZERO, 1n]).error?.name, "ZeroAddress");
    t.send(owner, "approve", [bob, 0n]);
    assert.equal(t.view("allowance", [owner, bob]), 0n);
  });

  it("mint and burn are the owner's, adjust supply and emit Transfer from/to zero", () => {
    const { t } = token();
    const mint = t.send(owner, "mint", [bob, 40n]);
    assert.equal(mint.receipt.status, "success");
    assert.deepEqual(t.events(mint.receipt), [
      { name: "Transfer", args: { from: ZERO, to: bob, amount: 40n } },
    ]);
    assert.equal(t.view("totalSupply"), 1_000_040n);
    const burn = t.send(owner, "burn", [bob, 15n]);
    assert.deepEqual(t.events(burn.receipt), [
      { name: "Transfer", args: { from: bob, to: ZERO, amount: 15n } },
    ]);
    assert.equal(t.view("totalSupply"), 1_000_025n);
    assert.equal(t.view("balanceOf", [bob]), 25n);
    assert.deepEqual(t.send(bob, "mint", [bob, 1n]).error, { name: "NotOwner", args: { caller: bob } });
    assert.deepEqual(t.send(bob, "burn", [owner, 1n]).error, { name: "NotOwner", args: { caller: bob } });
    assert.deepEqual(t.send(owner, "burn", [bob, 26n]).error, {
      name: "InsufficientBalance",
      args: { account: bob, balance: 25n, needed: 26n },
    });
    assert.equal(t.send(owner, "mint", [ZERO, 1n]).error?.name, "ZeroAddress");
    assert.equal(t.send(owner, "mint", [bob, MAX]).error?.name, "Overflow", "supply cannot overflow");
    assert.equal(t.view("totalSupply"), 1_000_025n);
  });

  it("ownership can be handed over, only by the owner and not to zero", () => {
    const { t } = token();
    assert.equal(t.send(bob, "transferOwnership", [bob]).error?.name, "NotOwner");
    assert.equal(t.send(owner, "transferOwnership", [ZERO]).error?.name, "ZeroAddress");
    const moved = t.send(owner, "transferOwnership", [bob]);
    assert.deepEqual(t.events(moved.receipt), [
      { name: "OwnershipTransferred", args: { previous: owner, next: bob } },
    ]);
    assert.equal(t.send(owner, "mint", [owner, 1n]).error?.name, "NotOwner");
    assert.equal(t.send(bob, "mint", [bob, 1n]).receipt.status, "success");
  });

  it("a constructor with a zero owner fails the deployment", () => {
    const chain = new TestChain();
    assert.throws(() => chain.deploy("token", ["T", "T", 0, 0n, ZERO]), /ZeroAddress/);
  });

  it("conserves supply over random operation sequences (fast-check)", () => {
    const holders = [owner, bob, carol, dave];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("transfer"),
        from: fc.nat(3),
        to: fc.nat(3),
        amount: fc.bigInt(0n, 400n),
      }),
      fc.record({
        kind: fc.constant("approve"),
        from: fc.nat(3),
        to: fc.nat(3),
        amount: fc.bigInt(0n, 400n),
      }),
      fc.record({
        kind: fc.constant("transferFrom"),
        spender: fc.nat(3),
        from: fc.nat(3),
        to: fc.nat(3),
        amount: fc.bigInt(0n, 400n),
      }),
      fc.record({ kind: fc.constant("mint"), to: fc.nat(3), amount: fc.bigInt(0n, 100n) }),
      fc.record({ kind: fc.constant("burn"), from: fc.nat(3), amount: fc.bigInt(0n, 100n) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const { chain, t } = token(1_000n);
        const model = new Map<Address, bigint>(holders.map((h) => [h, h === owner ? 1_000n : 0n]));
        let supply = 1_000n;
        const txs = ops.map((o) => {
          switch (o.kind) {
            case "transfer":
              return t.tx(holders[o.from] as Address, "transfer", [holders[o.to], o.amount]);
            case "approve":
              return t.tx(holders[o.from] as Address, "approve", [holders[o.to], o.amount]);
            case "transferFrom":
              return t.tx(holders[o.spender] as Address, "transferFrom", [
                holders[o.from],
                holders[o.to],
                o.amount,
              ]);
            case "mint":
              return t.tx(owner, "mint", [holders[o.to], o.amount]);
            case "burn":
              return t.tx(owner, "burn", [holders[o.from], o.amount]);
            default:
              throw new Error("unknown operation");
          }
        });
        // One block with every operation: failures revert individually.
        const result = chain.run(txs);
        result.receipts.forEach((r, i) => {
          const o = ops[i];
          if (r.status !== "success" || o === undefined) return;
          const amount = o.amount;
          const add = (h: Address, d: bigint) => model.set(h, (model.get(h) ?? 0n) + d);
          if (o.kind === "mint") {
            supply += amount;
            add(holders[o.to] as Address, amount);
          } else if (o.kind === "burn") {
            supply -= amount;
            add(holders[o.from] as Address, -amount);
          } else if (o.kind === "transfer" || o.kind === "transferFrom") {
            add(holders[o.from] as Address, -amount);
            add(holders[o.to] as Address, amount);
          }
        });
        let sum = 0n;
        for (const h of holders) {
          const balance = t.view("balanceOf", [h]) as bigint;
          assert.equal(balance, model.get(h), `balance of ${h}`);
          sum += balance;
        }
        assert.equal(t.view("totalSupply"), supply);
        assert.equal(sum, supply, "sum of balances equals total supply");
      }),
      { numRuns: 40 },
    );
  });
});
