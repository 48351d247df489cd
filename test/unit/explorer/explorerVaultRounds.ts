/**
 * The option vault page (#/vault/<address>) in the browser: the dev genesis's covered-call
 * vault with round 2 under way (strike 2,200 WUSD, nothing sold yet) and round 1 closed
 * idle at 1 WETH a share; the contract page links to it. Then a round is lived through on
 * the node: dev 2 buys 5 calls, the clock moves to the Friday expiry, dev 0 posts WETH at
 * 2,750 on the options oracle and dev 1 closes the round. The page shows round 2's premium
 * collected (what dev 2 paid), its settlement at 2,750, its payout of exactly 1 WETH
 * ((2,750 − 2,200) / 2,750 × 5) and its closing share price, without being reloaded (it
 * redraws on new blocks). After twenty more (idle) rounds the page shows twenty and pages
 * back to the first ones. An address that is not a vault says so. Registered inside explorerBrowser.test.ts's browser session, last: it
 * moves the chain's clock.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { oracle as oracleBinding } from "../../../src/bindings/oracle.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { devAccount } from "../../../src/sdk/client/examples/common.js";
import {
  createClient,
  devActions,
  getVaultRound,
  getVaultRoundRecord,
  http,
  vaultBuyCalls,
  vaultCloseRoundCalls,
  vaultCost,
} from "../../../src/sdk/client/index.js";
import { genesis, node, open, page, shoot } from "../../helpers/explorerSession.js";

const E18 = 10n ** 18n;

const cell = async (round: number, key: string) =>
  (await page.textContent(`#vault-rounds tr[data-round="${round}"] [data-k="${key}"]`))?.trim() ?? "";

export function vaultRoundsTests(): void {
  it("the vault page lists its rounds; after a round is lived through: premium, settlement, payout, share price", async () => {
    const vault = genesis.contracts.coveredCallVault as Address;
    await open(`/contract/${vault}`);
    await page.click("#vault-rounds-link");
    await page.waitForSelector(`#view[data-route="vault"][data-state="ready"]`);
    await page.waitForSelector(`#vault-rounds tr[data-round="2"]`);
    assert.equal((await page.textContent(`#vault-info [data-k="kind"]`))?.trim(), "covered calls");
    assert.equal(await cell(2, "strike"), "2,200 WUSD");
    assert.equal(await cell(2, "sold"), "0 WETH / 100 WETH");
    assert.equal(await cell(2, "premium"), "0 WETH");
    assert.equal(await cell(2, "share-price"), "open");
    assert.equal(await cell(1, "expiry"), "no options");
    assert.equal(await cell(1, "share-price"), "1 WETH");

    const client = createClient({ transport: http(node.url) });
    try {
      const round = await getVaultRound(client, vault);
      const buyer = await devAccount(client, 2);
      await client.sendAndWait({ account: buyer, calls: vaultBuyCalls(round, 5n * E18) });
      await devActions(client).setNextBlockTimestamp(Number(round.expiry));
      await client.sendAndWait({
        account: await devAccount(client, 0),
        calls: [
          {
            target: genesis.contracts.optionsOracle as Address,
            method: "setPrice",
            args: encodeCall(oracleBinding.metadata, "setPrice", [genesis.contracts.weth, 2_750n * E18]),
          },
        ],
      });
      await client.sendAndWait({ account: await devAccount(client, 1), calls: vaultCloseRoundCalls(vault) });
      const record = await getVaultRoundRecord(client, vault, 2n);
      assert.equal(record.premiumCollected, vaultCost(round, 5n * E18));
      assert.equal(record.payout, E18);

      // The page is still the one opened before the round was lived through: it follows the chain.
      await page.waitForSelector(`#vault-rounds tr[data-round="3"]`);
      assert.match(await cell(2, "premium"), /^0\.0\d+ WETH$/);
      assert.equal(
        (
          await page.getAttribute(`#vault-rounds tr[data-round="2"] [data-k="premium"] .amount`, "title")
        )?.replace(/,/g, ""),
        `${record.premiumCollected} base units`,
      );
      assert.equal(await cell(2, "sold"), "5 WETH / 100 WETH");
      assert.equal(await cell(2, "settlement"), "2,750 WUSD");
      assert.equal(await cell(2, "payout"), "1 WETH");
      assert.match(await cell(2, "share-price"), /^0\.99\d* WETH$/);
      assert.equal(await cell(3, "share-price"), "open");
      assert.equal(await cell(3, "expiry"), "no options");
      await shoot("vault-rounds");

      // Past twenty rounds: dev 0, the manager, closes twenty idle rounds, ten a transaction.
      const manager = await devAccount(client, 0);
      for (let i = 0; i < 2; i++)
        await client.sendAndWait({
          account: manager,
          calls: Array.from({ length: 10 }, () => vaultCloseRoundCalls(vault)).flat(),
        });
      await page.waitForSelector(`#vault-rounds tr[data-round="23"]`);
      assert.equal((await page.textContent("#vault-rounds-shown"))?.trim(), "23 to 4 of 23");
      assert.equal(await page.locator("#vault-rounds tbody tr").count(), 20);
      await page.click("#vault-rounds-older");
      await page.waitForSelector(
        `#view[data-route="vault"][data-state="ready"] #vault-rounds tr[data-round="1"]`,
      );
      assert.equal(await page.locator("#vault-rounds tbody tr").count(), 3);
      assert.equal(await cell(2, "payout"), "1 WETH");
      assert.equal(await page.locator("#vault-rounds-older").count(), 0);
      await page.click("#vault-rounds-newer");
      await page.waitForSelector(`#vault-rounds tr[data-round="23"]`);
    } finally {
      await client.close();
    }
  });

  it("the vault page says when an address is not an option vault", async () => {
    await open(`/vault/${genesis.contracts.wusd}`);
    assert.match((await page.textContent("#not-found")) ?? "", /is not a known option vault/);
    await open("/vault/nonsense");
    assert.match((await page.textContent("#not-found")) ?? "", /is not an address/);
  });
}
