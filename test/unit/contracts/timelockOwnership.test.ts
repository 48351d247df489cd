/**
 * Every protocol parameter of the dev genesis is the timelock's: each contract with an
 * owner's setter (lending, staking, oracle, both paymasters, the farm) has two-step
 * ownership (`contracts/sdk/ownable.ts`) that the timelock accepted, WGOV's minting is the
 * timelock's, and everyone else, the genesis deployer included, is refused with
 * `NotOwner(caller)`. A proposal lowers WETH's collateral factor end to end, each block in
 * parallel (1 and 2 workers) identical to sequential, and a borrow the old factor allowed
 * is refused in the block that executes it. Then the two-step hand-over and the new
 * setters' bounds on fresh contracts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { buildGenesis, GENESIS_DEPLOYER } from "../../../src/node/genesis/genesis.js";
import { GOVERNANCE_SETTINGS, TIMELOCK_OWNED } from "../../../src/node/genesis/governanceGenesis.js";
import { encodeAction, proposalId, proposalOf } from "../../../src/sdk/client/governance.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { actionArgs, proposeArgs } from "../../helpers/governance.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const TIME = 1_700_000_000;
const E18 = 10n ** 18n;
const ZERO = "0x0000000000000000000000000000000000000000";

function genesisChain() {
  const { writes, info } = buildGenesis({
    chainId: 1337n,
    time: TIME,
    accounts: 6,
    feeRecipient: FEE_RECIPIENT,
  });
  const chain = new TestChain(1, { height: 1n, time: BigInt(TIME + 12) });
  chain.state.apply(writes);
  const at = (name: string, artifact: string) =>
    new Contract(chain, info.contracts[name] as Address, loadArtifact(artifact).metadata);
  return { chain, info, accounts: info.accounts.map((a) => a.address), at };
}

/** Each owner's method of the timelock-owned contracts, with arguments that would pass its own checks. */
function ownerCalls(c: Record<string, Address>): Array<[name: string, method: string, args: unknown[]]> {
  const someone = account(7);
  return [
    ["lending", "listMarket", [someone, 0n, 0n, 0n, 0n, 0n, 0n]],
    ["lending", "setCollateralFactor", [c.weth, E18 / 2n]],
    ["lending", "setReserveFactor", [c.weth, E18 / 5n]],
    ["lending", "setRateModel", [c.weth, 0n, 0n, 0n, E18]],
    ["lending", "setFlashFee", [25n]],
    ["lending", "transferOwnership", [someone]],
    ["staking", "setUnbondingPeriod", [60n]],
    ["staking", "setSlashFractions", [0n, 0n]],
    ["staking", "slash", [someone, 0n]],
    ["staking", "transferOwnership", [someone]],
    ["oracle", "setPoster", [someone, true]],
    ["oracle", "transferOwnership", [someone]],
    ["sponsorPaymaster", "setSponsored", [someone, true]],
    ["sponsorPaymaster", "setMaxCost", [1n]],
    ["sponsorPaymaster", "setSenderLimit", [1, 1n, 60n]],
    ["sponsorPaymaster", "withdraw", [someone, 1n]],
    ["sponsorPaymaster", "transferOwnership", [someone]],
    ["tokenPaymaster", "setMarkup", [0]],
    ["tokenPaymaster", "setMaxRateAge", [60n]],
    ["tokenPaymaster", "withdrawEarnings", [someone]],
    ["tokenPaymaster", "withdrawCoin", [someone, 1n]],
    ["tokenPaymaster", "transferOwnership", [someone]],
    ["farm", "addPool", [someone, 1]],
    ["farm", "setAllocPoint", [0, 1]],
    ["farm", "setRewardRate", [1n]],
    ["farm", "fund", [1n]],
    ["farm", "transferOwnership", [someone]],
  ];
}

