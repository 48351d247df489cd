/**
 * The development genesis's token sale, vesting and airdrop (src/node/genesis/saleGenesis.ts):
 * deployed and seeded as documented (the sale open at genesis with its supply, caps, price
 * and buyers' vesting; account 0's team schedule; the airdrop funded with the total of the
 * SDK's genesis list, its root that list's), then lived through on the genesis state: buys
 * up to and past each cap, finalization, a claim into a vesting schedule and its release
 * from the cliff, the team schedule, airdrop claims for a development and an Ethereum
 * account with the progress counters, and every double claim refused. A block of buys,
 * claims and releases runs in parallel identical to sequential. No development account's
 * address moves.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { buildGenesis, devAccountAddress, GENESIS_DEPLOYER } from "../../../src/node/genesis/genesis.js";
import { SALE_GENESIS } from "../../../src/node/genesis/saleGenesis.js";
import { GENESIS_AIRDROP, genesisAirdrop } from "../../../src/sdk/client/airdrops.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const TIME = 1_700_000_000;

function world(accounts = 3) {
  const { writes, info } = buildGenesis({
    chainId: 1337n,
    time: TIME,
    accounts,
    feeRecipient: account(0xfee),
  });
  const chain = new TestChain(5, { time: BigInt(TIME) + 10n });
  chain.state.apply(writes);
  const c = info.contracts as Record<string, Address>;
  const at = (name: string, artifact: string) =>
    new Contract(chain, c[name] as Address, loadArtifact(artifact).metadata);
  const time = (t: bigint) => chain.setBlock({ time: t, height: chain.block.height + 1n });
  return {
    info,
    chain,
    time,
    sale: at("sale", "sale"),
    token: at("saleToken", "token"),
    wusd: at("wusd", "token"),
    vesting: at("vesting", "vesting"),
    drop: at("airdrop", "merkleDistributor"),
    devs: info.accounts.map((a) => a.address),
    eths: (info.ethAccounts ?? []).map((a) => a.address),
  };
}

describe("dev genesis: token sale, vesting and airdrop", () => {
  it("deploys the sale open with its supply, the team schedule and the funded airdrop", () => {
    const { info, sale, token, vesting, drop, devs } = world();
    const g = SALE_GENESIS;
    for (const [i, a] of info.accounts.entries()) assert.equal(a.address, devAccountAddress(i));
    const start = BigInt(TIME);
    assert.equal(token.view("symbol"), "WLAUNCH");
    assert.equal(sale.view("token"), token.address);
    assert.equal(sale.view("payToken"), info.contracts.wusd);
    assert.equal(sale.view("recipient"), GENESIS_DEPLOYER);
    assert.equal(sale.view("funded"), true);
    assert.equal(token.view("balanceOf", [sale.address]), g.saleSupply);
    assert.deepEqual(
      [sale.view("startTime"), sale.view("endTime"), sale.view("price"), sale.view("startPrice")],
      [start, start + 86_400n, E18 / 10n, E18 / 10n],
    );
    assert.deepEqual(
      [sale.view("softCap"), sale.view("hardCap"), sale.view("buyerCap")],
      [10_000n * E18, 100_000n * E18, 25_000n * E18],
    );
    assert.deepEqual([sale.view("raised"), sale.view("sold"), sale.view("buyerCount")], [0n, 0n, 0n]);
    assert.equal(sale.view("vesting"), vesting.address);
    assert.deepEqual([sale.view("vestingCliff"), sale.view("vestingDuration")], [900n, 3_600n]);
    assert.deepEqual(sale.view("allowlistRoot"), new Uint8Array(32));
    // The team schedule: id 0, account 0's, 1,000,000 WLAUNCH from genesis, a 1 h cliff over 30 days.
    assert.equal(vesting.view("scheduleCountOf", [devs[0]]), 1n);
    assert.deepEqual(vesting.view("scheduleIdsOf", [devs[0], 0n, 10n]), [0n]);
    assert.deepEqual(
      [vesting.view("amountOf", [0n]), vesting.view("startOf", [0n]), vesting.view("cliffOf", [0n])],
      [1_000_000n * E18, start, 3_600n],
    );
    assert.equal(vesting.view("durationOf", [0n]), 30n * 86_400n);
    assert.equal(vesting.view("beneficiaryOf", [0n]), devs[0]);
    // The airdrop: the SDK's genesis list, 1,000 a dev account and 500 an Ethereum account.
    const tree = genesisAirdrop(info);
    assert.equal(`0x${Buffer.from(drop.view("merkleRoot") as Uint8Array).toString("hex")}`, tree.merkleRoot);
    assert.equal(tree.tokenTotal, String(3n * GENESIS_AIRDROP.devAmount + 10n * GENESIS_AIRDROP.ethAmount));
    assert.equal(token.view("balanceOf", [drop.address]), BigInt(tree.tokenTotal));
    assert.deepEqual(
      [drop.view("claimedCount"), drop.view("claimedAmount"), drop.view("endTime")],
      [0n, 0n, 0n],
    );
    // Development accounts keep their balances: nobody bought at genesis.
    for (const d of devs) assert.equal(token.view("balanceOf", [d]), 0n);
  });

  it("sells up to each cap, settles, vests the buyers' tokens and pays each claim once", () => {
    const { chain, time, sale, token, wusd, vesting, devs } = world();
    const [dev0, dev1, dev2] = devs as [Address, Address, Address];
    const start = BigInt(TIME);
    for (const d of [dev1, dev2]) wusd.send(d, "approve", [sale.address, MAX]);
    const buy = (who: Address, tokens: bigint) => sale.send(who, "buy", [tokens * E18, MAX, []]);
    // 50,000 WLAUNCH for 5,000 WUSD; then past the 25,000 WUSD buyer cap.
    assert.equal(buy(dev1, 50_000n).value, 5_000n * E18);
    assert.deepEqual(buy(dev1, 200_001n).error, {
      name: "BuyerCapExceeded",
      args: { buyer: dev1, contributed: 5_000n * E18, cost: 20_000n * E18 + E18 / 10n, cap: 25_000n * E18 },
    });
    assert.equal(buy(dev2, 100_000n).value, 10_000n * E18);
    assert.equal(buy(dev2, 1n).value, E18 / 10n, "a second purchase by the same buyer");
    assert.equal(sale.view("buyerCount"), 2n, "counted once per buyer");
    assert.equal(sale.view("raised"), 15_000n * E18 + E18 / 10n);
    assert.deepEqual(sale.send(dev0, "finalize").error, {
      name: "StillOpen",
      args: { endTime: start + 86_400n },
    });
    assert.equal(sale.send(dev1, "claim").error?.name, "NotFinalized");
    // After the end: finalize (the soft cap is met), claim into a vesting schedule, once.
    time(start + 86_401n);
    assert.equal(buy(dev1, 1n).error?.name, "NotOpen");
    assert.equal(sale.send(dev0, "finalize").value, true);
    assert.equal(sale.view("finalizedAt"), start + 86_401n);
    const claimed = sale.send(dev1, "claim");
    assert.equal(claimed.value, 50_000n * E18);
    assert.deepEqual(sale.send(dev1, "claim").error, { name: "NothingOwed", args: { account: dev1 } });
    assert.deepEqual(sale.send(dev0, "claim").error, { name: "NothingOwed", args: { account: dev0 } });
    assert.equal(vesting.view("scheduleCountOf", [dev1]), 1n);
    const [id] = vesting.view("scheduleIdsOf", [dev1, 0n, 256n]) as [bigint];
    assert.equal(id, 1n, "after the team schedule");
    assert.equal(vesting.view("amountOf", [id]), 50_000n * E18);
    // Nothing before the cliff (15 minutes), a quarter at the 15-minute mark... all after an hour.
    time(start + 86_401n + 899n);
    assert.deepEqual(vesting.send(dev1, "release", [id]).error, { name: "NothingToRelease", args: { id } });
    time(start + 86_401n + 900n);
    assert.equal(vesting.send(dev1, "release", [id]).value, 12_500n * E18);
    assert.equal(vesting.send(dev2, "release", [id]).error?.name, "NothingToRelease", "released already");
    time(start + 86_401n + 3_600n);
    assert.equal(vesting.send(dev2, "release", [id]).value, 37_500n * E18, "anyone may send it");
    assert.equal(token.view("balanceOf", [dev1]), 50_000n * E18);
    // The team schedule: nothing before an hour past genesis; by now a day and 2 h of 30 days.
    const team = vesting.send(dev0, "release", [0n]).value as bigint;
    const elapsed = chain.block.time - start;
    assert.equal(team, (1_000_000n * E18 * elapsed) / (30n * 86_400n));
  });

  it("the team schedule vests nothing before its cliff", () => {
    const { time, vesting } = world();
    time(BigInt(TIME) + 3_599n);
    assert.deepEqual(vesting.send(account(1), "release", [0n]).error, {
      name: "NothingToRelease",
      args: { id: 0n },
    });
    time(BigInt(TIME) + 3_600n);
    assert.equal(
      vesting.send(account(1), "release", [0n]).value,
      (1_000_000n * E18 * 3_600n) / (30n * 86_400n),
    );
  });

  it("pays airdrop claims for development and Ethereum accounts once each, counting them", () => {
    const { info, token, drop, devs, eths } = world();
    const tree = genesisAirdrop(info);
    const claim = (who: Address, from: Address, amount?: bigint) => {
      const c = tree.claims[who.toLowerCase() as Address];
      assert.ok(c !== undefined, `${who} is in the airdrop`);
      return drop.send(from, "claim", [
        BigInt(c.index),
        who,
        amount ?? BigInt(c.amount),
        c.proof.map((p) => fromHex(p.slice(2))),
      ]);
    };
    const [dev0, dev1] = devs as [Address, Address];
    const eth0 = eths[0] as Address;
    assert.equal(claim(dev1, dev1).receipt.status, "success");
    assert.equal(
      claim(eth0, dev0).receipt.status,
      "success",
      "a smart account claims for an Ethereum account",
    );
    assert.equal(token.view("balanceOf", [dev1]), 1_000n * E18);
    assert.equal(token.view("balanceOf", [eth0]), 500n * E18);
    assert.equal(claim(dev1, dev0).error?.name, "AlreadyClaimed");
    assert.equal(claim(dev0, dev0, 2_000n * E18).error?.name, "InvalidProof", "more than its leaf");
    assert.deepEqual([drop.view("claimedCount"), drop.view("claimedAmount")], [2n, 1_500n * E18]);
  });

  it("a block of buys, airdrop claims and releases runs in parallel identical to sequential", async () => {
    const { info, chain, sale, wusd, drop, vesting, devs, eths } = world(6);
    const tree = genesisAirdrop(info);
    for (const d of devs) wusd.send(d, "approve", [sale.address, MAX]);
    chain.setBlock({ time: BigInt(TIME) + 3_700n, height: chain.block.height + 1n });
    const txs = [];
    for (const [i, d] of devs.entries()) {
      txs.push(sale.tx(d, "buy", [BigInt(1_000 * (i + 1)) * E18, MAX, []]));
      for (const who of [d, eths[i] as Address]) {
        const c = tree.claims[who.toLowerCase() as Address];
        if (c === undefined) continue;
        const args = [BigInt(c.index), who, BigInt(c.amount), c.proof.map((p) => fromHex(p.slice(2)))];
        txs.push(drop.tx(d, "claim", args));
        if (i % 2 === 0) txs.push(drop.tx(d, "claim", args)); // a double claim: reverts
      }
    }
    txs.push(vesting.tx(devs[1] as Address, "release", [0n]));
    txs.push(vesting.tx(devs[2] as Address, "release", [0n])); // released already in this block: reverts
    txs.push(sale.tx(devs[0] as Address, "buy", [300_000n * E18, MAX, []])); // past the buyer cap: reverts
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      const failed = result.receipts.filter((r) => r.status !== "success").length;
      assert.equal(failed, 6 + 1 + 1, "the double claims, the second release and the capped buy");
    } finally {
      await engine.close();
    }
  });
});
