/**
 * The explorer's page of an EVM contract: its bytecode's hash and size, a statement that EVM
 * source is not verified, its storage slots, and its logs with the standard ERC-20/ERC-721
 * events decoded (and the others' raw topics). Once its Solidity source is verified
 * (`weft_verifyEvmSource`), the page shows the source and the contract's name, its logs name
 * the contract's own events with their arguments, and a transaction's page decodes its input
 * and its custom error; the deployer's page lists its balance of the contract's ERC-20, the
 * Etherscan-style URLs (`/explorer/tx/<hash>`, `/address/`, `/token/`, `/block/`) land on their
 * pages, and search finds the contract by name and a token by symbol. Not a test file of its own: explorerBrowser.test.ts registers it
 * inside its browser session.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { encodeDeployData, encodeFunctionData } from "viem";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { EVENT_PROBE_INIT_CODE, EVENT_PROBE_RUNTIME, UNKNOWN_TOPIC } from "../../fixtures/evm/eventProbe.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { genesis, node, open, page, STRANGER } from "../../helpers/explorerSession.js";
import { compileWithSources } from "../../helpers/solc.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const VAULT_SOURCE = new URL("../../../../test/fixtures/evm/CappedVault.sol", import.meta.url).pathname;

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

  it("a verified EVM contract's page shows its source; its events, input and custom error are decoded", async () => {
    const compiled = compileWithSources(VAULT_SOURCE, "CappedVault.sol", "CappedVault");
    // The third Ethereum dev account (the first two sent above).
    const dev = ethDevKeys(3)[2] as { privateKey: Uint8Array; address: Address };
    const from = { key: dev.privateKey, address: dev.address };
    const fees = { maxFee: 10n ** 12n, priorityFee: 1n, gasLimit: 3_000_000n };
    const send = async (raw: Uint8Array) => {
      const hash = await rpc<string>(node.url, "eth_sendRawTransaction", [hex(raw)]);
      return {
        hash,
        receipt: await waitForReceipt<{ status: string; contractAddress: Address; blockNumber: number }>(
          node.url,
          hash,
        ),
      };
    };
    const deployData = encodeDeployData({
      abi: compiled.abi,
      bytecode: compiled.bytecode,
      args: [1_000n, 2_000n],
    });
    const { receipt } = await send(
      signEthTxRaw(from, { nonce: 0n, data: Buffer.from(deployData.slice(2), "hex"), ...fees }, 1337n),
    );
    assert.equal(receipt.status, "success");
    const vault = receipt.contractAddress;
    const verified = await rpc<{ match: string }>(node.url, "weft_verifyEvmSource", [
      vault,
      { sources: compiled.sources, contract: "CappedVault", settings: compiled.settings },
    ]);
    assert.equal(verified.match, "full");
    const note = encodeFunctionData({ abi: compiled.abi, functionName: "note", args: ["hello", [4n, 2n]] });
    const noted = await send(
      signEthTxRaw(from, { nonce: 1n, to: vault, data: Buffer.from(note.slice(2), "hex"), ...fees }, 1337n),
    );
    assert.equal(noted.receipt.status, "success");
    const over = encodeFunctionData({ abi: compiled.abi, functionName: "mintTo", args: [STRANGER, 5_000n] });
    const refused = await send(
      signEthTxRaw(from, { nonce: 2n, to: vault, data: Buffer.from(over.slice(2), "hex"), ...fees }, 1337n),
    );
    assert.equal(refused.receipt.status, "revert");

    await open(`/address/${vault}`);
    assert.match(
      (await page.textContent("#account-overview")) ?? "",
      /CappedVault contract \(Solidity source verified/,
    );
    assert.match(
      (await page.textContent("#account-source")) ?? "",
      /verified: CappedVault in CappedVault\.sol, a full match/,
    );
    const main = page.locator('#evm-source details[data-path="CappedVault.sol"]');
    await main.waitFor();
    assert.match((await main.textContent()) ?? "", /contract CappedVault is ERC20/);
    assert.ok(
      (await page.locator("#evm-source details.source-file").count()) > 1,
      "the imports are shown too",
    );
    const logs = page.locator("#account-log-table");
    await logs.waitFor();
    const notedRow = logs.locator('tr[data-event="Noted"]');
    assert.equal(await notedRow.count(), 1);
    const text = (await notedRow.textContent()) ?? "";
    assert.match(text, /cap:\s*2,000/);
    assert.match(text, /text:\s*"hello"/);

    await open(`/tx/${noted.hash}`);
    assert.match((await page.textContent("#tx-input")) ?? "", /note/);
    assert.match((await page.textContent("#tx-input-args")) ?? "", /hello/);
    assert.equal(await page.locator('#tx-events [data-event="Noted"]').count(), 1);
    await open(`/tx/${refused.hash}`);
    const reason = page.locator("#revert-reason");
    await reason.waitFor();
    assert.equal(await reason.getAttribute("data-error"), "OverCap");
    assert.match((await reason.textContent()) ?? "", /wanted[\s\S]*6,000/);

    // The deployer's page lists its balance of the vault's token: its mint's Transfer named it.
    await open(`/address/${dev.address}`);
    const cpv = page.locator('#evm-token-table tr[data-token="CPV"]');
    await cpv.waitFor();
    assert.match((await cpv.textContent()) ?? "", /Capped Vault \(EVM ERC-20\)[\s\S]*CPV/);
    assert.equal(await cpv.locator(".amount").getAttribute("title"), "1,000 base units");

    // Etherscan's URL forms land on the pages; a target that is no id is 404.
    const link = await fetch(`${node.url}/explorer/tx/${noted.hash}`, { redirect: "manual" });
    assert.equal(link.status, 302);
    assert.equal(link.headers.get("location"), `/explorer/#/tx/${noted.hash}`);
    await page.goto(`${node.url}/explorer/tx/${noted.hash}`);
    await page.waitForSelector("#tx-overview");
    await page.goto(`${node.url}/explorer/address/${vault}`);
    await page.locator("#account-overview", { hasText: "CappedVault contract" }).waitFor();
    await page.goto(`${node.url}/explorer/token/${vault}`);
    await page.locator("#account-overview", { hasText: "CappedVault contract" }).waitFor();
    await page.goto(`${node.url}/explorer/block/${noted.receipt.blockNumber}`);
    await page.waitForSelector("#block-header");
    assert.equal((await fetch(`${node.url}/explorer/tx/%3Cscript%3E`, { redirect: "manual" })).status, 404);

    // Search by a verified contract's name (any case, or its start) and by a token's symbol.
    const search = async (text: string) => {
      await page.fill("#search-input", text);
      await page.press("#search-input", "Enter");
    };
    await open("/");
    await search("cappedvault");
    await page.waitForURL(`**/explorer#/address/${vault}`);
    await open("/");
    await search("Capped");
    await page.waitForURL(`**/explorer#/address/${vault}`);
    await open("/");
    await search("WGOV");
    await page.waitForURL(`**/explorer#/address/${genesis.contracts.govToken?.toLowerCase()}`);
  });

  it("a failed Ethereum transaction's page decodes an Error(string) revert without an ABI", async () => {
    const dev = ethDevKeys(4)[3] as { privateKey: Uint8Array; address: Address };
    const from = { key: dev.privateKey, address: dev.address };
    const nonce = BigInt(await rpc<string>(node.url, "eth_getTransactionCount", [dev.address, "pending"]));
    // Init code that reverts with Error("nope: require failed"): CODECOPY of what follows, REVERT.
    const reason = Buffer.from("nope: require failed");
    const data = Buffer.concat([
      Buffer.from("08c379a0", "hex"),
      Buffer.from(`${"20".padStart(64, "0")}${reason.length.toString(16).padStart(64, "0")}`, "hex"),
      reason,
      Buffer.alloc(32 - reason.length),
    ]);
    const init = Buffer.concat([Buffer.from(`60${data.length.toString(16)}8060095f395ffd`, "hex"), data]);
    const sent = signEthTxRaw(
      from,
      { nonce, data: init, gasLimit: 100_000n, maxFee: 10n ** 12n, priorityFee: 1n },
      1337n,
    );
    const hash = await rpc<string>(node.url, "eth_sendRawTransaction", [hex(sent)]);
    const receipt = await waitForReceipt<{ status: string }>(node.url, hash);
    assert.equal(receipt.status, "revert");
    await open(`/tx/${hash}`);
    assert.equal(await page.getAttribute("#revert-reason", "data-error"), "Error");
    assert.match((await page.textContent("#revert-reason")) ?? "", /nope: require failed/);
  });
}