describe("the timelock owns every protocol parameter of the dev genesis", () => {
  it("each owned contract's owner is the timelock, and anyone else is refused with NotOwner(caller)", () => {
    const { info, at, accounts } = genesisChain();
    const timelock = info.contracts.timelock as Address;
    for (const [name, artifact] of TIMELOCK_OWNED) {
      const c = at(name, artifact);
      assert.equal(c.view("owner"), timelock, name);
      assert.equal(c.view("pendingOwner"), ZERO, name);
    }
    assert.equal(at("govToken", "votesToken").view("owner"), timelock);
    assert.equal(at("factory", "factory").view("feeToSetter"), timelock);
    const artifactOf = new Map(TIMELOCK_OWNED);
    const calls = ownerCalls(info.contracts);
    // Every owner's method of these contracts is in the list above.
    for (const [name] of TIMELOCK_OWNED)
      assert.ok(
        calls.some(([n]) => n === name),
        `${name} has owner calls listed`,
      );
    for (const who of [accounts[1] as Address, GENESIS_DEPLOYER]) {
      for (const [name, method, args] of calls) {
        const out = at(name, artifactOf.get(name) as string).send(who, method, args);
        assert.deepEqual(out.error, { name: "NotOwner", args: { caller: who } }, `${name}.${method}`);
      }
      assert.deepEqual(at("govToken", "votesToken").send(who, "mint", [who, 1n]).error, {
        name: "NotOwner",
        args: { caller: who },
      });
      assert.deepEqual(at("oracle", "oracle").send(who, "setPrice", [info.contracts.weth, 1n]).error, {
        name: "NotPoster",
        args: { caller: who },
      });
    }
  });

  for (const workers of [1, 2]) {
    it(`a proposal lowers WETH's collateral factor: every block in parallel (${workers} worker${workers > 1 ? "s" : ""}) = sequential`, async () => {
      const { chain, at, accounts, info } = genesisChain();
      const gov = at("governor", "governor");
      const lending = at("lending", "lending");
      const weth = info.contracts.weth as Address;
      const wusd = info.contracts.wusd as Address;
      const [a0, a1, a2, a3, a4] = accounts as Address[];
      const p = proposalOf(
        [encodeAction(lending.meta, lending.address, "setCollateralFactor", [weth, E18 / 2n])],
        "WETH's collateral factor to 50%",
      );
      const id = proposalId(p);
      const engine = await chainEngine(workers);
      const block = async (txs: Transaction[]) => {
        const result = await assertSameAsSequential(
          engine,
          await attachChain(engine, chain),
          chain.block,
          txs,
        );
        chain.state.apply(result.writeSet);
        chain.setBlock({ height: chain.block.height + 1n, time: chain.block.time + 12n });
        return result.receipts;
      };
      try {
        // a4 supplies 10 WETH (worth 20,000 WUSD, 15,000 of borrowing power at 75%).
        const setup = await block([
          at("weth", "token").tx(a4 as Address, "approve", [lending.address, 10n ** 30n]),
          lending.tx(a4 as Address, "supply", [weth, 10n * E18]),
          lending.tx(a4 as Address, "borrow", [wusd, 8_000n * E18]),
        ]);
        assert.deepEqual(
          setup.map((r) => r.status),
          ["success", "success", "success"],
        );
        const [proposed] = await block([gov.tx(a0 as Address, "propose", proposeArgs(p))]);
        assert.equal(proposed?.status, "success");
        await block([]);
        const votes = await block([
          gov.tx(a1 as Address, "castVote", [id, 1]),
          gov.tx(a2 as Address, "castVote", [id, 1]),
          gov.tx(a3 as Address, "castVote", [id, 0]),
        ]);
        assert.deepEqual(
          votes.map((r) => r.status),
          ["success", "success", "success"],
        );
        chain.setBlock({ height: chain.block.height + GOVERNANCE_SETTINGS.votingPeriod });
        const [queued] = await block([gov.tx(a0 as Address, "queue", actionArgs(p))]);
        assert.equal(queued?.status, "success");
        chain.setBlock({ time: gov.view("proposalEta", [id]) as bigint });
        // At 75% a debt of 9,500 fits (power 15,000); at 50% the power is 10,000, so after the
        // execution the next 1,000 (a debt of 10,500) is refused.
        const borrow = (amount: bigint) => lending.tx(a4 as Address, "borrow", [wusd, amount * E18]);
        const done = await block([
          borrow(1_500n),
          gov.tx(a1 as Address, "execute", actionArgs(p)),
          borrow(1_000n),
        ]);
        assert.deepEqual(
          done.map((r) => r.status),
          ["success", "success", "revert"],
        );
        assert.equal(lending.outcome("borrow", done[2] as never).error?.name, "InsufficientCollateral");
        const executed = done[1] as Receipt;
        const changed = lending
          .events({ ...executed, events: executed.events.filter((e) => e.address === lending.address) })
          .find((e) => e.name === "CollateralFactorChanged");
        assert.deepEqual(changed?.args, { asset: weth, previous: (75n * E18) / 100n, next: E18 / 2n });
        assert.equal((lending.view("marketParameters", [weth]) as bigint[])[0], E18 / 2n);
        assert.equal(gov.view("state", [id]), 7n);
      } finally {
        await engine.close();
      }
    });
  }
});

