/**
 * The explorer's links into the NFT page: a token id in a collection's call and events, in
 * the marketplace's events (by their `nft` argument), in an account's recent logs, and the
 * account's NFTs. Not a test file of its own: explorerBrowser.test.ts registers it inside
 * its browser session.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { dev1, genesis, node, open, page, sendCalls, shoot } from "../../helpers/explorerSession.js";

/** Registers the NFT link tests in the calling suite (which runs explorerSession()). */
export function nftLinkTests(): void {
  it("token ids link to the NFT page from transactions, logs and accounts", async () => {
    const nft = (genesis.contracts.collectibles as string).toLowerCase();
    const market = (genesis.contracts.nftMarket as string).toLowerCase();
    const dev3 = genesis.accounts[3]?.address as Address;
    // dev 3 (tokens 31 and 32) gives token 31 to dev 1 (dev 3's sequences 0 and 1 were spent by the session).
    const hash = await sendCalls(3, 2n, [
      {
        target: nft as Address,
        method: "transferFrom",
        args: encodeAbi(["address", "address", "u64"], [dev3, dev1, 31n]),
        value: 0n,
      },
    ]);
    assert.equal((await waitForReceipt<Receipt>(node.url, hash)).status, "success");
    const href = `#/nft/${nft}/31`;

    await open(`/tx/${hash}`);
    const inCall = page.locator('#tx-calls [data-arg="tokenId"] a.nft-link');
    assert.equal(await inCall.getAttribute("href"), href);
    const inEvent = page.locator('#tx-events [data-event="Transfer"] [data-arg="tokenId"] a.nft-link');
    assert.equal(await inEvent.getAttribute("href"), href);
    await shoot("nft-links-tx");
    await inEvent.click();
    await page.locator("#nft-token").waitFor();
    assert.match((await page.locator('#nft-token [data-k="owner"]').textContent()) ?? "", /dev account 1/);

    await open(`/address/${dev1}`);
    const held = page.locator(`#account-nft-list [data-nft="${nft}/31"] a.nft-link`);
    await held.waitFor();
    assert.equal(await held.getAttribute("href"), href);
    const inLogs = page.locator(
      '#account-log-table tr[data-event="Transfer"] [data-arg="tokenId"] a.nft-link',
    );
    assert.ok((await inLogs.count()) >= 1, "the Transfer to dev 1 links its token");
    assert.equal(await inLogs.first().getAttribute("href"), href);

    // The marketplace's events name the collection in `nft`: dev 3 lists token 32 for sale.
    const listing = await sendCalls(3, 3n, [
      {
        target: nft as Address,
        method: "approve",
        args: encodeAbi(["address", "u64"], [market, 32n]),
        value: 0n,
      },
      {
        target: market as Address,
        method: "list",
        args: encodeAbi(["address", "u64", "u128"], [nft, 32n, 5n * 10n ** 18n]),
        value: 0n,
      },
    ]);
    assert.equal((await waitForReceipt<Receipt>(node.url, listing)).status, "success");
    await open(`/tx/${listing}`);
    const listed = page.locator('#tx-events [data-event="Listed"] [data-arg="tokenId"] a.nft-link');
    assert.equal(await listed.getAttribute("href"), `#/nft/${nft}/32`);
    const listCall = page.locator('#tx-calls [data-method="list"] [data-arg="tokenId"] a.nft-link');
    assert.equal(await listCall.getAttribute("href"), `#/nft/${nft}/32`);
    await shoot("nft-links-listing");
  });
}
