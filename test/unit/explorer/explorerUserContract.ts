/**
 * A user's own contract in the explorer: deployed from a dev account, its transaction shows
 * "no metadata" and "unknown event" until its metadata is verified with the node
 * (`weft_verifyContract`); then the call and the event are decoded, the account page says
 * the metadata was verified, and the account's transactions are listed page by page. On
 * the home page the latest transactions then name the verified contract, show each status
 * whole (not clipped) and each fee in coin, as the CLI prints it.
 * Registered inside explorerBrowser.test.ts's browser session, like explorerDetailPages.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import { type Call, encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import { genesis, node, open, page, shoot } from "../../helpers/explorerSession.js";
import { rpc, waitForReceipt } from "../../helpers/nodeProcess.js";

const BUILD = fileURLToPath(new URL("../../../../contracts/build/", import.meta.url));
const hex = (b: Uint8Array) => `0x${toHex(b)}`;
const DEV = 2;

async function sendFromDev(calls: Call[]) {
  const sender = genesis.accounts[DEV]?.address as Address;
  const env: TxEnvelope = {
    chainId: 1337n,
    sender,
    nonceKey: 0n,
    nonceSequence: BigInt(await rpc<string>(node.url, "weft_nextNonce", [sender, 0, "pending"])),
    gasLimit: 20_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(DEV).sign(signingHash(env));
  const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(encodeTx(env))]);
  const receipt = await waitForReceipt<{ status: string; contractAddress?: Address }>(node.url, hash);
  assert.equal(receipt.status, "success");
  return { hash, receipt };
}

/** The counter's `add` transaction, once the first test verified the counter's metadata. */
let verifiedAdd: { hash: string; fee: bigint } | undefined;

/** `value` base units as the CLI prints coin: every significant digit. */
function coinText(value: bigint): string {
  const whole = value / 10n ** 18n;
  const frac = (value % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac === "" ? "" : `.${frac}`} coin`;
}

/** Registers the user-contract tests in the calling suite (which runs explorerSession()). */
export function userContractTests(): void {
  it("decodes a user's contract once its metadata is verified, and lists the account's transactions", async () => {
    const wasm = readFileSync(`${BUILD}counter.wasm`);
    const deployed = await sendFromDev([
      {
        target: DEPLOY_TARGET,
        method: DEPLOY_METHOD,
        args: encodeAbi(DEPLOY_ARGS, [wasm, new Uint8Array(0), new Uint8Array(32)]),
        value: 0n,
      },
    ]);
    const counter = deployed.receipt.contractAddress as Address;
    const add = await sendFromDev([
      { target: counter, method: "add", args: encodeAbi(["u128"], [42n]), value: 0n },
    ]);

    await open(`/tx/${add.hash}`);
    assert.match((await page.textContent("#tx-calls")) ?? "", /no metadata for this contract/);
    assert.match((await page.textContent("#tx-events")) ?? "", /unknown event/);

    const metadata = JSON.parse(readFileSync(`${BUILD}counter.metadata.json`, "utf8")) as unknown;
    await rpc(node.url, "weft_verifyContract", [counter, metadata, hex(wasm)]);

    const fee = (await rpc<{ fee: string }>(node.url, "weft_getReceipt", [add.hash])).fee;
    verifiedAdd = { hash: add.hash, fee: BigInt(fee) };
    await open(`/tx/${add.hash}`);
    const call = page.locator('#tx-calls [data-method="add"]');
    assert.match((await call.locator('[data-arg="amount"]').textContent()) ?? "", /42/);
    const event = page.locator('#tx-events [data-event="Counted"]');
    assert.equal(await event.count(), 1);
    assert.match((await event.locator('[data-arg="total"]').textContent()) ?? "", /42/);

    await open(`/address/${counter}`);
    assert.match((await page.textContent("#account-overview")) ?? "", /counter contract \(metadata verified/);
    await page.waitForSelector("#account-tx-table");
    const rows = page.locator("#account-tx-table tbody tr");
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-tx"))), [
      add.hash,
      deployed.hash,
    ]);
    await page.waitForSelector('#account-logs [data-event="Counted"]');

    // The sender's history pages: 25 a page, "Older" to go on, "Newest" to come back.
    const sender = genesis.accounts[DEV]?.address as Address;
    const all = await rpc<{ transactions: Array<{ hash: string }> }>(
      node.url,
      "weft_getAccountTransactions",
      [sender, { limit: 100 }],
    );
    await open(`/address/${sender}`);
    await page.waitForSelector("#account-tx-table");
    const first = await page.locator("#account-tx-table tbody tr").first().getAttribute("data-tx");
    assert.equal(first, all.transactions[0]?.hash);
    if (all.transactions.length > 25) {
      await page.click("#history-older");
      await page.waitForSelector("#history-newest");
      assert.equal(
        await page.locator("#account-tx-table tbody tr").first().getAttribute("data-tx"),
        all.transactions[25]?.hash,
      );
    } else assert.equal(await page.locator("#history-older").count(), 0, "one page: no Older button");
  });

  it("home's latest transactions name the verified contract, show the whole status and the fee in coin", async () => {
    assert.ok(verifiedAdd !== undefined, "the previous test verified the counter");
    const { hash, fee } = verifiedAdd;
    await open("/");
    const row = page.locator(`#latest-txs tr[data-tx="${hash}"]`);
    await row.waitFor();
    await shoot("home-latest-txs");
    assert.match((await row.locator(".call").textContent()) ?? "", /counter\.add/);
    // The call reads on one line: breaking anywhere let the table squeeze its column to a few
    // letters per line beside a long sender label ("Ethereum dev account 0 (eth0)").
    const callLines = await row.locator(".call").evaluate((el) => {
      const tops = new Set([...el.getClientRects()].map((r) => Math.round(r.top)));
      return { lines: tops.size, width: Math.round(el.getBoundingClientRect().width) };
    });
    assert.equal(callLines.lines, 1, `counter.add is on one line (${JSON.stringify(callLines)})`);
    const badge = row.locator(".badge");
    assert.equal(await badge.textContent(), "success");
    const fit = await badge.evaluate((el) => {
      const panel = el.closest(".panel") as typeof el;
      const b = el.getBoundingClientRect();
      const p = panel.getBoundingClientRect();
      return {
        scroll: el.scrollWidth,
        client: el.clientWidth,
        inside: b.left >= p.left && b.right <= p.left + panel.clientWidth,
        panelScrolls: panel.scrollWidth > panel.clientWidth,
      };
    });
    assert.ok(fit.scroll <= fit.client, `the status is not clipped (${fit.scroll} > ${fit.client})`);
    assert.ok(fit.inside, "the status is inside the panel's visible area");
    assert.equal(fit.panelScrolls, false, "the latest transactions fit their panel");
    assert.ok(fee > 0n);
    assert.equal((await row.locator(".fee").textContent())?.trim(), coinText(fee));
    await open(`/tx/${hash}`);
    assert.match(
      (await page.textContent("#tx-fee")) ?? "",
      new RegExp(`^${coinText(fee).replace(/\./g, "\\.")} max fee [\\d.]+ coin / gas`),
    );
    // Its block's page names the verified contract too (it showed the address: only senders
    // were identified there).
    const { blockNumber } = await rpc<{ blockNumber: number }>(node.url, "weft_getReceipt", [hash]);
    await open(`/block/${blockNumber}`);
    const blockRow = page.locator(`tr[data-tx="${hash}"]`);
    await blockRow.waitFor();
    assert.match((await blockRow.locator(".call").textContent()) ?? "", /^counter\.add/);
  });
}
