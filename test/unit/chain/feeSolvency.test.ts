/**
 * The payer of an envelope's fee can no longer pay it when the fee is charged. Validation
 * checks that the payer (the sender, or its paymaster) holds gas limit × price, but the
 * fee is taken after the calls and the paymaster's `postOp`, which may move the payer's
 * coin away: a paymaster's owner sponsoring its own `withdraw` of the paymaster's whole
 * balance. The charge was written without a check: the balance went below zero and was
 * stored as 2^128 less the fee (attacker HIGH: coin made from nothing, withdrawn next).
 *
 * Now the fee is held from the payer before the calls run (as ERC-4337's prefund) and what
 * was not used is paid back after: the payer can never owe more than it held, and what
 * the calls see of its balance is what is left after the most it may pay.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { balanceKey } from "../../../src/state/keys.js";
import { type setupAccounts, signed, sponsoredWithdrawal } from "../../helpers/accounts.js";
import { FEE_RECIPIENT } from "../../helpers/chain.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const U128_MAX = (1n << 128n) - 1n;

describe("an envelope's payer cannot spend the fee it owes before it is charged", () => {
  it("a paymaster's owner sponsoring a withdrawal of the paymaster's whole balance makes no coin", async () => {
    const { chain, user, sponsor, funds, calls, paymaster: sponsorship } = sponsoredWithdrawal();
    const supplyBefore = totalCoin(chain);
    const userBefore = chain.state.balance(user.address);
    const tx = signed(chain, user, calls, { paymaster: sponsorship, gasLimit: 3_000_000n });
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, [tx]);
      const receipt = result.receipts[0];
      chain.state.apply(result.writeSet);
      const paymaster = chain.state.balance(sponsor.address);
      // Before: status success, paymaster balance 2^128 - fee, the user held the 10^8 withdrawn.
      assert.ok(
        paymaster <= funds,
        `the paymaster holds ${paymaster} (2^128 - ${U128_MAX + 1n - paymaster}?)`,
      );
      assert.equal(receipt?.status, "revert", "the withdrawal of coin held for the fee fails");
      assert.equal(paymaster, funds - (receipt?.fee ?? 0n));
      assert.equal(chain.state.balance(user.address), userBefore);
      assert.equal(
        totalCoin(chain),
        supplyBefore - burned(receipt?.fee ?? 0n, chain.block.baseFee ?? 0n, receipt?.gasUsed ?? 0),
      );
    } finally {
      await engine.close();
    }
  });
});

/** Every coin balance in the state. */
function totalCoin(chain: ReturnType<typeof setupAccounts>["chain"]): bigint {
  const sample = balanceKey(FEE_RECIPIENT);
  const prefix = sample.slice(0, 2);
  let sum = 0n;
  for (const [key, value] of chain.state.entries)
    if (key.length === sample.length && key.startsWith(prefix)) sum += decodeU128(value);
  return sum;
}

/** The burned part of a fee: the base fee per gas. */
function burned(_fee: bigint, baseFee: bigint, gasUsed: number): bigint {
  return baseFee * BigInt(gasUsed);
}
