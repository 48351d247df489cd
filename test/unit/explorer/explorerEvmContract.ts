/**
 * The explorer's page of an EVM contract: its bytecode's hash and size, a statement that EVM
 * source is not verified, its storage slots, and its logs with the standard ERC-20/ERC-721
 * events decoded (and the others' raw topics). Not a test file of its own:
 * explorerBrowser.test.ts registers it inside its browser session.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { EVENT_PROBE_INIT_CODE, EVENT_PROBE_RUNTIME, UNKNOWN_TOPIC } from "../../fixtures/evm/eventProbe.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { node, open, page, STRANGER } from "../../helpers/explorerSession.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

/** Registers the EVM contract page's test in the calling suite (which runs explorerSession()). */
export function evmContractTests(): void {
  it("an EVM contract's page shows its bytecode, storage and decoded ERC events", async () => {
    // The second Ethereum dev account (the session's Ethereum transfer used the first).
    const dev = ethDevKeys(2)[1] as { privateKey: Uint8Array; address: Address };
    const from = { key: dev.privateKey, address: dev.address };
    const fees = { maxFee: 10n ** 12n, priorityFee: 1n };
    const deploy = signEthTxRaw(
      from,
      { nonce: 0n, data: EVENT_PROBE_INIT_CODE, gasLimit: 300_000n, ...fees },
      1337n,
    );
    const deployed = await waitForReceipt<{ status: string; contractAddress: Address }>(
      node.url,
      await rpc<string>(node.url, "eth_sendRawTransaction", [hex(deploy)]),
    );
    assert.equal(deployed.status, "success");
    const probe = deployed.contractAddress;
    const callData = Buffer.from(STRANGER.slice(2).padStart(64, "0"), "hex");
    const called = signEthTxRaw(
      from,
      { nonce: 1n, to: probe, data: callData, gasLimit: 300_000n, ...fees },
      1337n,
    );
    const receipt = await waitForReceipt<{ status: string }>(
      node.url,
      await rpc<string>(node.url, "eth_sendRawTransaction", [hex(called)]),
    );
    assert.equal(receipt.status, "success");

    await open(`/address/${probe}`);
    assert.match((await page.textContent("#account-overview")) ?? "", /EVM contract/);
    const code = (await page.textContent("#account-code")) ?? "";
    assert.match(code, new RegExp(hex(keccak256(EVENT_PROBE_RUNTIME))));
    assert.match(code, new RegExp(`${EVENT_PROBE_RUNTIME.length} bytes of EVM bytecode`));
    assert.match((await page.textContent("#account-source")) ?? "", /not verified/);
    const storage = page.locator("#evm-storage-table");
    await storage.waitFor();
    const slot = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
    assert.equal(await storage.locator("tbody tr").count(), 2);
    assert.match(
      (await storage.locator(`tr[data-slot="${slot(0)}"]`).textContent()) ?? "",
      new RegExp(`${slot(42)}$`),
    );
    assert.match(
      (await storage.locator(`tr[data-slot="${slot(5)}"]`).textContent()) ?? "",
      new RegExp(`${slot(0x1234)}$`),
    );

    const logs = page.locator("#account-log-table");
    await logs.waitFor();
    const transfers = logs.locator('tr[data-event="Transfer"]');
    assert.equal(await transfers.count(), 2);
    const texts = await transfers.allTextContents();
    assert.ok(
      texts.some((t) => /to:.*value:\s*1,000/s.test(t)),
      texts.join("\n"),
    );
    assert.ok(
      texts.some((t) => /to:.*tokenId:\s*7/s.test(t)),
      texts.join("\n"),
    );
    assert.match(
      (await logs.locator('tr[data-event="ApprovalForAll"]').textContent()) ?? "",
      /approved:\s*true/,
    );
    const unknown = logs.locator('tr[data-event=""]');
    assert.equal(await unknown.count(), 1);
    assert.match((await unknown.textContent()) ?? "", /topic 0\s*0xabababab/);
    assert.equal(await unknown.locator(`[title="${UNKNOWN_TOPIC}"]`).count(), 1);

    // The recipient's page finds the logs naming it in an indexed topic.
    await open(`/address/${STRANGER}`);
    const theirs = page.locator("#account-log-table");
    await theirs.waitFor();
    assert.equal(await theirs.locator('tr[data-event="ApprovalForAll"]').count(), 1);
  });
}
