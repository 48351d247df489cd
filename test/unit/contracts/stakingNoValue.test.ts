/**
 * The staking contract refuses coin sent with a method that takes none (atk15c's LOW): every
 * method but delegate, delegateLocked and depositReward reverts `ValueNotAccepted(value)`, so
 * the coin stays with the sender instead of sitting in the contract credited to nobody. The
 * methods are enumerated from the contract's metadata: a method added later is covered too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { registerArgs } from "../../helpers/validators.js";

const WAD = 10n ** 18n;
const PAYABLE = new Set(["delegate", "delegateLocked", "depositReward"]);
const operator = account(2);
const sender = account(3);

/** Arguments that decode for each ABI type (what the method then does with them does not matter: it refuses first). */
function argsOf(types: string[]): unknown[] {
  return types.map((t) =>
    t === "address" ? operator : t === "bytes" ? new Uint8Array(0) : t === "u32" ? 0 : 0n,
  );
}

describe("staking: no coin with methods that take none", () => {
  const chain = new TestChain(5);
  const staking = chain.deploy("staking", [86_400n, WAD / 20n, WAD / 100n]);
  const balances = () => [chain.state.balance(staking.address), chain.state.balance(sender)];
  const register = staking.send(operator, "register", registerArgs(operator, 500, 1), {
    gasLimit: 50_000_000,
  });
  assert.equal(register.receipt.status, "success");
  assert.equal(
    staking.send(operator, "delegate", [operator], { value: 10n * WAD }).receipt.status,
    "success",
  );

  it("every other method reverts ValueNotAccepted(value); nothing stays in the contract", () => {
    const methods = staking.meta.methods.filter((m) => !PAYABLE.has(m.name));
    assert.ok(methods.length >= 35, `${methods.length} methods`);
    const before = balances();
    const wrong: string[] = [];
    for (const m of methods) {
      const types = m.inputs.map((i) => i.type as string);
      const out = staking.send(sender, m.name, argsOf(types), {
        value: 7n,
        gasPrice: 0n,
        gasLimit: 50_000_000,
      });
      if (out.error?.name !== "ValueNotAccepted" || out.error.args.value !== 7n)
        wrong.push(`${m.name}: ${out.receipt.status} ${out.error?.name ?? ""}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(balances(), before, "the contract kept no coin, the sender lost none");
  });

  it("without coin they run as before; the payable ones still take coin", () => {
    const claim = staking.send(operator, "claimRewards", [operator as Address]);
    assert.equal(claim.receipt.status, "success");
    assert.equal(staking.view("validatorStake", [operator]), 10n * WAD);
    const reward = staking.send(sender, "depositReward", [operator], { value: WAD });
    assert.equal(reward.receipt.status, "success");
    assert.equal(staking.view("pendingRewards", [operator, operator]), WAD);
  });
});
