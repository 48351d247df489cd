/**
 * The vote token: ERC-20 reverts and events; votes count only once delegated, move with
 * every transfer, mint, burn and re-delegation, and keep one checkpoint per block;
 * past lookups refuse the current block; a block of transfers and delegations runs in
 * parallel (1 and 2 workers) identical to sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const [owner, alice, bob, carol] = [account(1), account(2), account(3), account(4)];

function setup(supply = 1000n) {
  const chain = new TestChain(30, { height: 10n });
  const token = chain.deploy("votesToken", ["Weft Governance", "WGOV", 18, supply, owner]);
  const next = () => chain.setBlock({ height: chain.block.height + 1n, time: chain.block.time + 12n });
  return { chain, token, next };
}

describe("votesToken", () => {
  it("is an ERC-20: every revert and event", () => {
    const { token } = setup();
    assert.equal(token.view("name"), "Weft Governance");
    assert.equal(token.view("symbol"), "WGOV");
    assert.equal(token.view("decimals"), 18n);
    assert.equal(token.view("totalSupply"), 1000n);
    assert.equal(token.view("owner"), owner);
    const sent = token.send(owner, "transfer", [alice, 300n]);
    assert.deepEqual(token.events(sent.receipt), [
      { name: "Transfer", args: { from: owner, to: alice, amount: 300n } },
    ]);
    assert.deepEqual(token.send(alice, "transfer", [bob, 301n]).error, {
      name: "InsufficientBalance",
      args: { account: alice, balance: 300n, needed: 301n },
    });
    assert.deepEqual(token.send(alice, "transfer", [ZERO, 1n]).error, { name: "ZeroAddress", args: {} });
    assert.equal(token.send(alice, "approve", [ZERO, 1n]).error?.name, "ZeroAddress");
    const approved = token.send(alice, "approve", [bob, 100n]);
    assert.deepEqual(token.events(approved.receipt), [
      { name: "Approval", args: { owner: alice, spender: bob, amount: 100n } },
    ]);
    assert.deepEqual(token.send(bob, "transferFrom", [alice, carol, 101n]).error, {
      name: "InsufficientAllowance",
      args: { owner: alice, spender: bob, allowance: 100n, needed: 101n },
    });
    assert.equal(token.send(bob, "transferFrom", [alice, ZERO, 1n]).error?.name, "ZeroAddress");
    assert.equal(token.send(bob, "transferFrom", [alice, carol, 60n]).receipt.status, "success");
    assert.equal(token.view("allowance", [alice, bob]), 40n);
    assert.equal(token.view("balanceOf", [carol]), 60n);
    for (const [method, args] of [
      ["mint", [alice, 1n]],
      ["burn", [alice, 1n]],
      ["transferOwnership", [alice]],
    ] as const) {
      assert.deepEqual(token.send(alice, method, [...args]).error, {
        name: "NotOwner",
        args: { caller: alice },
      });
    }
    assert.equal(token.send(owner, "mint", [ZERO, 1n]).error?.name, "ZeroAddress");
    assert.equal(token.send(owner, "burn", [ZERO, 1n]).error?.name, "ZeroAddress");
    assert.equal(token.send(owner, "transferOwnership", [ZERO]).error?.name, "ZeroAddress");
    assert.equal(token.send(owner, "burn", [carol, 61n]).error?.name, "InsufficientBalance");
    const burnt = token.send(owner, "burn", [carol, 10n]);
    assert.deepEqual(token.events(burnt.receipt), [
      { name: "Transfer", args: { from: carol, to: ZERO, amount: 10n } },
    ]);
    assert.equal(token.view("totalSupply"), 990n);
    assert.equal(token.send(owner, "mint", [ZERO, (1n << 128n) - 1n]).error?.name, "ZeroAddress");
    assert.equal(
      token.send(owner, "mint", [bob, (1n << 128n) - 1n]).receipt.status,
      "revert",
      "supply overflow",
    );
    const handed = token.send(owner, "transferOwnership", [bob]);
    assert.deepEqual(token.events(handed.receipt), [
      { name: "OwnershipTransferred", args: { previous: owner, next: bob } },
    ]);
    assert.equal(token.view("owner"), bob);
  });

  it("counts votes only once delegated, and moves them with transfers and re-delegation", () => {
    const { token, next } = setup();
    token.send(owner, "transfer", [alice, 400n]);
    assert.equal(token.view("getVotes", [alice]), 0n, "undelegated tokens do not vote");
    assert.equal(token.view("delegates", [alice]), ZERO);
    const self = token.send(alice, "delegate", [alice]);
    assert.deepEqual(token.events(self.receipt), [
      { name: "DelegateChanged", args: { delegator: alice, fromDelegate: ZERO, toDelegate: alice } },
      { name: "DelegateVotesChanged", args: { delegate: alice, previousVotes: 0n, newVotes: 400n } },
    ]);
    next();
    // bob delegates to carol; a transfer from alice to bob moves votes from alice to carol.
    token.send(bob, "delegate", [carol]);
    const moved = token.send(alice, "transfer", [bob, 150n]);
    assert.deepEqual(token.events(moved.receipt), [
      { name: "Transfer", args: { from: alice, to: bob, amount: 150n } },
      { name: "DelegateVotesChanged", args: { delegate: alice, previousVotes: 400n, newVotes: 250n } },
      { name: "DelegateVotesChanged", args: { delegate: carol, previousVotes: 0n, newVotes: 150n } },
    ]);
    assert.equal(token.view("getVotes", [bob]), 0n);
    assert.equal(token.view("getVotes", [carol]), 150n);
    // A self-transfer moves nothing.
    const same = token.send(alice, "transfer", [alice, 10n]);
    assert.deepEqual(
      token.events(same.receipt).map((e) => e.name),
      ["Transfer"],
    );
    next();
    // alice re-delegates to carol: all 250 move; then undelegates: they vote for nobody.
    const re = token.send(alice, "delegate", [carol]);
    assert.deepEqual(token.events(re.receipt), [
      { name: "DelegateChanged", args: { delegator: alice, fromDelegate: alice, toDelegate: carol } },
      { name: "DelegateVotesChanged", args: { delegate: alice, previousVotes: 250n, newVotes: 0n } },
      { name: "DelegateVotesChanged", args: { delegate: carol, previousVotes: 150n, newVotes: 400n } },
    ]);
    next();
    token.send(alice, "delegate", [ZERO]);
    assert.equal(token.view("getVotes", [carol]), 150n);
    // Mint and burn move the delegate's votes and the supply's checkpoints.
    token.send(owner, "mint", [bob, 50n]);
    assert.equal(token.view("getVotes", [carol]), 200n);
    next();
    token.send(owner, "burn", [bob, 20n]);
    assert.equal(token.view("getVotes", [carol]), 180n);
    const h = token.chain.block.height;
    next();
    assert.equal(token.view("getPastVotes", [alice, 10n]), 400n);
    assert.equal(token.view("getPastVotes", [alice, 11n]), 250n);
    assert.equal(token.view("getPastVotes", [alice, 12n]), 0n);
    assert.equal(token.view("getPastVotes", [carol, 11n]), 150n);
    assert.equal(token.view("getPastVotes", [carol, 12n]), 400n);
    assert.equal(token.view("getPastVotes", [carol, 13n]), 200n);
    assert.equal(token.view("getPastVotes", [carol, h]), 180n);
    assert.equal(token.view("getPastVotes", [carol, 9n]), 0n);
    assert.equal(token.view("getPastTotalSupply", [9n]), 0n);
    assert.equal(token.view("getPastTotalSupply", [10n]), 1000n);
    assert.equal(token.view("getPastTotalSupply", [13n]), 1050n);
    assert.equal(token.view("getPastTotalSupply", [h]), 1030n);
  });

  it("keeps one checkpoint per block and refuses lookups of the current block", () => {
    const { token, chain, next } = setup();
    token.send(owner, "delegate", [owner]);
    token.send(owner, "transfer", [alice, 1n]);
    token.send(owner, "transfer", [alice, 1n]);
    assert.equal(token.view("numCheckpoints", [owner]), 1n, "three changes in one block: one checkpoint");
    assert.deepEqual(token.view("checkpoints", [owner, 0]), [10n, 998n]);
    assert.deepEqual(token.send(owner, "checkpoints", [owner, 1]).error, {
      name: "CheckpointOutOfRange",
      args: { account: owner, pos: 1n, count: 1n },
    });
    assert.deepEqual(token.send(owner, "getPastVotes", [owner, 10n]).error, {
      name: "FutureLookup",
      args: { timepoint: 10n, clock: 10n },
    });
    assert.equal(token.send(owner, "getPastTotalSupply", [11n]).error?.name, "FutureLookup");
    assert.equal(token.view("clock"), 10n);
    assert.equal(token.view("CLOCK_MODE"), "mode=blocknumber&from=default");
    next();
    token.send(owner, "transfer", [alice, 1n]);
    assert.equal(token.view("numCheckpoints", [owner]), 2n);
    assert.deepEqual(token.view("checkpoints", [owner, 1]), [11n, 997n]);
    assert.equal(token.view("getPastVotes", [owner, 10n]), 998n);
    assert.equal(chain.block.height, 11n);
  });

  it("a lookup's gas grows with the log of a hostile history, not its length", () => {
    const { token, chain, next } = setup();
    token.send(alice, "delegate", [alice]);
    token.send(owner, "transfer", [alice, 1n]);
    const gasAt = () => token.send(bob, "getPastVotes", [alice, 10n]).receipt.gasUsed;
    next();
    const small = gasAt();
    // Anyone can add a checkpoint to alice per block by sending her dust: 128 blocks of it.
    for (let i = 0; i < 128; i++) {
      next();
      chain.runOne(token.tx(owner, "transfer", [alice, 1n]));
    }
    next();
    assert.equal(token.view("numCheckpoints", [alice]), 129n);
    const large = gasAt();
    assert.equal(token.view("getPastVotes", [alice, 10n]), 1n);
    // log2(129) ≈ 7-8 more first reads of an 8-byte key (7,160 gas each with COLD_KEY):
    // far below 128 reads (~917k).
    assert.ok(large - small < 80_000, `lookup gas grew from ${small} to ${large}`);
  });

  for (const workers of [1, 2]) {
    it(`a block of transfers and delegations runs in parallel (${workers} worker${workers > 1 ? "s" : ""}) identical to sequential`, async () => {
      const { chain, token, next } = setup(10_000n);
      const holders = Array.from({ length: 12 }, (_, i) => account(10 + i));
      for (const h of holders) chain.runOne(token.tx(owner, "transfer", [h, 500n]));
      next();
      const txs = holders.flatMap((h, i) => [
        token.tx(h, "delegate", [holders[(i * 5) % holders.length] as Address]),
        token.tx(h, "transfer", [holders[(i + 1) % holders.length] as Address, BigInt(10 + i)]),
        token.tx(h, "transfer", [alice, 600n]), // more than is left: InsufficientBalance
      ]);
      txs.push(token.tx(owner, "mint", [holders[0] as Address, 7n]));
      const engine = await chainEngine(workers);
      try {
        const result = await assertSameAsSequential(
          engine,
          await attachChain(engine, chain),
          chain.block,
          txs,
        );
        assert.equal(result.receipts.filter((r) => r.status === "revert").length, holders.length);
      } finally {
        await engine.close();
      }
    });
  }
});
