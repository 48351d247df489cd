/**
 * The explorer's browser session for tests: a `weft node` process with a few known
 * transactions (a transfer, a reverted transfer, an approve-and-supply batch, a sponsored
 * transfer, an Ethereum transfer), Chromium on the explorer page, and helpers to send, open and screenshot.
 * `explorerSession()` registers the before/after hooks in the calling suite; the exported
 * bindings are set by its before hook.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); WEFT_CHROMIUM overrides the path.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { encodeTx, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { devSigner, type GenesisInfo } from "../../src/node/genesis/genesis.js";
import { launchNode, type NodeProcess } from "../../src/node/launch.js";
import { ethDevKeys } from "../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../src/sdk/rpcClient.js";
import { signEthTxRaw } from "./ethAccounts.js";
import { tokenTransferRaw } from "./nodeTx.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const E18 = 10n ** 18n;
export const STRANGER: Address = "0x00000000000000000000000000000000000000aa";
export const VIEWPORT = { width: 1280, height: 900 };

interface Receipt {
  status: string;
  blockNumber: number;
  blockHash: string;
  output: string;
}

let dir: string;
export let shots: string;
export let node: NodeProcess;
let browser: Browser;
export let page: Page;
export let genesis: GenesisInfo;
export let wusd: Address;
export let dev0: Address;
export let dev1: Address;
export const pageErrors: string[] = [];
export const screenshots = new Map<string, string>();
export let ok: { hash: string; receipt: Receipt };
export let failed: { hash: string; receipt: Receipt };
export let supplied: { hash: string; receipt: Receipt };
export let sponsored: { hash: string; receipt: Receipt };
/** An Ethereum transfer of 1 coin from the first Ethereum dev account to `STRANGER`. */
export let ethSent: { hash: string; receipt: Receipt; from: Address };

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
export const send = async (
  devIndex: number,
  sequence: bigint,
  token: Address,
  to: Address,
  amount: bigint,
) => {
  const sender = genesis.accounts[devIndex]?.address as Address;
  const raw = tokenTransferRaw({ chainId: 1337n, sender, devIndex, sequence }, token, to, amount);
  const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]);
  return hash;
};
/** A signed envelope from dev account `devIndex` running `calls` in one transaction. */
export const sendCalls = async (
  devIndex: number,
  sequence: bigint,
  calls: TxEnvelope["calls"],
  paymaster?: TxEnvelope["paymaster"],
) => {
  const env: TxEnvelope = {
    chainId: 1337n,
    sender: genesis.accounts[devIndex]?.address as Address,
    nonceKey: 0n,
    nonceSequence: sequence,
    gasLimit: 5_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  if (paymaster !== undefined) env.paymaster = paymaster;
  env.auth = devSigner(devIndex).sign(signingHash(env));
  const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(encodeTx(env))]);
  return hash;
};
/** Loads the page afresh at `#<hash>` and waits until the view has rendered. */
export const open = async (hash: string) => {
  await page.goto("about:blank");
  await page.goto(`${node.url}/explorer#${hash}`);
  await page.waitForSelector(`#view[data-state="ready"]`);
};
export const shoot = async (name: string) => {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path });
  screenshots.set(name, path);
};

/**
 * Why the browser suite is skipped, or false when it runs. Without Chromium a developer's
 * `npm test` skips it with this one line; under CI (`CI=true`) it never skips, so a
 * missing browser fails the run with the message in `explorerSession`'s before hook.
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI === "true") return false;
  return `Chromium not found at ${CHROMIUM}: explorer browser tests skipped (apt-get install chromium, or set WEFT_CHROMIUM; CI=true makes them required)`;
}

/** Starts the node and the browser before the calling suite's tests, and stops them after. */
export function explorerSession(): void {
  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `the explorer tests need Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`,
      );
    dir = mkdtempSync(join(tmpdir(), "weft-explorer-"));
    shots = mkdtempSync(join(tmpdir(), "weft-explorer-shots-"));
    [node, browser] = await Promise.all([
      launchNode(dir, ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "4"]),
      chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] }),
    ]);
    genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    wusd = genesis.contracts.wusd as Address;
    dev0 = genesis.accounts[0]?.address as Address;
    dev1 = genesis.accounts[1]?.address as Address;
    // dev 0 → dev 1: 5 WUSD; dev 0 → a stranger: 2 WETH; dev 1 → dev 2: more WUSD than it has (reverts).
    // Two rounds, so that there are at least two blocks (and a block time) before the page opens.
    const okHash = await send(0, 0n, wusd, dev1, 5n * E18);
    ok = { hash: okHash, receipt: await waitForReceipt<Receipt>(node.url, okHash) };
    await send(0, 1n, genesis.contracts.weth as Address, STRANGER, 2n * E18);
    const failedHash = await send(1, 0n, wusd, genesis.accounts[2]?.address as Address, 2_000_000n * E18);
    // dev 3 supplies 100 WUSD to the lending market: approve and supply in one transaction.
    const lending = genesis.contracts.lending as Address;
    const suppliedHash = await sendCalls(3, 0n, [
      {
        target: wusd,
        method: "approve",
        args: encodeAbi(["address", "u128"], [lending, 100n * E18]),
        value: 0n,
      },
      {
        target: lending,
        method: "supply",
        args: encodeAbi(["address", "u128"], [wusd, 100n * E18]),
        value: 0n,
      },
    ]);
    // dev 3 again, its fee paid by the sponsoring paymaster.
    const sponsoredHash = await sendCalls(
      3,
      1n,
      [{ target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [STRANGER, 1n]), value: 0n }],
      { address: genesis.contracts.sponsorPaymaster as Address, data: new Uint8Array(0) },
    );
    const ethKey = ethDevKeys(1)[0] as { privateKey: Uint8Array; address: Address };
    const ethRaw = signEthTxRaw(
      { key: ethKey.privateKey, address: ethKey.address },
      { nonce: 0n, to: STRANGER, value: E18, gasLimit: 21_000n, maxFee: 10n ** 12n, priorityFee: 1n },
      1337n,
    );
    const ethHash = await rpc<string>(node.url, "eth_sendRawTransaction", [hex(ethRaw)]);
    failed = { hash: failedHash, receipt: await waitForReceipt<Receipt>(node.url, failedHash) };
    ethSent = {
      hash: ethHash,
      receipt: await waitForReceipt<Receipt>(node.url, ethHash),
      from: ethKey.address,
    };
    sponsored = { hash: sponsoredHash, receipt: await waitForReceipt<Receipt>(node.url, sponsoredHash) };
    supplied = { hash: suppliedHash, receipt: await waitForReceipt<Receipt>(node.url, suppliedHash) };
    assert.equal(ok.receipt.status, "success");
    assert.equal(failed.receipt.status, "revert");
    assert.equal(supplied.receipt.status, "success");
    assert.equal(sponsored.receipt.status, "success");
    assert.equal(ethSent.receipt.status, "success");
    page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    if (node !== undefined) {
      node.child.kill("SIGTERM");
      await node.exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
}
