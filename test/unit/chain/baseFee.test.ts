/**
 * The base fee: envelopes pay min(max fee, base fee + priority fee) per gas, the base part
 * is burned and only the priority part reaches the fee recipient; a max fee below the base
 * fee is invalid; the base fee follows gas use by at most 1/8 per block.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextBaseFee } from "../../../src/node/baseFee.js";
import { setupAccounts, signed, transferCall, type User } from "../../helpers/accounts.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";

describe("base fee", () => {
  it("burns the base part, credits the priority part, refuses a max fee under the base fee", () => {
    const { chain, token, users } = setupAccounts(1);
    const user = users[0] as User;
    chain.setBlock({ baseFee: 5n });
    const tx = signed(chain, user, [transferCall(token, account(2), 1n)], { maxFee: 10n, priorityFee: 2n });
    const coin = chain.state.balance(user.address);
    const collected = chain.state.balance(FEE_RECIPIENT);
    const receipt = chain.runOne(tx);
    assert.equal(receipt.status, "success", receipt.invalidReason);
    assert.equal(
      receipt.fee,
      BigInt(receipt.gasUsed) * 7n,
      "price = base 5 + priority 2 (under the max fee 10)",
    );
    assert.equal(chain.state.balance(user.address), coin - receipt.fee);
    assert.equal(
      chain.state.balance(FEE_RECIPIENT),
      collected + BigInt(receipt.gasUsed) * 2n,
      "only the tip is credited",
    );

    chain.setBlock({ baseFee: 50n });
    const tooLow = chain.runOne(signed(chain, user, [transferCall(token, account(2), 1n)]));
    assert.equal(tooLow.status, "invalid");
    assert.match(tooLow.invalidReason ?? "", /max fee 2 is below the block's base fee 50/);
  });

  it("moves by at most 1/8 per block toward the gas use, never below the minimum", () => {
    const parent = (baseFee: bigint, gasUsed: number) => ({ baseFee, gasUsed, gasLimit: 1_000 });
    assert.equal(nextBaseFee(parent(800n, 500), 1n), 800n, "at the target");
    assert.equal(nextBaseFee(parent(800n, 1_000), 1n), 900n, "full: +1/8");
    assert.equal(nextBaseFee(parent(800n, 0), 1n), 700n, "empty: -1/8");
    assert.equal(nextBaseFee(parent(800n, 750), 1n), 850n, "half way above: +1/16");
    assert.equal(nextBaseFee(parent(1n, 501), 1n), 2n, "rises by at least 1");
    assert.equal(nextBaseFee(parent(1n, 0), 1n), 1n, "never below the minimum");
    assert.equal(nextBaseFee(parent(0n, 0), 3n), 3n, "a parent below the minimum starts from it");
    let fee = 1_000n;
    for (let i = 0; i < 10; i++) fee = nextBaseFee(parent(fee, 1_000), 1n);
    assert.ok(fee > 3_000n && fee < 3_300n, `ten full blocks: ×(9/8)^10 ≈ 3.25, got ${fee}`);
  });
});
