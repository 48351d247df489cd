/**
 * The governance pages: a proposal of two actions (the lending market's collateral factor
 * and the timelock's own delay) whose description carries markup, four votes (one with a
 * reason carrying markup), then queued. The list shows it with its title, state and
 * tally; its page shows the state, the votes against the quorum, the eta, both actions
 * decoded, the description as text (no element of it is created, no script of it runs)
 * and the voters. An unknown id is "not found".
 * Registered inside explorerBrowser.test.ts's browser session, like explorerDetailPages.ts.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { lendingMetadata } from "../../../src/bindings/lending.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import {
  castVoteCalls,
  createClient,
  ed25519Account,
  encodeAction,
  getProposal,
  http,
  proposalId,
  proposalOf,
  proposeCalls,
  queueCalls,
} from "../../../src/sdk/client/index.js";
import { genesis, node, open, page, shoot } from "../../helpers/explorerSession.js";
import { rpc } from "../../helpers/nodeProcess.js";

const E18 = 10n ** 18n;
const DESCRIPTION = `Lower WETH's collateral factor to 70%

<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script> & "quotes"`;

export function proposalPageTests(): void {
  it("lists proposals and shows one: state, votes and quorum, eta, decoded actions, text description, voters", async () => {
    const client = createClient({ transport: http(node.url) });
    try {
      const c = genesis.contracts as Record<string, Address>;
      const dev = (i: number) => ed25519Account(devSigner(i).secret, genesis.accounts[i]?.address as Address);
      const governor = c.governor as Address;
      const p = proposalOf(
        [
          encodeAction(lendingMetadata, c.lending as Address, "setCollateralFactor", [
            c.weth,
            (7n * E18) / 10n,
          ]),
          {
            target: c.timelock as Address,
            method: "setDelay",
            args: new Uint8Array([120, 0, 0, 0, 0, 0, 0, 0]),
          },
        ],
        DESCRIPTION,
      );
      const id = `0x${toHex(proposalId(p))}`;
      assert.equal(
        (await client.sendAndWait({ account: dev(1), calls: proposeCalls(governor, p) })).status,
        "success",
      );
      await rpc(node.url, "dev_mine", [2]);
      assert.equal((await getProposal(client, governor, proposalId(p))).state, "Active");
      const vote = (i: number, support: "for" | "against" | "abstain", reason = "") =>
        client.sendAndWait({
          account: dev(i),
          calls: castVoteCalls(governor, proposalId(p), support, reason),
        });
      await vote(0, "for");
      await vote(1, "for");
      await vote(2, "against", "<b>keep it</b>");
      await vote(3, "abstain");
      await rpc(node.url, "dev_mine", [11]);
      assert.equal(
        (await client.sendAndWait({ account: dev(1), calls: queueCalls(governor, p) })).status,
        "success",
      );
      const info = await getProposal(client, governor, proposalId(p));
      assert.equal(info.state, "Queued");

      await open("/proposals");
      const row = `#proposals tr[data-proposal="${id}"]`;
      await page.waitForSelector(row);
      assert.equal(await page.getAttribute(row, "data-state"), "Queued");
      assert.equal(
        (await page.textContent(`${row} [data-k="title"]`))?.trim(),
        "Lower WETH's collateral factor to 70%",
      );
      assert.match(
        (await page.textContent(`${row} [data-k="tally"]`)) ?? "",
        /2,000,000 WGOV for.*1,000,000 WGOV against.*1,000,000 WGOV abstain/s,
      );

      await page.click(`${row} a`);
      await page.waitForSelector(`#view[data-route="proposal"][data-state="ready"]`);
      assert.equal(await page.textContent(`#proposal [data-k="id"]`), id);
      assert.equal(await page.textContent(`#proposal [data-k="state"]`), "Queued");
      assert.match(
        (await page.textContent(`#proposal [data-k="quorum"]`)) ?? "",
        /3,000,000 WGOV of 800,000 WGOV .*reached/,
      );
      assert.match(
        (await page.textContent(`#proposal [data-k="eta"]`)) ?? "",
        new RegExp(`UTC \\(${info.eta}\\)`),
      );
      assert.equal(
        (await page.textContent(`#proposal-actions [data-action="0"] [data-k="call"]`))?.trim(),
        "lending.setCollateralFactor",
      );
      assert.match(
        (await page.textContent(`#proposal-actions [data-action="0"] [data-arg="asset"]`)) ?? "",
        /weth/,
      );
      assert.match(
        (await page.textContent(`#proposal-actions [data-action="0"] [data-arg="factor"]`)) ?? "",
        /700,000,000,000,000,000/,
      );
      assert.equal(
        (await page.textContent(`#proposal-actions [data-action="1"] [data-k="call"]`))?.trim(),
        "timelock.setDelay",
      );
      assert.match(
        (await page.textContent(`#proposal-actions [data-action="1"] [data-arg="next"]`)) ?? "",
        /120/,
      );
      // The description is text: shown as written, nothing of it parsed or run.
      assert.equal(await page.textContent("#proposal-description"), DESCRIPTION);
      assert.equal(await page.locator("#proposal-description *").count(), 0);
      assert.equal(await page.evaluate("typeof globalThis.__pwned"), "undefined");
      const voters = page.locator("#proposal-voters tbody tr");
      assert.equal(await voters.count(), 4);
      const against = `#proposal-voters tr[data-support="against"]`;
      assert.equal(await page.getAttribute(against, "data-voter"), genesis.accounts[2]?.address);
      assert.equal(await page.textContent(`${against} [data-k="reason"]`), "<b>keep it</b>");
      assert.equal(await page.locator(`${against} [data-k="reason"] b`).count(), 0);
      assert.match((await page.textContent(`${against} [data-k="weight"]`)) ?? "", /1,000,000 WGOV/);
      await shoot("proposal");

      await open(`/proposal/0x${"00".repeat(32)}`);
      await page.waitForSelector("#not-found");
      await open("/proposal/nonsense");
      await page.waitForSelector("#not-found");
    } finally {
      await client.close();
    }
  });
}
