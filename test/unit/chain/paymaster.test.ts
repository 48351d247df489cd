/**
 * Paymasters: the sponsoring paymaster pays fees for calls to chosen contracts; the token
 * paymaster takes fees from a token deposit at an oracle rate. Both validate before the
 * calls (restricted mode) and settle after them, even when the calls revert.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POST_OP_GAS_LIMIT } from "../../../src/chain/executeEnvelope.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeEvent } from "../../../src/codec/metadata.js";
import { callOf, nonceOf, setupAccounts, signed, transferCall, type User } from "../../helpers/accounts.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";
import type { Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const COIN = "0x0000000000000000000000000000000000000000";
const NO_DATA = new Uint8Array(0);
const E18 = 10n ** 18n;

/**
 * Gas limit of a transfer a paymaster pays for: ~2.09M used with the paymaster's validation
 * and its `postOp` (cold key reads priced), over the 2M that `signed()`'s 3M default leaves
 * beside the settlement reserve (`POST_OP_GAS_LIMIT`).
 */
const SPONSORED_GAS = 4_000_000n;

function via(paymaster: Contract) {
  return { address: paymaster.address, data: NO_DATA };
}

function eventNames(contract: Contract, events: Parameters<typeof decodeEvent>[1][]): string[] {
  return events.flatMap((e) => decodeEvent(contract.meta, e)?.name ?? []);
}

function sponsorSetup(accounts = 1) {
  const { chain, token, users } = setupAccounts(accounts);
  const user = users[0] as User;
  const sponsor = chain.deploy("sponsorPaymaster", [10_000_000n]);
  assert.equal(sponsor.send(account(1), "fund", [], { value: 10n ** 12n }).receipt.status, "success");
  assert.equal(sponsor.send(account(1), "setSponsored", [token.address, true]).receipt.status, "success");
  return { chain, token, user, users, sponsor };
}

