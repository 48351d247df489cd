import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { account, blockContext, FEE_RECIPIENT, fundedState, runBlock } from "../../helpers/chain.js";

const alice = account(1);
/**
 * A transfer transaction's intrinsic gas: TX_BASE and TRANSFER_TX. 10,000 since the
 * transfer's own time is priced (it ran 2.4-3.3x the median ns/gas at TX_BASE alone).
 */
const TRANSFER_GAS = 10_000;
const bob = account(2);

function transfer(from: string, to: string, amount: bigint, gasPrice = 1n, gasLimit = 10_000): Transaction {
  return {
    kind: "transfer",
    from: from as `0x${string}`,
    to: to as `0x${string}`,
    amount,
    gasLimit,
    gasPrice,
  };
}

describe("native transfers", () => {
  it("moves coin, charges the intrinsic gas and credits the fee recipient", () => {
    const state = fundedState([[alice, 1_000_000n]]);
    const result = runBlock(createChainExecutor(blockContext()), state, [transfer(alice, bob, 250n, 2n)]);
    const receipt = result.receipts[0];
    assert.equal(receipt?.status, "success");
    assert.equal(receipt?.gasUsed, TRANSFER_GAS);
    assert.equal(TRANSFER_GAS, GAS.TX_BASE + GAS.TRANSFER_TX);
    assert.equal(receipt?.fee, BigInt(TRANSFER_GAS) * 2n);
    assert.equal(state.balance(alice), 1_000_000n - 250n - BigInt(TRANSFER_GAS) * 2n);
    assert.equal(state.balance(bob), 250n);
    assert.equal(state.balance(FEE_RECIPIENT), BigInt(TRANSFER_GAS) * 2n);
  });

  it("marks a transaction that cannot pay invalid, with no effect and no fee", () => {
    const state = fundedState([[alice, 1_000n]]);
    const result = runBlock(createChainExecutor(blockContext()), state, [transfer(alice, bob, 10n)]);
    assert.equal(result.receipts[0]?.status, "invalid");
    assert.match(result.receipts[0]?.invalidReason ?? "", /insufficient funds: balance 1000/);
    assert.equal(result.writeSet.size, 0);
    assert.equal(state.balance(alice), 1_000n);
  });

  it("rejects a gas limit below the intrinsic gas, above the maximum, or malformed addresses", () => {
    const state = fundedState([[alice, 10n ** 18n]]);
    const exec = createChainExecutor(blockContext());
    const bad: Transaction[] = [
      transfer(alice, bob, 1n, 1n, TRANSFER_GAS - 1),
      transfer(alice, bob, 1n, 1n, 2_000_000_000),
      transfer(alice, "0x1234", 1n),
      transfer("0xABCDEF0000000000000000000000000000000001", bob, 1n),
      transfer(alice, bob, -1n),
    ];
    const result = runBlock(exec, state, bad);
    assert.deepEqual(
      result.receipts.map((r) => r.status),
      bad.map(() => "invalid"),
    );
    assert.match(result.receipts[0]?.invalidReason ?? "", /below the intrinsic gas/);
    assert.match(result.receipts[1]?.invalidReason ?? "", /above the maximum/);
    assert.match(result.receipts[2]?.invalidReason ?? "", /recipient "0x1234" is not an address/);
    assert.match(result.receipts[3]?.invalidReason ?? "", /sender/);
    assert.match(result.receipts[4]?.invalidReason ?? "", /value -1 is out of range/);
    assert.equal(result.writeSet.size, 0);
  });

  it("lets the fee recipient itself send, paying its fee back to itself", () => {
    const state = fundedState([[FEE_RECIPIENT, 100_000n]]);
    runBlock(createChainExecutor(blockContext()), state, [transfer(FEE_RECIPIENT, bob, 5n)]);
    assert.equal(state.balance(FEE_RECIPIENT), 100_000n - 5n);
    assert.equal(state.balance(bob), 5n);
  });

  it("sees the fees of earlier transactions when the fee recipient's balance is read", () => {
    // Bob starts empty and is the fee recipient; only the fees of the first two
    // transactions let him pay for the third.
    const ctx = blockContext({ feeRecipient: bob });
    const state = fundedState([[alice, 10n ** 9n]]);
    const result = runBlock(createChainExecutor(ctx), state, [
      transfer(alice, account(3), 1n, 1n),
      transfer(alice, account(3), 1n, 1n),
      transfer(bob, account(3), 1n, 1n, TRANSFER_GAS),
    ]);
    assert.deepEqual(
      result.receipts.map((r) => r.status),
      ["success", "success", "success"],
    );
    assert.equal(state.balance(bob), 2n * BigInt(TRANSFER_GAS) - 1n);
    assert.equal(state.balance(account(3)), 3n);
  });

  it("conserves the total supply over random transfer sequences (property)", () => {
    const accounts = [1, 2, 3, 4, 5].map(account);
    const txArb = fc.record({
      from: fc.integer({ min: 0, max: 4 }),
      to: fc.integer({ min: 0, max: 4 }),
      amount: fc.bigInt({ min: 0n, max: 400_000n }),
      gasPrice: fc.bigInt({ min: 0n, max: 3n }),
    });
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 40 }), (specs) => {
        const state = fundedState(accounts.map((a) => [a, 300_000n]));
        const txs = specs.map((s) =>
          transfer(accounts[s.from] as string, accounts[s.to] as string, s.amount, s.gasPrice),
        );
        const result = runBlock(createChainExecutor(blockContext()), state, txs);
        const total = [...accounts, FEE_RECIPIENT].reduce((sum, a) => sum + state.balance(a), 0n);
        assert.equal(total, 5n * 300_000n);
        const fees = result.receipts.reduce((sum, r) => sum + r.fee, 0n);
        assert.equal(state.balance(FEE_RECIPIENT), fees);
      }),
      { numRuns: 200 },
    );
  });
});
