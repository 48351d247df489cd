/**
 * docs/nft.md's end-to-end example, run as written against a started `weft node` (the dev
 * genesis): each `weft ...` line of its `sh` block runs through the CLI and must succeed,
 * and the chain must then be as the comments say (owners, the royalty split, the claim,
 * the rental's user and expiry, the mint).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Address } from "../../../src/codec/address.js";
import { getNftEarnings, getNftToken } from "../../../src/sdk/client/index.js";
import { docCommands, runCommands } from "../../helpers/docWalkthrough.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";

const DOC = fileURLToPath(new URL("../../../../docs/nft.md", import.meta.url));
const E18 = 10n ** 18n;

describe("docs/nft.md: the end-to-end example", () => {
  const fixture = useNodeProcess("weft-nft-doc-");

  it("runs as written, and the chain is as its comments say", async () => {
    const { node, client } = fixture;
    const commands = docCommands(DOC, "## End to end");
    assert.ok(commands.length >= 8);
    const outputs = await runCommands(node.url, commands);
    const { accounts, contracts } = await client.genesis();
    const dev = accounts.map((a) => a.address as Address);
    const nft = contracts.collectibles as Address;
    const market = contracts.nftMarket as Address;
    assert.match(outputs[0] ?? "", new RegExp(`owner ${dev[0]}`));
    assert.match(outputs[0] ?? "", new RegExp(`royalty 500 bps to ${dev[0]}`));
    const one = await getNftToken(client, nft, 1n);
    assert.equal(one.owner, dev[2], "dev2 bought token 1");
    // dev0: the royalty of the sale (5% of 25) and the rental it lent (3 days at 0.5).
    assert.equal(
      await getNftEarnings(client, market, dev[0] as Address),
      (25n * E18 * 500n) / 10_000n + (3n * E18) / 2n,
    );
    assert.equal(await getNftEarnings(client, market, dev[1] as Address), 0n, "dev1 claimed");
    assert.match(outputs[4] ?? "", /claimed 23\.75 coin/);
    const two = await getNftToken(client, nft, 2n);
    assert.equal(two.owner, dev[0], "deposited for rent, still dev0's");
    assert.equal(two.holder, market);
    assert.deepEqual(two.deposit, { market, lender: dev[0], escrowed: false });
    assert.equal(two.user, dev[3]);
    assert.ok((two.userExpires ?? 0n) > 3n * 86_400n);
    assert.match(outputs[7] ?? "", new RegExp(`owner ${dev[0]} \\(deposited with the market for rent\\)`));
    assert.match(outputs[7] ?? "", new RegExp(`holder ${market} \\(the market\\)`));
    assert.match(
      outputs[7] ?? "",
      new RegExp(
        `user ${dev[3]} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(in (3 days 0 h 0 min|2 days 23 h 59 min)\\)`,
      ),
    );
    assert.equal((await getNftToken(client, nft, 77n)).owner, dev[3]);
  });
});