describe("sponsoring paymaster", () => {
  it("pays the fee of a sponsored call; the account pays nothing", () => {
    const { chain, token, user, sponsor } = sponsorSetup();
    const coin = chain.state.balance(user.address);
    const funds = chain.state.balance(sponsor.address);
    const collected = chain.state.balance(FEE_RECIPIENT);
    const receipt = chain.runOne(
      signed(chain, user, [transferCall(token, account(2), 5n)], {
        paymaster: via(sponsor),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.equal(receipt.status, "success", receipt.invalidReason);
    assert.equal(chain.state.balance(user.address), coin, "the account paid no fee");
    assert.equal(chain.state.balance(sponsor.address), funds - receipt.fee);
    assert.equal(chain.state.balance(FEE_RECIPIENT), collected + receipt.fee);
    assert.deepEqual(eventNames(sponsor, receipt.events), ["Sponsored"]);
    assert.equal(token.view("balanceOf", [account(2)]), 5n);
  });

  it("still pays, and settles, when the calls revert", () => {
    const { chain, token, user, sponsor } = sponsorSetup();
    const funds = chain.state.balance(sponsor.address);
    const receipt = chain.runOne(
      signed(chain, user, [transferCall(token, account(2), 10n ** 15n)], {
        paymaster: via(sponsor),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.equal(receipt.status, "revert");
    assert.ok(receipt.fee > 0n);
    assert.equal(chain.state.balance(sponsor.address), funds - receipt.fee);
    const settled = receipt.events.map((e) => decodeEvent(sponsor.meta, e));
    assert.equal(settled.length, 1, "only the settlement's event survives the revert");
    assert.equal(settled[0]?.name, "Sponsored");
    assert.equal(settled[0]?.args.succeeded, false);
    assert.equal(nonceOf(chain, user.address), 1n);
  });

  it("refuses unsponsored targets, costs over its cap, too little gas, and an empty purse", () => {
    const { chain, token, user, sponsor } = sponsorSetup();
    const other = chain.deploy("token", ["O", "O", 0, 10n ** 12n, user.address]);
    const before = new Map(chain.state.entries);
    const cases: Array<[Transaction, RegExp]> = [
      [
        signed(chain, user, [transferCall(other, account(2), 1n)], {
          paymaster: via(sponsor),
          gasLimit: SPONSORED_GAS,
        }),
        /paymaster refused to pay/,
      ],
      [
        signed(chain, user, [transferCall(token, account(2), 1n)], {
          paymaster: via(sponsor),
          gasLimit: 20_000_000n,
        }),
        /paymaster refused to pay/,
      ],
      [
        signed(chain, user, [transferCall(token, account(2), 1n)], {
          paymaster: via(sponsor),
          gasLimit: BigInt(POST_OP_GAS_LIMIT),
        }),
        /below the intrinsic gas \d+ plus the paymaster settlement reserve/,
      ],
      [
        signed(chain, user, [transferCall(token, account(2), 1n)], {
          paymaster: { address: account(3), data: NO_DATA },
        }),
        /paymaster 0x[0-9a-f]{40} is not a contract/,
      ],
    ];
    for (const [tx, reason] of cases) {
      const receipt = chain.runOne(tx);
      assert.equal(receipt.status, "invalid");
      assert.match(receipt.invalidReason ?? "", reason);
    }
    assert.deepEqual(new Map(chain.state.entries), before, "refusals change nothing");
    const owner = account(1);
    assert.equal(
      sponsor.send(owner, "withdraw", [owner, chain.state.balance(sponsor.address)]).receipt.status,
      "success",
    );
    const broke = chain.runOne(
      signed(chain, user, [transferCall(token, account(2), 1n)], {
        paymaster: via(sponsor),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.match(broke.invalidReason ?? "", /paymaster 0x[0-9a-f]{40} cannot pay/);
  });

  it("only the protocol settles", () => {
    const { sponsor } = sponsorSetup();
    const out = sponsor.send(account(2), "postOp", [new Uint8Array(32), account(2), NO_DATA, true, 1n, 1n]);
    assert.deepEqual(out.error, { name: "NotProtocol", args: { caller: account(2) } });
  });
});

describe("sponsoring paymaster: a limit per sender", () => {
  const sponsoredTransfer = (chain: TestChain, user: User, token: Contract, sponsor: Contract) =>
    chain.runOne(
      signed(chain, user, [transferCall(token, account(2), 1n)], {
        paymaster: via(sponsor),
        gasLimit: SPONSORED_GAS,
      }),
    );
  // SPONSORED_GAS at price 1 (base fee 0 + priority fee 1).
  const TX_MAX_COST = SPONSORED_GAS;

  it("one sender cannot drain it: out of the box, 100 sponsored transactions per sender per hour", () => {
    const { chain, token, users, sponsor } = sponsorSetup(2);
    const [greedy, other] = users as [User, User];
    for (let i = 0; i < 100; i++) {
      const receipt = sponsoredTransfer(chain, greedy, token, sponsor);
      assert.equal(receipt.status, "success", `transaction ${i}: ${receipt.invalidReason}`);
    }
    const refused = sponsoredTransfer(chain, greedy, token, sponsor);
    assert.equal(refused.status, "invalid", "the 101st transaction in the hour is not sponsored");
    assert.match(
      refused.invalidReason ?? "",
      /paymaster refused to pay \(its validation ended in revert: SenderLimitReached\)/,
    );
    assert.deepEqual(sponsor.view("senderUsage", [greedy.address]), [100n, 100n * TX_MAX_COST]);
    assert.equal(sponsoredTransfer(chain, other, token, sponsor).status, "success", "others still are");
    // An hour later, the next settlement starts a new window.
    chain.advance(3600n);
    assert.equal(sponsoredTransfer(chain, other, token, sponsor).status, "success");
    assert.deepEqual(sponsor.view("senderUsage", [greedy.address]), [0n, 0n]);
    assert.equal(sponsoredTransfer(chain, greedy, token, sponsor).status, "success");
  });

  it("the owner sets it: transactions and total maximum cost per window", () => {
    const { chain, token, user, sponsor } = sponsorSetup();
    const owner = account(1);
    assert.equal(sponsor.send(account(2), "setSenderLimit", [5, 10n ** 9n, 60n]).error?.name, "NotOwner");
    assert.deepEqual(sponsor.send(owner, "setSenderLimit", [5, 10n ** 9n, 0n]).error, {
      name: "InvalidWindow",
      args: { seconds: 0n },
    });
    const set = sponsor.send(owner, "setSenderLimit", [5, 2n * TX_MAX_COST + 1n, 60n]);
    assert.deepEqual(sponsor.events(set.receipt), [
      { name: "SenderLimitChanged", args: { txs: 5n, cost: 2n * TX_MAX_COST + 1n, windowSeconds: 60n } },
    ]);
    assert.deepEqual(sponsor.view("senderLimit"), [5n, 2n * TX_MAX_COST + 1n, 60n]);
    assert.equal(sponsoredTransfer(chain, user, token, sponsor).status, "success");
    assert.equal(sponsoredTransfer(chain, user, token, sponsor).status, "success");
    // A third would bring the sender's maximum costs to 3 × 3,000,000 > the limit.
    assert.equal(sponsoredTransfer(chain, user, token, sponsor).status, "invalid");
    chain.advance(59n);
    sponsor.send(account(3), "advanceWindow", []);
    assert.equal(sponsoredTransfer(chain, user, token, sponsor).status, "invalid", "the window is not over");
    chain.advance(1n);
    assert.equal(sponsor.send(account(3), "advanceWindow", []).receipt.status, "success");
    assert.equal(sponsoredTransfer(chain, user, token, sponsor).status, "success");
  });

  it("a block of sponsored transactions past the limit: the parallel engine matches sequential", async () => {
    const { chain, token, users, sponsor } = sponsorSetup(2);
    sponsor.send(account(1), "setSenderLimit", [3, 10n ** 12n, 3600n]);
    const txs: Transaction[] = [];
    for (let i = 0; i < 8; i++) {
      const user = users[i % 2] as User;
      const sequence = nonceOf(chain, user.address) + BigInt(i >> 1);
      txs.push(
        signed(chain, user, [transferCall(token, account(2), 1n)], {
          sequence,
          paymaster: via(sponsor),
          gasLimit: SPONSORED_GAS,
        }),
      );
    }
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      // Each sender's fourth transaction is past the limit of 3.
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "success", "success", "success", "success", "invalid", "invalid"],
      );
    } finally {
      await engine.close();
    }
  });
});

function tokenSetup() {
  const { chain, token, users } = setupAccounts(2);
  const oracle = chain.deploy("oracle", [3600n]);
  // A coin unit is worth 2 token units.
  oracle.send(account(1), "setPrice", [COIN, 2n * E18]);
  oracle.send(account(1), "setPrice", [token.address, E18]);
  const paymaster = chain.deploy("tokenPaymaster", [token.address, oracle.address, 100, 600n]);
  assert.equal(paymaster.send(account(1), "fund", [], { value: 10n ** 12n }).receipt.status, "success");
  assert.equal(paymaster.view("refreshRate"), 2n * E18);
  for (const user of users) {
    token.send(account(1), "transfer", [user.address, 100_000_000n]);
    const receipt = chain.runOne(
      signed(chain, user, [
        callOf(token, "approve", [paymaster.address, 50_000_000n]),
        callOf(paymaster, "deposit", [50_000_000n]),
      ]),
    );
    assert.equal(receipt.status, "success", receipt.invalidReason);
  }
  return { chain, token, oracle, paymaster, users: users as [User, User] };
}

/** Token units the paymaster charges for `fee` coin units: ×2 (rate) ×1.01 (markup). */
function charged(fee: bigint): bigint {
  return (fee * 2n * 10_100n) / 10_000n;
}

describe("token paymaster", () => {
  it("charges the fee in the token at the oracle rate; the account's coin is untouched", () => {
    const { chain, token, paymaster, users } = tokenSetup();
    const user = users[0];
    const coin = chain.state.balance(user.address);
    const funds = chain.state.balance(paymaster.address);
    const deposit = paymaster.view("depositOf", [user.address]) as bigint;
    const receipt = chain.runOne(
      signed(chain, user, [transferCall(token, account(3), 7n)], {
        paymaster: via(paymaster),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.equal(receipt.status, "success", receipt.invalidReason);
    assert.equal(chain.state.balance(user.address), coin);
    assert.equal(chain.state.balance(paymaster.address), funds - receipt.fee);
    const event = receipt.events
      .map((e) => decodeEvent(paymaster.meta, e))
      .find((e) => e?.name === "FeeCharged");
    const fee = event?.args.fee as bigint;
    assert.ok(fee >= receipt.fee, "the settlement overhead is charged on top of the fee so far");
    assert.equal(event?.args.tokens, charged(fee));
    assert.equal(paymaster.view("depositOf", [user.address]), deposit - charged(fee));
    assert.equal(paymaster.view("earnings"), charged(fee));
  });

  it("charges even when the calls revert", () => {
    const { chain, token, paymaster, users } = tokenSetup();
    const user = users[0];
    const deposit = paymaster.view("depositOf", [user.address]) as bigint;
    const receipt = chain.runOne(
      signed(chain, user, [transferCall(token, account(3), 10n ** 15n)], {
        paymaster: via(paymaster),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.equal(receipt.status, "revert");
    const spent = deposit - (paymaster.view("depositOf", [user.address]) as bigint);
    assert.ok(spent > charged(receipt.fee) - 1n, `charged ${spent}`);
  });

  it("refuses a deposit too small for the most the transaction can cost, and a stale rate", () => {
    const { chain, token, paymaster, users } = tokenSetup();
    const user = users[0];
    const big = signed(chain, user, [transferCall(token, account(3), 1n)], {
      paymaster: via(paymaster),
      gasLimit: 30_000_000n,
    });
    const refused = chain.runOne(big);
    assert.equal(refused.status, "invalid");
    assert.match(refused.invalidReason ?? "", /paymaster refused to pay/);
    chain.advance(601n);
    const stale = chain.runOne(
      signed(chain, user, [transferCall(token, account(3), 1n)], {
        paymaster: via(paymaster),
        gasLimit: SPONSORED_GAS,
      }),
    );
    assert.equal(stale.status, "invalid");
    assert.match(stale.invalidReason ?? "", /paymaster's authorisation expired/);
    assert.equal(stale.invalidCode, "PAYMASTER_EXPIRED");
  });

  it("withdrawals return the deposit; the owner collects the earnings", () => {
    const { chain, token, paymaster, users } = tokenSetup();
    const user = users[0];
    chain.runOne(
      signed(chain, user, [transferCall(token, account(3), 1n)], {
        paymaster: via(paymaster),
        gasLimit: SPONSORED_GAS,
      }),
    );
    const left = paymaster.view("depositOf", [user.address]) as bigint;
    const tokens = token.view("balanceOf", [user.address]) as bigint;
    const out = chain.runOne(signed(chain, user, [callOf(paymaster, "withdrawDeposit", [left])]));
    assert.equal(out.status, "success");
    assert.equal(token.view("balanceOf", [user.address]), tokens + left);
    const earned = paymaster.view("earnings") as bigint;
    const ownerTokens = token.view("balanceOf", [account(4)]) as bigint;
    assert.equal(paymaster.send(account(1), "withdrawEarnings", [account(4)]).receipt.status, "success");
    assert.equal(token.view("balanceOf", [account(4)]), ownerTokens + earned);
    const thief = paymaster.send(account(2), "withdrawEarnings", [account(2)]);
    assert.equal(thief.error?.name, "NotOwner");
  });

  it("a block of paymaster transactions from two accounts: the parallel engine matches sequential", async () => {
    const { chain, token, paymaster, users } = tokenSetup();
    const txs: Transaction[] = [];
    for (let i = 0; i < 8; i++) {
      const user = users[i % 2] as User;
      const sequence = nonceOf(chain, user.address) + BigInt(i >> 1);
      const amount = i === 5 ? 10n ** 15n : 3n; // one reverts
      txs.push(
        signed(chain, user, [transferCall(token, account(3), amount)], {
          sequence,
          paymaster: via(paymaster),
          gasLimit: SPONSORED_GAS,
        }),
      );
    }
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "success", "success", "success", "revert", "success", "success"],
      );
    } finally {
      await engine.close();
    }
  });
});
