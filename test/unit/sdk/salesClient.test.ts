/**
 * The SDK's sale, vesting and airdrop helpers (src/sdk/client/sales.ts, vesting.ts,
 * airdrops.ts) against a node in dev mode with the development genesis: the sale's progress
 * read back after a purchase, the helpers' typed refusals before anything is sent, the end
 * reached with dev time controls, settling (finalize and claim in one transaction) into a
 * vesting schedule, its release from the cliff, the genesis airdrop claimed for a
 * development and an Ethereum account, and every double claim reverted by the contract.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { merkleDistributorMetadata } from "../../../src/bindings/merkleDistributor.gen.js";
import { saleMetadata } from "../../../src/bindings/sale.gen.js";
import { vestingMetadata } from "../../../src/bindings/vesting.gen.js";
import type { Address } from "../../../src/codec/address.js";
import {
  AirdropError,
  airdropClaimCalls,
  airdropClaimOf,
  createClient,
  devActions,
  ed25519Account,
  GENESIS_AIRDROP,
  genesisAirdrop,
  getAirdrop,
  getGenesisContracts,
  getSale,
  getSaleBuyer,
  getVestingSchedules,
  http,
  isAirdropClaimed,
  nextVestingTime,
  SaleError,
  saleBuyCalls,
  saleSettleCalls,
  vestingReleaseCalls,
  type WeftClient,
} from "../../../src/sdk/client/index.js";
import { devSigner } from "../../../src/sdk/devKeys.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const E18 = 10n ** 18n;

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return "none";
};

describe("SDK: token sale, vesting and airdrop on a dev node", () => {
  let node: TestNode;
  let client: WeftClient;

  before(async () => {
    node = await startTestNode((config) => {
      config.devAccounts = 3;
    });
    client = createClient({ transport: http(node.url) });
    // Reverts are decoded by the contracts' errors (sale, vesting, distributor).
    client.registerMetadata(saleMetadata, vestingMetadata, merkleDistributorMetadata);
  });
  after(async () => {
    await client.close();
    await node.close();
  });

  it("buys, settles into vesting, releases, and claims the airdrop", async () => {
    const genesis = await client.genesis();
    const contracts = await getGenesisContracts(client);
    const who = (i: number) => genesis.accounts[i]?.address as Address;
    const signer = (i: number) => ed25519Account(devSigner(i).secret, who(i));
    const dev = devActions(client);

    const open = await getSale(client, contracts.sale);
    assert.equal(open.phase, "open");
    assert.equal(open.token, contracts.saleToken);
    assert.equal(open.payToken, contracts.wusd);
    assert.equal(open.price, E18 / 10n);
    assert.deepEqual([open.raised, open.sold, open.buyers], [0n, 0n, 0n]);
    assert.ok(open.timeLeft > 86_000n && open.timeLeft <= 86_400n, `time left ${open.timeLeft}`);
    assert.deepEqual(open.vesting, { contract: contracts.vesting, cliff: 900n, duration: 3_600n });
    assert.equal(open.allowlistRoot, null);
    // Refusals before anything is sent.
    assert.equal(
      code(() => saleBuyCalls(open, 0n)),
      "BAD_AMOUNT",
    );
    assert.equal(
      code(() => saleBuyCalls(open, 1n << 128n)),
      "BAD_AMOUNT",
    );
    assert.throws(
      () => saleSettleCalls(open),
      (e: unknown) => e instanceof SaleError && e.code === "NOT_ENDED",
    );

    // dev1 buys 100,000 WLAUNCH (10,000 WUSD: the soft cap), approving the cost in the same transaction.
    const bought = await client.sendAndWait({
      account: signer(1),
      calls: saleBuyCalls(open, 100_000n * E18),
    });
    assert.equal(bought.status, "success");
    const after = await getSale(client, contracts.sale);
    assert.deepEqual([after.raised, after.sold, after.buyers], [10_000n * E18, 100_000n * E18, 1n]);
    assert.deepEqual(await getSaleBuyer(client, contracts.sale, who(1)), {
      paid: 10_000n * E18,
      bought: 100_000n * E18,
    });
    // Past the per-buyer cap: the contract refuses it.
    await assert.rejects(
      client.sendAndWait({ account: signer(1), calls: saleBuyCalls(after, 160_000n * E18) }),
      /BuyerCapExceeded/,
    );

    // To the end with dev time controls: finalize and claim in one transaction.
    await dev.increaseTime(86_400);
    await dev.mine(1);
    const ended = await getSale(client, contracts.sale);
    assert.equal(ended.phase, "ended");
    assert.equal(
      code(() => saleBuyCalls(ended, E18)),
      "NOT_OPEN",
    );
    const settle = saleSettleCalls(ended);
    assert.deepEqual([settle.kind, settle.finalizes, settle.calls.length], ["claim", true, 2]);
    assert.equal((await client.sendAndWait({ account: signer(1), calls: settle.calls })).status, "success");
    const settled = await getSale(client, contracts.sale);
    assert.equal(settled.phase, "succeeded");
    assert.ok(settled.finalizedAt > 0n);
    const again = saleSettleCalls(settled);
    assert.deepEqual([again.kind, again.finalizes], ["claim", false]);
    await assert.rejects(client.sendAndWait({ account: signer(1), calls: again.calls }), /NothingOwed/);

    // The vesting schedule: nothing before the 15-minute cliff, then released.
    const [schedule] = await getVestingSchedules(client, contracts.vesting, who(1));
    assert.ok(schedule !== undefined);
    assert.deepEqual([schedule.amount, schedule.releasable, schedule.cliff], [100_000n * E18, 0n, 900n]);
    assert.equal(nextVestingTime(schedule, settled.now), schedule.start + 900n);
    await assert.rejects(
      client.sendAndWait({
        account: signer(1),
        calls: vestingReleaseCalls(contracts.vesting, [schedule.id]),
      }),
      /NothingToRelease/,
    );
    await dev.increaseTime(1_000);
    await dev.mine(1);
    const released = await client.sendAndWait({
      account: signer(2),
      calls: vestingReleaseCalls(contracts.vesting, [schedule.id]),
    });
    assert.equal(released.status, "success");
    const [later] = await getVestingSchedules(client, contracts.vesting, who(1));
    assert.ok(later !== undefined && later.released > 25_000n * E18 && later.released < 100_000n * E18);
    assert.throws(() => vestingReleaseCalls(contracts.vesting, Array(33).fill(0n)), RangeError);

    // The genesis airdrop: dev2 claims for itself and for Ethereum account 0.
    const tree = genesisAirdrop(genesis);
    const eth0 = (ethDevKeys(1)[0] as { address: Address }).address;
    for (const account of [who(2), eth0])
      assert.equal(
        (
          await client.sendAndWait({
            account: signer(2),
            calls: airdropClaimCalls(contracts.airdrop, tree, account),
          })
        ).status,
        "success",
      );
    await assert.rejects(
      client.sendAndWait({ account: signer(0), calls: airdropClaimCalls(contracts.airdrop, tree, eth0) }),
      /AlreadyClaimed/,
    );
    const drop = await getAirdrop(client, contracts.airdrop);
    assert.equal(drop.merkleRoot, tree.merkleRoot);
    assert.deepEqual(
      [drop.claimedCount, drop.claimedAmount],
      [2n, GENESIS_AIRDROP.devAmount + GENESIS_AIRDROP.ethAmount],
    );
    assert.equal(drop.balance, BigInt(tree.tokenTotal) - drop.claimedAmount);
    assert.equal(await isAirdropClaimed(client, contracts.airdrop, tree, eth0), true);
    assert.equal(await isAirdropClaimed(client, contracts.airdrop, tree, who(0)), false);
    assert.throws(
      () => airdropClaimOf(tree, "0x00000000000000000000000000000000000000aa"),
      (e: unknown) => e instanceof AirdropError && e.code === "NOT_IN_TREE",
    );
  });
});
