/**
 * The genesis token sale and airdrop in the explorer: after development account 1 buys
 * 10,000 WLAUNCH (1,000 WUSD) and claims its airdrop, the sale page shows the raised
 * amount against the caps, one buyer, the price, the time left and the buyers' vesting,
 * and a second purchase without being reloaded (it redraws on new blocks);
 * the airdrop page shows one claim of 1,000 WLAUNCH and what is left; the sale's address
 * page links to its progress; and an address that is not a sale is "not found".
 * Registered inside explorerBrowser.test.ts's browser session, like explorerDetailPages.ts.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { sale as saleBinding } from "../../../src/bindings/sale.gen.js";
import { token as tokenBinding } from "../../../src/bindings/token.gen.js";
import { type Call, encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import { airdropClaimCalls, genesisAirdrop } from "../../../src/sdk/client/airdrops.js";
import { genesis, node, open, page, shoot } from "../../helpers/explorerSession.js";
import { rpc, waitForReceipt } from "../../helpers/nodeProcess.js";

const E18 = 10n ** 18n;
const DEV = 1;

async function sendFromDev(calls: Call[]) {
  const sender = genesis.accounts[DEV]?.address as Address;
  const env: TxEnvelope = {
    chainId: 1337n,
    sender,
    nonceKey: 0n,
    nonceSequence: BigInt(await rpc<string>(node.url, "weft_nextNonce", [sender, 0, "pending"])),
    gasLimit: 5_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(DEV).sign(signingHash(env));
  const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
    `0x${toHex(encodeTx(env))}`,
  ]);
  const receipt = await waitForReceipt<{ status: string }>(node.url, hash);
  assert.equal(receipt.status, "success");
}

/** Approves 1,000 WUSD to `sale` and buys 10,000 WLAUNCH with them (at most 1,000 WUSD). */
function buyCalls(wusd: Address, sale: Address): Call[] {
  return [
    { target: wusd, method: "approve", args: tokenBinding.approve.encode(sale, 1_000n * E18), value: 0n },
    { target: sale, method: "buy", args: saleBinding.buy.encode(10_000n * E18, 1_000n * E18, []), value: 0n },
  ];
}

/** Registers the sale and airdrop page tests in the calling suite (which runs explorerSession()). */
export function saleTests(): void {
  it("the sale page shows raised against the caps, buyers, price, time left and vesting; the airdrop page its claims", async () => {
    const c = genesis.contracts as Record<string, Address>;
    const sale = c.sale as Address;
    const drop = c.airdrop as Address;
    const dev1 = genesis.accounts[DEV]?.address as Address;
    await sendFromDev([
      ...buyCalls(c.wusd as Address, sale),
      ...airdropClaimCalls(drop, genesisAirdrop(genesis), dev1).map((call) => ({
        ...call,
        args: call.args as Uint8Array,
        value: 0n,
      })),
    ]);

    await open(`/sale/${sale}`);
    const text = async (k: string) =>
      ((await page.textContent(`#sale-progress [data-k="${k}"]`)) ?? "").trim();
    assert.equal(await page.getAttribute("#sale-progress", "data-phase"), "open");
    assert.equal(await text("raised"), "1,000 WUSD");
    assert.equal(await text("hardCap"), "100,000 WUSD");
    assert.equal(await text("raisedShare"), "1.0%");
    assert.equal(await text("buyers"), "1");
    assert.match(await text("sold"), /^10,000 WLAUNCH of 1,000,000 WLAUNCH/);
    assert.match(await text("price"), /^0\.1 WUSD per WLAUNCH \(fixed\)$/);
    assert.match(await text("timeLeft"), /^(23|24) h \d+ min$|^\d+ d \d+ h$/);
    assert.match(await text("vesting"), /nothing for 15 min 0 s \(the cliff\), then linear over 1 h 0 min/);
    assert.ok((await page.locator("#sale-meter rect.meter-fill").getAttribute("width")) === "1");
    await shoot("sale");
    // The page follows the chain: another purchase shows without reloading it.
    await sendFromDev(buyCalls(c.wusd as Address, sale));
    await page
      .locator(`#sale-progress [data-k="raised"]`)
      .filter({ hasText: /^2,000 WUSD$/ })
      .waitFor();
    assert.match(await text("sold"), /^20,000 WLAUNCH of 1,000,000 WLAUNCH/);

    await open(`/airdrop/${drop}`);
    const claim = async (k: string) =>
      ((await page.textContent(`#airdrop-progress [data-k="${k}"]`)) ?? "").trim();
    assert.equal(await claim("claimedCount"), "1");
    assert.equal(await claim("claimedAmount"), "1,000 WLAUNCH");
    // 4 development accounts (1,000 each) and 10 Ethereum accounts (500 each): 9,000, 1,000 claimed.
    assert.equal(await claim("left"), "8,000 WLAUNCH");
    assert.equal(await claim("endTime"), "never");
    await shoot("airdrop");

    await open(`/address/${sale}`);
    await page.click("#progress-link");
    await page.waitForURL(`**/explorer#/sale/${sale}`);
    await page.waitForSelector("#sale-progress");
    await open(`/sale/${c.wusd}`);
    assert.match((await page.textContent("#view")) ?? "", /is not a token sale/);
    await open(`/airdrop/${sale}`);
    assert.match((await page.textContent("#view")) ?? "", /is not a Merkle airdrop/);
  });
}
