/**
 * The explorer on a validator network, in a real browser (Chromium through playwright-core):
 * four validators over libp2p (`startValidator`), node 0 serving JSON-RPC and the explorer.
 * Validator 2 is slashed for double signing (evidence published by another host). The
 * validators page shows every validator's stake, voting power, uptime, missed blocks and
 * state (validator 2 tombstoned, its stake 5% lower); a block page shows its proposer, its
 * certificate's signers and power, and the end-of-block step's events (the block that
 * slashed validator 2: `ValidatorTombstoned`). `weft_getEndBlock` keeps the events.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); WEFT_CHROMIUM overrides the path.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Address } from "../../../src/codec/address.js";
import { sign } from "../../../src/consensus/bls.js";
import { duplicateVoteEvidence, encodeEvidence } from "../../../src/consensus/evidence.js";
import { voteSigningBytes } from "../../../src/consensus/signingBytes.js";
import { type UnsignedVote, type Vote, VoteType } from "../../../src/consensus/types.js";
import { evidenceChannel } from "../../../src/net/gossipChannel.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { chainTopics } from "../../../src/net/topics.js";
import { NODE_TOPICS, nodeMethods } from "../../../src/node/api/index.js";
import { explorerRoutes } from "../../../src/node/explorer/index.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { createRpcServer, type RpcServer } from "../../../src/node/rpc/index.js";
import type { SystemCallJson } from "../../../src/node/store/endBlockRecord.js";
import { isTombstoned } from "../../../src/node/validator/evidenceCheck.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { browserSkip } from "../../helpers/explorerSession.js";
import { waitFor } from "../../helpers/p2p.js";
import {
  CHAIN_ID,
  E18,
  networkSpec,
  startValidatorHosts,
  type ValidatorHosts,
} from "../../helpers/validatorHosts.js";
import { blsKey } from "../../helpers/validators.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";

function precommit(key: number, height: number, nil: boolean): Vote {
  const unsigned: UnsignedVote = {
    type: VoteType.Precommit,
    height,
    round: 3,
    valueHash: nil ? null : new Uint8Array(randomBytes(32)),
    validator: key,
  };
  const secret = SecretKey.fromBytes(blsKey(key).secret);
  return { ...unsigned, signature: sign(secret, voteSigningBytes(CHAIN_ID.toString(), unsigned)) };
}

describe("explorer on a validator network", { skip: browserSkip() }, () => {
  let root: string;
  let v: ValidatorHosts;
  let server: RpcServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let slashedAt: number;
  const two = devAccountAddress(2);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "weft-explorer-validators-"));
    [v, browser] = await Promise.all([
      startValidatorHosts(root, networkSpec(4), { extraHosts: 1 }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] }),
    ]);
    const node = v.nodes[0];
    assert.ok(node);
    server = createRpcServer({
      port: 0,
      methods: nodeMethods(node),
      topics: NODE_TOPICS,
      routes: explorerRoutes(node),
    });
    node.onBlock((b) => server.publish("newHeads", b.block.header));
    url = (await server.listen()).url;
    await waitFor("block 2", () => v.nodes.every((n) => n.head().number >= 2), 90_000);
    const evidence = evidenceChannel(v.hosts[4] as P2pNode, chainTopics(CHAIN_ID));
    await evidence.broadcast(
      encodeEvidence(duplicateVoteEvidence(precommit(2, 1, false), precommit(2, 1, true))),
    );
    const staking = node.genesis.network?.staking as Address;
    await waitFor(
      "validator 2 tombstoned",
      () => v.nodes.every((n) => isTombstoned((k) => n.state.get(k), staking, two)),
      90_000,
    );
    evidence.close();
    // The block whose end-of-block step tombstoned it.
    slashedAt = node.head().number;
    while (slashedAt > 1) {
      const end = await rpc<{ calls: SystemCallJson[] } | null>(url, "weft_getEndBlock", [slashedAt]);
      if (end?.calls.some((c) => c.method === "slashEquivocation")) break;
      slashedAt--;
    }
    await waitFor("one block after", () => node.head().number > slashedAt + 1, 60_000);
    // Consensus stops here: four validators in this process would hold up the browser's
    // driver (same event loop); node 0 keeps serving its chain.
    for (const s of v.services) s.close();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await v?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const open = async (hash: string) => {
    await page.goto("about:blank");
    await page.goto(`${url}/explorer#${hash}`);
    await page.waitForSelector(`#view[data-state="ready"]`);
  };

  it("the end-of-block step's calls and events are kept per block and served", async () => {
    const end = await rpc<{ number: number; calls: SystemCallJson[] }>(url, "weft_getEndBlock", [slashedAt]);
    const slash = end.calls.find((c) => c.method === "slashEquivocation");
    assert.equal(slash?.status, "success");
    assert.equal(slash?.logs.length, 1, "one event: ValidatorTombstoned");
    const endBlock = end.calls.find((c) => c.method === "endBlock");
    assert.equal(endBlock?.status, "success");
    assert.ok((endBlock?.logs.length ?? 0) >= 1, "rewards were paid (BlockRewarded)");
  });

  it("the validators page shows stake, power, uptime, missed blocks and the tombstoned validator", async () => {
    await open("/validators");
    await page.waitForSelector("#validators tbody tr");
    assert.equal(await page.locator("#validators tbody tr").count(), 4);
    const row = (i: number) => `#validators tr[data-validator="${devAccountAddress(i)}"]`;
    assert.equal(await page.getAttribute(row(2), "data-state"), "tombstoned");
    for (const i of [0, 1, 3]) assert.equal(await page.getAttribute(row(i), "data-state"), "active");
    assert.equal(
      await page.getAttribute(`${row(2)} td[data-k="stake"] .amount`, "data-base-units"),
      String(1_000n * E18 - (1_000n * E18) / 20n),
    );
    assert.equal(
      await page.getAttribute(`${row(0)} td[data-k="stake"] .amount`, "data-base-units"),
      String(1_000n * E18),
    );
    assert.match((await page.textContent(`${row(0)} td[data-k="power"]`)) ?? "", /^\s*250,000,000/);
    assert.match((await page.textContent(`${row(0)} td[data-k="uptime"]`)) ?? "", /\d+\.\d% \(\d+\/\d+\)/);
    assert.match((await page.textContent(`${row(1)} td[data-k="missed"]`)) ?? "", /^\d+$/);
    if (process.env.WEFT_SHOTS)
      await page.screenshot({ path: join(process.env.WEFT_SHOTS, "validators.png") });
  });

  it("a block page shows its proposer, certificate signers and power, and the slash event", async () => {
    await open(`/block/${slashedAt}`);
    await page.waitForSelector("#block-certificate");
    const signers = await page.locator("#block-certificate [data-signer]").count();
    assert.ok(signers >= 3, `${signers} signers: more than 2/3 of 4 equal powers`);
    assert.match(
      (await page.textContent('#block-certificate [data-k="signed-power"]')) ?? "",
      /of 1,000,000,000/,
    );
    assert.ok(((await page.textContent('#block-certificate [data-k="proposer"]')) ?? "").includes("0x"));
    await page.waitForSelector('#end-block-events [data-event="ValidatorTombstoned"]');
    await page.waitForSelector('#end-block-events [data-event="BlockRewarded"]');
    if (process.env.WEFT_SHOTS)
      await page.screenshot({ path: join(process.env.WEFT_SHOTS, "block.png"), fullPage: true });
  });
});
