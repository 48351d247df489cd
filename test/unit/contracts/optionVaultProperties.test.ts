/**
 * The option vaults' solvency model (fast-check): over random deposits, instant withdrawals,
 * initiated and completed withdrawals, purchases and rounds settling at random prices, in a
 * covered-call or a cash-secured-put vault, the vault always holds what it owes outside its
 * options (queued deposits and withdrawals set aside), the depositors' claims never exceed
 * the vault's totals, and at the end every depositor withdraws everything successfully.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { E18 } from "../../helpers/options.js";
import { fundFor, manager, PREMIUM_MAX, PREMIUM_MIN, vaultSetup } from "../../helpers/optionVault.js";

const people: Address[] = [account(3), account(4), account(5)];
const buyer = account(6);

const action = fc.oneof(
  fc.record({ kind: fc.constant("deposit" as const), who: fc.nat(2), amount: fc.bigInt(1n, 10n ** 22n) }),
  fc.record({
    kind: fc.constant("instant" as const),
    who: fc.nat(2),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant("initiate" as const),
    who: fc.nat(2),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant("complete" as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constant("buy" as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant("roll" as const),
    move: fc.double({ min: 0.5, max: 1.6, noNaN: true }),
    rate: fc.bigInt(PREMIUM_MIN, PREMIUM_MAX),
  }),
);

const part = (amount: bigint, share: number) => (amount * BigInt(Math.round(share * 1_000_000))) / 1_000_000n;

describe("option vaults (fast-check)", () => {
  it("the vault always covers what it owes and every depositor can leave", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(action, { minLength: 4, maxLength: 14 }), (put, actions) => {
        const s = vaultSetup();
        const vault = put ? s.putVault : s.callVault;
        const token = put ? s.wusd : s.weth;
        for (const who of [...people, buyer, manager]) fundFor(s, who, vault);
        let spot = 2_000n * E18;
        const v = (method: string, args: unknown[] = []) => vault.view(method, args) as bigint;
        let rolls = 0;
        const roll = (move: number, rate: bigint) => {
          rolls++;
          if (vault.view("roundActive")) {
            s.at(v("roundExpiry"));
            spot = part(spot, move) + E18;
            s.price(spot);
            assert.equal(vault.send(buyer, "closeRound").receipt.status, "success");
          } else assert.equal(vault.send(manager, "closeRound").receipt.status, "success");
          const started = vault.send(manager, "startRound", [rate]);
          assert.equal(started.receipt.status, "success", JSON.stringify(started.error));
        };
        const check = () => {
          const held = token.view("balanceOf", [vault.address]) as bigint;
          assert.ok(held >= v("pendingDeposits") + v("reservedAssets"), "held < queued + set aside");
          const sum = (method: string) => people.reduce((a, p) => a + v(method, [p]), 0n);
          assert.ok(sum("queuedDeposit") <= v("pendingDeposits"));
          assert.ok(sum("withdrawable") <= v("reservedAssets"));
          assert.ok(sum("sharesOf") <= v("totalShares"));
        };
        for (const a of actions) {
          if (a.kind === "deposit") vault.send(people[a.who] as Address, "deposit", [a.amount]);
          else if (a.kind === "instant") {
            const who = people[a.who] as Address;
            const amount = part(v("queuedDeposit", [who]), a.share);
            if (amount > 0n)
              assert.equal(vault.send(who, "withdrawInstantly", [amount]).receipt.status, "success");
          } else if (a.kind === "initiate") {
            const who = people[a.who] as Address;
            const shares = part(v("sharesOf", [who]), a.share);
            if (shares > 0n) vault.send(who, "initiateWithdraw", [shares]);
          } else if (a.kind === "complete") vault.send(people[a.who] as Address, "completeWithdraw");
          else if (a.kind === "buy") {
            const amount = vault.view("roundActive") ? part(v("unsoldOptions"), a.share) : 0n;
            if (amount > 0n)
              assert.equal(
                vault.send(buyer, "buy", [amount, v("costOf", [amount])]).receipt.status,
                "success",
              );
          } else roll(a.move, a.rate);
          check();
        }
        // Wind down: finish the round, complete old withdrawals, queue every share, close, pay out.
        roll(1, PREMIUM_MIN);
        for (const p of people) vault.send(p, "completeWithdraw");
        for (const p of people) {
          const shares = v("sharesOf", [p]);
          if (shares > 0n)
            assert.equal(vault.send(p, "initiateWithdraw", [shares]).receipt.status, "success");
          const queued = v("queuedDeposit", [p]);
          if (queued > 0n)
            assert.equal(vault.send(p, "withdrawInstantly", [queued]).receipt.status, "success");
        }
        roll(1, PREMIUM_MIN);
        check();
        for (const p of people) {
          if (v("withdrawable", [p]) > 0n)
            assert.equal(vault.send(p, "completeWithdraw").receipt.status, "success");
          assert.equal(v("sharesOf", [p]), 0n);
        }
        check();
        // Each depositor's shares round down from its round's total: unowned dust of a share or so per conversion.
        assert.ok(v("totalShares") <= BigInt(rolls * people.length), `dust ${v("totalShares")}`);
      }),
      { numRuns: 25, seed: 18 },
    );
  });
});
