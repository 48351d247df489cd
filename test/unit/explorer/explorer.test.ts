/**
 * The explorer in a real browser (Debian's Chromium through playwright-core) against a real
 * `weft node` process: home with live blocks, transactions and charts; search; the block,
 * transaction, account and contract pages; "not found"; screenshots checked as images.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); WEFT_CHROMIUM overrides the path.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import type { ExplorerMetadata } from "../../../src/node/explorer/index.js";
import { devSigner, type GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { colourStats, decodePng, differingShare, isPng } from "./png.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const E18 = 10n ** 18n;
const STRANGER: Address = "0x00000000000000000000000000000000000000aa";
const VIEWPORT = { width: 1280, height: 900 };

interface Receipt {
  status: string;
  blockNumber: number;
  blockHash: string;
  output: string;
}

describe("explorer in a browser", () => {
  let dir: string;
  let shots: string;
  let node: NodeProcess;
  let browser: Browser;
  let page: Page;
  let genesis: GenesisInfo;
  let wusd: Address;
  let dev0: Address;
  let dev1: Address;
  const pageErrors: string[] = [];
  const screenshots = new Map<string, string>();
  let ok: { hash: string; receipt: Receipt };
  let failed: { hash: string; receipt: Receipt };
  let supplied: { hash: string; receipt: Receipt };
  let sponsored: { hash: string; receipt: Receipt };

  const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
  const send = async (devIndex: number, sequence: bigint, token: Address, to: Address, amount: bigint) => {
    const sender = genesis.accounts[devIndex]?.address as Address;
    const raw = tokenTransferRaw({ chainId: 1337n, sender, devIndex, sequence }, token, to, amount);
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]);
    return hash;
  };
  /** A signed envelope from dev account `devIndex` running `calls` in one transaction. */
  const sendCalls = async (
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
  const open = async (hash: string) => {
    await page.goto("about:blank");
    await page.goto(`${node.url}/explorer#${hash}`);
    await page.waitForSelector(`#view[data-state="ready"]`);
  };
  const shoot = async (name: string) => {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path });
    screenshots.set(name, path);
  };

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
    failed = { hash: failedHash, receipt: await waitForReceipt<Receipt>(node.url, failedHash) };
    sponsored = { hash: sponsoredHash, receipt: await waitForReceipt<Receipt>(node.url, sponsoredHash) };
    supplied = { hash: suppliedHash, receipt: await waitForReceipt<Receipt>(node.url, suppliedHash) };
    assert.equal(ok.receipt.status, "success");
    assert.equal(failed.receipt.status, "revert");
    assert.equal(supplied.receipt.status, "success");
    assert.equal(sponsored.receipt.status, "success");
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

  it("serves the page, its modules and the contracts' metadata", async () => {
    const html = await fetch(`${node.url}/explorer`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get("content-type") ?? "", /text\/html/);
    assert.match(html.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(await html.text(), /<script type="module" src="\/explorer\/app.js">/);
    const js = await fetch(`${node.url}/explorer/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /text\/javascript/);
    assert.equal((await fetch(`${node.url}/explorer/nothing.js`)).status, 404);
    const meta = (await (await fetch(`${node.url}/explorer/metadata.json`)).json()) as ExplorerMetadata;
    assert.equal(meta.contracts.wusd?.address, wusd);
    assert.equal(meta.contracts.wusd?.artifact, "token");
    assert.equal(meta.contracts.pool?.artifact, "pair");
    assert.equal(meta.contracts.lending?.artifact, "lending");
    assert.ok(meta.contracts.wusd?.metadata?.events.some((e) => e.name === "Transfer"));
    assert.ok(Object.values(meta.contracts).every((c) => c.metadata !== null));
    assert.equal(meta.accounts[0]?.address, dev0);
    assert.equal(meta.accounts[0]?.artifact, "ed25519Account");
    assert.ok(Object.values(meta.codeHashes).includes("token"));
  });

  it("home shows the latest blocks and transactions, live, with charts", async () => {
    await open("/");
    await page.waitForSelector(`#latest-txs tr[data-tx="${ok.hash}"]`);
    await page.waitForSelector(`#latest-txs tr[data-tx="${failed.hash}"]`);
    await page.waitForSelector(`#latest-blocks tr[data-block="${ok.receipt.blockNumber}"]`);
    await page.waitForSelector(`#live-status[data-status="live"]`);
    assert.match(
      (await page.textContent(`#latest-txs tr[data-tx="${failed.hash}"]`)) ?? "",
      /wusd\.transfer.*revert/s,
    );
    // A transaction sent while the page is open arrives through newHeads.
    const live = await send(2, 0n, wusd, STRANGER, 1n);
    await page.waitForSelector(`#latest-txs tr[data-tx="${live}"]`);
    await page.waitForSelector("#chart-tps svg circle.dot");
    assert.ok((await page.locator("#chart-blocktime svg rect.bar").count()) >= 2);
    assert.match((await page.textContent("#stat-head")) ?? "", /#\d+/);
    await shoot("home");
  });

  it("search goes to blocks, transactions and addresses, and says what it did not find", async () => {
    const search = async (text: string) => {
      await page.fill("#search-input", text);
      await page.press("#search-input", "Enter");
    };
    await open("/");
    await search(String(ok.receipt.blockNumber));
    await page.waitForURL(`**/explorer#/block/${ok.receipt.blockNumber}`);
    await page.waitForSelector("#block-header");
    await search(ok.hash);
    await page.waitForURL(`**/explorer#/tx/${ok.hash}`);
    await page.waitForSelector("#tx-overview");
    await search(ok.receipt.blockHash);
    await page.waitForURL(`**/explorer#/block/${ok.receipt.blockHash}`);
    assert.equal(await page.textContent("#block-header tr:first-child td"), String(ok.receipt.blockNumber));
    await search(dev1.toUpperCase().replace("0X", "0x"));
    await page.waitForURL(`**/explorer#/address/${dev1}`);
    await page.waitForSelector("#account-overview");
    await search(`0x${"ab".repeat(32)}`);
    await page.waitForSelector("#search-message.error");
    assert.match(
      (await page.textContent("#search-message")) ?? "",
      /Not found: no block or transaction has the hash 0xabab/,
    );
    await search("987654321");
    await page.locator("#search-message", { hasText: "Block #987654321 not found" }).waitFor();
    await search("hello");
    await page.locator("#search-message", { hasText: "is not a block number" }).waitFor();
    await search("wusd");
    await page.waitForURL(`**/explorer#/address/${wusd}`);
    await shoot("search-not-found-then-wusd");
  });

  it("the block page shows the header and how the block ran", async () => {
    await open(`/block/${ok.receipt.blockNumber}`);
    const mode = (await page.textContent("#execution-mode")) ?? "";
    assert.match(mode, /^(parallel|sequential[-a-z]*)$/);
    const metric = async (k: string) => page.textContent(`#execution-metrics [data-k="${k}"]`);
    assert.match((await metric("workers")) ?? "", /^\d+$/);
    assert.match((await metric("executions")) ?? "", /^[\d,]+$/);
    assert.match((await metric("validationAborts")) ?? "", /^[\d,]+$/);
    assert.match((await metric("dependencyWaits")) ?? "", /^[\d,]+$/);
    // execute and state root; commit too when the record has it
    assert.ok((await page.locator("#phase-bar svg rect.phase").count()) >= 2);
    await page.waitForSelector("#execution-timeline-missing");
    await page.waitForSelector(`#block-txs tr[data-tx="${ok.hash}"]`);
    await shoot("block");
  });

  it("the block page draws the engine's timeline and conflicts when the record has them", async () => {
    const n = ok.receipt.blockNumber;
    await page.route(`${node.url}/`, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as {
        result?: { number?: number; execution?: Record<string, unknown> };
      };
      if (body.result?.number === n && body.result.execution) {
        // The engine's shape: tasks with a kind (an entry without one is an execution).
        body.result.execution.timeline = [
          { tx: 0, worker: 0, startUs: 0, endUs: 120, incarnation: 0, kind: "execute" },
          { tx: 1, worker: 1, startUs: 10, endUs: 90, incarnation: 0, kind: "execute" },
          { tx: 1, worker: 1, startUs: 92, endUs: 100, incarnation: 0, kind: "validate" },
          { tx: 1, worker: 1, startUs: 100, endUs: 104, incarnation: 0, kind: "abort" },
          { tx: 1, worker: 1, startUs: 130, endUs: 210, incarnation: 1 },
          { tx: 2, worker: 0, startUs: 121, endUs: 124, incarnation: 0, kind: "wait" },
          { tx: 2, worker: 0, startUs: 125, endUs: 180, incarnation: 0, kind: "execute" },
        ];
        body.result.execution.conflicts = [
          { key: `03${wusd.slice(2)}${"22".repeat(32)}`, count: 2, txs: [0, 1] },
        ];
      }
      await route.fulfill({ response, json: body });
    });
    try {
      await open(`/block/${n}`);
      assert.equal(await page.locator("#execution-timeline rect.run").count(), 7);
      assert.equal(await page.locator("#execution-timeline rect.run.execute").count(), 4);
      assert.equal(await page.locator("#execution-timeline rect.run.aborted").count(), 1);
      assert.equal(await page.locator("#execution-timeline rect.run.hot").count(), 3);
      assert.equal(await page.locator("#execution-timeline rect.run.validate").count(), 1);
      assert.equal(await page.locator("#execution-timeline rect.run.wait").count(), 1);
      assert.match(
        (await page.textContent("#worker-summary tbody tr:nth-child(2)")) ?? "",
        /worker 1\s*2\s*1\s*1\s*1\s*0/,
      );
      const conflict = (await page.textContent("#execution-conflicts tbody tr")) ?? "";
      assert.match(conflict, /storage of\s*wusd/);
      assert.match(conflict, /#0, #1/);
      await page.locator("#execution-conflicts").scrollIntoViewIfNeeded();
      await shoot("block-timeline");
    } finally {
      await page.unrouteAll();
    }
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

  it("says 'not found' for an unknown transaction", async () => {
    await open(`/tx/0x${"12".repeat(32)}`);
    assert.match((await page.textContent("#not-found")) ?? "", /Transaction 0x1212.* not found/);
    await shoot("not-found");
  });

  it("took screenshots that are real, different images", () => {
    for (const name of [
      "home",
      "block",
      "block-timeline",
      "tx",
      "tx-revert",
      "account",
      "contract",
      "not-found",
    ])
      assert.ok(screenshots.has(name), `no screenshot of ${name}: its test failed`);
    const images = new Map([...screenshots].map(([name, path]) => [name, readFileSync(path)]));
    for (const [name, bytes] of images) {
      assert.ok(isPng(bytes), `${name}: not a PNG`);
      assert.ok(statSync(screenshots.get(name) as string).size > 10_000, `${name}: suspiciously small`);
      const png = decodePng(bytes);
      assert.deepEqual([png.width, png.height], [VIEWPORT.width, VIEWPORT.height], name);
      const { distinct, dominantShare } = colourStats(png);
      assert.ok(distinct > 50, `${name}: only ${distinct} colours`);
      assert.ok(dominantShare < 0.95, `${name}: one colour covers ${(dominantShare * 100).toFixed(1)}%`);
    }
    const home = decodePng(images.get("home") as Buffer);
    const tx = decodePng(images.get("tx") as Buffer);
    assert.ok(differingShare(home, tx) > 0.05, "the home and transaction pages look the same");
    assert.deepEqual(pageErrors, []);
    console.log(`screenshots in ${shots}`);
  });
});
