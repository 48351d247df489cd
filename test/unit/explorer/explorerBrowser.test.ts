/**
 * The explorer in a real browser (Debian's Chromium through playwright-core) against a real
 * `weft node` process: the page's files and metadata, home with live blocks, transactions
 * and charts, search, and the block page; then the transaction, account and contract pages
 * and "not found" (explorerDetailPages.ts, same session); the sale and airdrop pages
 * (explorerSales.ts); screenshots checked as images.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); WEFT_CHROMIUM overrides the path.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { describe, it } from "node:test";
import type { ExplorerMetadata } from "../../../src/node/explorer/index.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import {
  browserSkip,
  dev0,
  dev1,
  explorerSession,
  failed,
  node,
  ok,
  open,
  page,
  pageErrors,
  STRANGER,
  screenshots,
  send,
  shoot,
  shots,
  VIEWPORT,
  wusd,
} from "../../helpers/explorerSession.js";
import { rpc } from "../../helpers/nodeProcess.js";
import { detailPageTests } from "./explorerDetailPages.js";
import { evmContractTests } from "./explorerEvmContract.js";
import { nftLinkTests } from "./explorerNftLinks.js";
import { proposalPageTests } from "./explorerProposals.js";
import { saleTests } from "./explorerSales.js";
import { userContractTests } from "./explorerUserContract.js";
import { vaultRoundsTests } from "./explorerVaultRounds.js";
import { colourStats, decodePng, differingShare, isPng } from "./png.js";

describe("explorer in a browser", { skip: browserSkip() }, () => {
  explorerSession();

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
    assert.equal(meta.ethAccounts.length, 10);
    assert.deepEqual(
      meta.ethAccounts,
      ethDevKeys().map((k) => k.address),
    );
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
    // The dev accounts by the names the CLI gives them, with their tags.
    await search("dev1");
    await page.waitForURL(`**/explorer#/address/${dev1}`);
    await page.locator("h1 .tag.account", { hasText: "dev account 1 (dev1)" }).waitFor();
    const eth0 = (ethDevKeys(1)[0]?.address ?? "").toLowerCase();
    await search("ETH0");
    await page.waitForURL(`**/explorer#/address/${eth0}`);
    await page.locator("h1 .tag.eoa", { hasText: "Ethereum dev account 0 (eth0)" }).waitFor();
    assert.match(
      (await page.textContent("#account-overview")) ?? "",
      /Ethereum dev account: no code.*eth0 in the CLI/,
    );
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
  detailPageTests();
  nftLinkTests();
  userContractTests();
  evmContractTests();
  saleTests();
  proposalPageTests();
  vaultRoundsTests();

  // Last (it moves the dev chain's clock for good): ages count from the chain's clock.
  it("block ages count from the chain's clock after evm_increaseTime, not from this computer's", async () => {
    await rpc(node.url, "evm_increaseTime", [7_200]);
    await rpc(node.url, "evm_mine", []);
    const head = await rpc<number>(node.url, "weft_blockNumber", []);
    await open(`/block/${head}`);
    const time = (await page.textContent('#block-header tr:has(th:text("Time")) td')) ?? "";
    assert.match(time, /\((\d+) s ago\)/, "two hours ahead of the wall clock, yet just made");
    await open("/");
    await page.waitForSelector(`#latest-blocks tr[data-block="${head}"]`);
    assert.match((await page.textContent(`#latest-blocks tr[data-block="${head}"]`)) ?? "", /\d+ s ago/);
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
      "sale",
      "airdrop",
      "proposal",
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