describe("two-step ownership and the new setters' bounds", () => {
  const [owner, bob, carol] = [account(1), account(2), account(3)];

  it("the owner offers, only the named account accepts, and zero withdraws the offer", () => {
    const chain = new TestChain(5);
    const oracle = chain.deploy("oracle", [60n], owner);
    assert.deepEqual(oracle.send(bob, "transferOwnership", [bob]).error, {
      name: "NotOwner",
      args: { caller: bob },
    });
    const offered = oracle.send(owner, "transferOwnership", [bob]);
    assert.deepEqual(oracle.events(offered.receipt), [
      { name: "OwnershipTransferStarted", args: { previous: owner, next: bob } },
    ]);
    assert.equal(oracle.view("owner"), owner, "the owner stays until the offer is accepted");
    assert.equal(oracle.view("pendingOwner"), bob);
    assert.deepEqual(oracle.send(carol, "acceptOwnership").error, {
      name: "NotPendingOwner",
      args: { caller: carol },
    });
    assert.equal(oracle.send(owner, "transferOwnership", [ZERO]).receipt.status, "success");
    assert.equal(
      oracle.send(bob, "acceptOwnership").error?.name,
      "NotPendingOwner",
      "the offer was withdrawn",
    );
    oracle.send(owner, "transferOwnership", [bob]);
    const accepted = oracle.send(bob, "acceptOwnership");
    assert.deepEqual(oracle.events(accepted.receipt), [
      { name: "OwnershipTransferred", args: { previous: owner, next: bob } },
    ]);
    assert.equal(oracle.view("owner"), bob);
    assert.equal(oracle.view("pendingOwner"), ZERO);
    assert.equal(oracle.send(owner, "setPoster", [carol, true]).error?.name, "NotOwner");
    assert.equal(oracle.send(bob, "setPoster", [carol, true]).receipt.status, "success");
    assert.equal(oracle.view("isPoster", [carol]), true);
    assert.equal(oracle.send(carol, "setPrice", [bob, 7n]).receipt.status, "success");
    assert.equal(oracle.view("getPrice", [bob]), 7n);
    assert.equal(oracle.send(bob, "setPoster", [carol, false]).receipt.status, "success");
    assert.equal(oracle.send(carol, "setPrice", [bob, 8n]).error?.name, "NotPoster");
  });

  it("the lending setters check their bounds, and a new rate model applies from now", () => {
    const chain = new TestChain(5);
    const oracle = chain.deploy("oracle", [3_600n], owner);
    const usd = chain.deploy("token", ["USD", "USD", 18, 10n ** 30n, owner], owner);
    const lending = chain.deploy("lending", [oracle.address], owner);
    oracle.send(owner, "setPrice", [usd.address, E18]);
    const model = [10n ** 9n, 5n * 10n ** 9n, 10n ** 11n, (8n * E18) / 10n];
    assert.equal(
      lending.send(owner, "listMarket", [usd.address, E18 / 2n, E18 / 10n, ...model]).error,
      undefined,
    );
    const bad = (method: string, args: unknown[]) => lending.send(owner, method, args).error;
    assert.deepEqual(bad("setCollateralFactor", [usd.address, E18]), {
      name: "InvalidParameter",
      args: { name: "collateralFactor", value: E18 },
    });
    assert.equal(bad("setCollateralFactor", [bob, 1n])?.name, "MarketNotListed");
    assert.equal(bad("setReserveFactor", [usd.address, E18 + 1n])?.name, "InvalidParameter");
    const tooHigh = 10n ** 12n + 1n;
    for (const [i, name] of ["baseRate", "multiplier", "jumpMultiplier"].entries()) {
      const m = [...model];
      m[i] = tooHigh;
      assert.deepEqual(bad("setRateModel", [usd.address, ...m]), {
        name: "InvalidParameter",
        args: { name, value: tooHigh },
      });
      assert.equal(bad("listMarket", [carol, 0n, 0n, ...m])?.name, "InvalidParameter", `listMarket ${name}`);
    }
    assert.equal(bad("setRateModel", [usd.address, 0n, 0n, 0n, E18 + 1n])?.name, "InvalidParameter");
    // Borrowed cash accrues under the old model up to the change.
    usd.send(owner, "approve", [lending.address, 10n ** 30n]);
    lending.send(owner, "supply", [usd.address, 1_000n * E18]);
    lending.send(owner, "borrow", [usd.address, 100n * E18]);
    chain.advance(3_600n);
    const changed = lending.send(owner, "setRateModel", [usd.address, 0n, 0n, 0n, E18]);
    assert.deepEqual(
      lending.events(changed.receipt).map((e) => e.name),
      ["AccrueInterest", "RateModelChanged"],
    );
    assert.deepEqual(lending.view("marketParameters", [usd.address]), [E18 / 2n, E18 / 10n, 0n, 0n, 0n, E18]);
    chain.advance(3_600n);
    assert.equal(
      lending.send(owner, "accrueInterest", [usd.address]).receipt.events.length,
      0,
      "no interest at rate 0",
    );
  });

  it("staking and the token paymaster check their settings", () => {
    const chain = new TestChain(5);
    const staking = chain.deploy("staking", [3_600n, E18 / 20n, E18 / 1000n], owner);
    assert.equal(staking.view("owner"), owner);
    const year = 365n * 24n * 3600n;
    assert.deepEqual(staking.send(owner, "setUnbondingPeriod", [year + 1n]).error, {
      name: "InvalidUnbondingPeriod",
      args: { seconds: year + 1n, max: year },
    });
    const set = staking.send(owner, "setUnbondingPeriod", [year]);
    assert.deepEqual(staking.events(set.receipt), [
      { name: "UnbondingPeriodChanged", args: { previous: 3_600n, next: year } },
    ]);
    assert.equal(staking.view("unbondingPeriod"), year);
    assert.equal(staking.send(owner, "setSlashFractions", [E18 + 1n, 0n]).error?.name, "InvalidFraction");
    assert.equal(staking.send(owner, "setSlashFractions", [E18 / 10n, E18 / 100n]).receipt.status, "success");
    assert.deepEqual(staking.view("slashFractions"), [E18 / 10n, E18 / 100n]);

    const paymaster = chain.deploy("tokenPaymaster", [account(4), account(4), 100, 3_600n], owner);
    assert.deepEqual(paymaster.send(owner, "setMarkup", [10_001]).error, {
      name: "InvalidParameter",
      args: { name: "markupBps", value: 10_001n },
    });
    assert.equal(paymaster.send(owner, "setMaxRateAge", [0n]).error?.name, "InvalidParameter");
    assert.equal(paymaster.send(owner, "setMarkup", [250]).receipt.status, "success");
    assert.equal(paymaster.send(owner, "setMaxRateAge", [60n]).receipt.status, "success");
    assert.equal(paymaster.view("markup"), 250n);
    assert.equal(paymaster.view("maxRateAge"), 60n);
  });
});
