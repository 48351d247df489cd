/**
 * docs/governance.md's end-to-end example, run as written against a started `weft node`
 * (the dev genesis): the proposal file from its `json` block, then each `weft ...` line of
 * its `sh` block through the CLI: propose, wait for voting, three votes, wait past the
 * deadline, queue into the timelock, wait for the eta (dev time controls), execute. The
 * lending market's flash-loan fee, a parameter the timelock owns, goes from 9 to 25, and
 * the proposal ends Executed with the tally the comments give.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Address } from "../../../src/codec/address.js";
import { getProposal } from "../../../src/sdk/client/index.js";
import { docBlock, docCommands, runCommands } from "../../helpers/docWalkthrough.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const DOC = fileURLToPath(new URL("../../../../docs/governance.md", import.meta.url));
const E18 = 10n ** 18n;

/** The proposal file and the commands (words; "quoted words" kept together) under "## End to end". */
function example(): { proposal: string; commands: string[][] } {
  return {
    proposal: docBlock(DOC, "## End to end", "json"),
    commands: docCommands(DOC, "## End to end"),
  };
}

describe("docs/governance.md: the end-to-end example", () => {
  const fixture = useNodeProcess("weft-gov-doc-", { dataSubdir: true });

  it("changes the lending market's flash-loan fee by proposal, vote, queue and execute", async () => {
    const { dir, node, client } = fixture;
    const { proposal, commands } = example();
    writeFileSync(join(dir, "flash-fee.json"), proposal);
    assert.ok(commands.length >= 11);
    const outputs = await runCommands(node.url, commands, dir);
    assert.match(outputs[0] ?? "", /\b9\b/);
    assert.match(outputs[3] ?? "", /^voted for with 1,000,000 WGOV\n/);
    assert.match(outputs.at(-1) ?? "", /\b25\b/);
    assert.match(outputs.at(-2) ?? "", /Executed/);
    const { contracts } = await client.genesis();
    const id = /proposal (0x[0-9a-f]{64})/.exec(outputs[1] ?? "")?.[1];
    assert.ok(id !== undefined, outputs[1]);
    const p = await getProposal(client, contracts.governor as Address, Buffer.from(id.slice(2), "hex"));
    assert.equal(p.state, "Executed");
    assert.deepEqual(p.votes, { for: 2_000_000n * E18, against: 1_000_000n * E18, abstain: 0n });
    assert.equal(p.quorum, 800_000n * E18);
    assert.match(outputs.at(-2) ?? "", /for 2,000,000, against 1,000,000, abstain 0 WGOV \(quorum 800,000\)/);
    const weft = (...args: string[]) => runWeft(["--rpc", node.url, ...args], { cwd: dir });
    // Steps the governor would refuse are refused before sending, with the states by name.
    const again = await weft("gov", "execute", "flash-fee.json", "--from", "dev0");
    assert.equal(again.code, 2, again.err);
    assert.match(again.err, /is Executed: execute needs it Queued/);
    const twice = await weft("gov", "propose", "flash-fee.json", "--from", "dev0");
    assert.equal(twice.code, 2, twice.err);
    assert.match(twice.err, new RegExp(`proposal ${id} already exists: it is Executed`));
    writeFileSync(
      join(dir, "second.json"),
      JSON.stringify({ ...JSON.parse(proposal), description: "The same, asked again" }),
    );
    assert.equal((await weft("gov", "propose", "second.json", "--from", "dev0")).code, 0);
    const early = await weft("gov", "vote", "second.json", "for", "--from", "dev1");
    assert.equal(early.code, 2, early.err);
    assert.match(early.err, /is Pending: vote needs it Active/);
    assert.match(early.err, /weft gov wait second\.json/);
    const stranger = await weft("gov", "cancel", "second.json", "--from", "dev1");
    assert.equal(stranger.code, 2, stranger.err);
    assert.match(stranger.err, /only the proposer/);
    writeFileSync(join(dir, "third.json"), JSON.stringify({ ...JSON.parse(proposal), description: "Third" }));
    const dev2 = (await client.genesis()).accounts[2]?.address as string;
    const delegated = await weft("tx", "govToken", "delegate", dev2, "--from", "dev3");
    assert.equal(delegated.code, 0, delegated.err);
    const poor = await weft("gov", "propose", "third.json", "--from", "dev3");
    assert.equal(poor.code, 2, poor.err);
    assert.match(poor.err, /has 0 WGOV of votes; proposing needs 1,000 WGOV/);
    const bad = await runWeft(
      ["--rpc", node.url, "gov", "vote", "flash-fee.json", "maybe", "--from", "dev0"],
      { cwd: dir },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.err, /expected for, against or abstain/);
  });
});
