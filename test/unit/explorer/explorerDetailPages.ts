/**
 * The explorer's transaction, account and contract pages and "not found". Not a test file of
 * its own: explorerBrowser.test.ts registers these tests inside its browser session, so one
 * node and one browser serve every page and its last test checks all the screenshots.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { GENESIS_DEPLOYER } from "../../../src/node/genesis/genesis.js";
import {
  dev0,
  dev1,
  ethSent,
  failed,
  genesis,
  ok,
  open,
  page,
  STRANGER,
  shoot,
  sponsored,
  supplied,
  wusd,
} from "../../helpers/explorerSession.js";

/** Registers the detail pages' tests in the calling suite (which runs explorerSession()). */
export function detailPageTests(): void {
  it("the NFT page shows a token's owner, user, royalty and listings", async () => {
    const nft = genesis.contracts.collectibles as string;
    await open(`/nft/${nft}/1001`);
    const token = page.locator("#nft-token");
    assert.equal(await token.getAttribute("data-rental"), "none");
    // Deposited with the market for rent: the lender owns it, the market holds it (as `weft nft show`).
    const owner = (await token.locator('[data-k="owner"]').textContent()) ?? "";
    assert.doesNotMatch(owner, /nftMarket/);
    assert.match(owner, /lent: deposited with the market for rent/);
    assert.equal(
      await token.locator('[data-k="owner"] a').first().getAttribute("href"),
      `#/address/${GENESIS_DEPLOYER.toLowerCase()}`,
    );
    assert.match((await token.locator('[data-k="holder"]').textContent()) ?? "", /nftMarket/);
    assert.match(
      (await token.locator('[data-k="royalty"]').textContent()) ?? "",
      /5\.00% \(500 bps\) to.*dev account 0/,
    );
    assert.match((await token.locator('[data-k="rent"]').textContent()) ?? "", /1 coin a day, up to 30 days/);
    assert.match((await token.locator('[data-k="uri"]').textContent()) ?? "", /collectibles\/1001$/);
    await open(`/nft/${nft}/1000`);
    assert.match((await page.locator('#nft-token [data-k="sale"]').textContent()) ?? "", /at 10 coin/);
    await open(`/nft/${nft}/1`);
    assert.match((await page.locator('#nft-token [data-k="owner"]').textContent()) ?? "", /dev account 0/);
    await shoot("nft");
    await open(`/nft/${nft}/999999`);
    await page.locator("#view", { hasText: "does not exist" }).waitFor();
  });

  it("the transaction page decodes the call and the Transfer event", async () => {
    await open(`/tx/${ok.hash}`);
    assert.equal(await page.getAttribute("#tx-status .badge", "data-status"), "success");
    assert.match((await page.textContent("#tx-sender")) ?? "", /dev account 0/);
    const call = page.locator('#tx-calls [data-method="transfer"]');
    assert.match((await call.locator('[data-arg="to"]').textContent()) ?? "", /dev account 1/);
    assert.match(
      (await call.locator('[data-arg="amount"]').textContent()) ?? "",
      /5,000,000,000,000,000,000.*\(5 WUSD\)/,
    );
    const event = page.locator('#tx-events [data-event="Transfer"]');
    assert.equal(await event.count(), 1);
    assert.match((await event.locator('[data-arg="from"]').textContent()) ?? "", /dev account 0/);
    assert.match((await event.locator('[data-arg="to"]').textContent()) ?? "", /dev account 1/);
    assert.match((await event.locator('[data-arg="amount"]').textContent()) ?? "", /5 WUSD/);
    assert.match((await page.textContent("#tx-paymaster")) ?? "", /none/);
    await shoot("tx");
  });

  it("the transaction page decodes the revert reason of the failed transfer", async () => {
    await open(`/tx/${failed.hash}`);
    assert.equal(await page.getAttribute("#tx-status .badge", "data-status"), "revert");
    assert.equal(await page.getAttribute("#revert-reason", "data-error"), "InsufficientBalance");
    const text = (await page.textContent("#revert-reason")) ?? "";
    assert.match(text, /InsufficientBalance/);
    assert.match(text, /needed: 2000000000000000000000000/);
    assert.match(
      (await page.textContent("#tx-events")) ?? "",
      /None: a failed transaction's events are reverted/,
    );
    await shoot("tx-revert");
  });

  it("the transaction page shows each call of a batch and every contract's events", async () => {
    await open(`/tx/${supplied.hash}`);
    assert.equal(await page.locator("#tx-calls .call-box").count(), 2);
    assert.match(
      (await page.textContent('#tx-calls [data-method="approve"]')) ?? "",
      /spender.*lending.*100 WUSD/s,
    );
    assert.match(
      (await page.textContent('#tx-calls [data-method="supply"]')) ?? "",
      /asset.*wusd.*amount.*100 WUSD/s,
    );
    await page.waitForSelector('#tx-events [data-event="Supply"]');
    assert.match((await page.textContent('#tx-events [data-event="Supply"]')) ?? "", /emitted by\s*lending/);
    assert.ok((await page.locator('#tx-events [data-event="Transfer"]').count()) >= 1);
  });

  it("the transaction page names the paymaster that paid", async () => {
    await open(`/tx/${sponsored.hash}`);
    assert.match((await page.textContent("#tx-paymaster")) ?? "", /sponsorPaymaster.*paid the fee/s);
    await page.waitForSelector('#tx-events [data-event="Sponsored"]');
  });

  it("the account page shows coin and token balances, positions and logs", async () => {
    await open(`/address/${dev0}`);
    await page.waitForSelector('#token-balances tr[data-token="WUSD"]');
    assert.match((await page.textContent('#token-balances tr[data-token="WUSD"]')) ?? "", /999,995 WUSD/);
    assert.match((await page.textContent('#token-balances tr[data-token="WETH"]')) ?? "", /998 WETH/);
    assert.match((await page.textContent("#account-balance")) ?? "", /coin/);
    assert.match((await page.textContent("#account-nonce")) ?? "", /^2/);
    await page.waitForSelector("#lending-positions");
    assert.match((await page.textContent("#lending-positions")) ?? "", /Nothing supplied or borrowed/);
    await page.waitForSelector("#staking-positions");
    // The genesis staked 10 of dev 0's LP tokens in the farm's pool 0 (docs/farm.md).
    await page.waitForSelector('#farm-table tr[data-pool="0"]');
    assert.equal(await page.textContent('#farm-table tr[data-pool="0"] [data-k="staked"]'), "10 LP");
    // Hero 1 is dev 0's (docs/game.md).
    await page.waitForSelector('#game-table tr[data-hero="1"]');
    assert.equal(await page.textContent('#game-table tr[data-hero="1"] [data-k="role"]'), "owner");
    await page.waitForSelector('#account-logs [data-event="Transfer"]');
    assert.ok((await page.locator('#account-logs [data-event="Transfer"]').count()) >= 2);
    await shoot("account");
    await open(`/address/${genesis.accounts[3]?.address}`);
    await page.waitForSelector('#lending-positions tr[data-asset="WUSD"]');
    const cell = (k: string) => page.textContent(`#lending-positions tr[data-asset="WUSD"] [data-k="${k}"]`);
    assert.match((await cell("supplied")) ?? "", /^(100|99\.9+) WUSD$/);
    assert.equal(await cell("borrowed"), "0 WUSD");
    assert.match(
      (await page.textContent('#token-balances tr[data-token="WUSD"]')) ?? "",
      /999,899\.999999 WUSD/,
    );
  });

  it("the contract page calls balanceOf read-only and decodes the result", async () => {
    await open(`/contract/${wusd}`);
    const method = page.locator('#contract-methods details[data-method="balanceOf"]');
    await method.locator("summary").click();
    await method.locator('input[name="arg0"]').fill(dev1);
    await method.locator('button[type="submit"]').click();
    const result = method.locator('.call-result [data-status="success"]');
    await result.waitFor();
    assert.match((await result.textContent()) ?? "", /1,000,005,000,000,000,000,000,000.*\(1,000,005 WUSD\)/);
    assert.ok((await page.locator("#contract-events tbody tr").count()) >= 3);
    await shoot("contract");
  });

  it("an Ethereum transaction has its own page, and is listed on its sender's page", async () => {
    await open(`/tx/${ethSent.hash}`);
    await page.waitForSelector('#tx-overview[data-kind="eth"]');
    assert.equal(await page.getAttribute("#tx-status .badge", "data-status"), "success");
    assert.match((await page.textContent("#tx-type")) ?? "", /EIP-1559, type 2.*chain id 1337/s);
    assert.match((await page.textContent("#tx-sender")) ?? "", new RegExp(ethSent.from));
    assert.match((await page.textContent("#tx-to")) ?? "", new RegExp(STRANGER));
    assert.match((await page.textContent("#tx-value")) ?? "", /^1 coin$/);
    assert.match((await page.textContent("#tx-gas")) ?? "", /21,000 EVM gas.*of 21,000 limit/s);
    assert.match((await page.textContent("#tx-input")) ?? "", /none: a coin transfer/);
    assert.match((await page.textContent("#tx-events")) ?? "", /No logs/);
    await open(`/block/${ethSent.receipt.blockNumber}`);
    const row = page.locator(`tr[data-tx="${ethSent.hash}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /coin\s*→/);
    await open(`/address/${ethSent.from}`);
    const mine = page.locator(`#account-tx-table tr[data-tx="${ethSent.hash}"]`);
    await mine.waitFor();
    assert.match((await mine.textContent()) ?? "", /this address.*coin\s*→.*success/s);
  });

  it("says 'not found' for an unknown transaction", async () => {
    await open(`/tx/0x${"12".repeat(32)}`);
    assert.match((await page.textContent("#not-found")) ?? "", /Transaction 0x1212.* not found/);
    await shoot("not-found");
  });
}
