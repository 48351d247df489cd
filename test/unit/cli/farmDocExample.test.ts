/**
 * docs/farm.md's walkthrough, run as written against a started `weft node` (the dev
 * genesis): each `weft ...` line of its `sh` block through the CLI, in order, must succeed,
 * with the tokens' symbols in what it prints; then the refusals the page quotes (too few
 * LP tokens, nothing staked) say so in WLP before sending (exit 2), and the same shortfall
 * met by the contract itself (`TransferFailed`, the check before sending skipped) is
 * explained the same way, as a revert (exit 4).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { token as tokenBinding } from "../../../src/bindings/token.gen.js";
import { type Context, signerFor } from "../../../src/cli/context.js";
import { EXIT, output, reportError } from "../../../src/cli/output.js";
import { explainReverts } from "../../../src/cli/readableReverts.js";
import type { Address } from "../../../src/codec/address.js";
import {
  farmDepositCalls,
  getContract,
  getFarmPositions,
  TransactionRevertedError,
} from "../../../src/sdk/client/index.js";
import { docCommands, runCommands } from "../../helpers/docWalkthrough.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const DOC = fileURLToPath(new URL("../../../../docs/farm.md", import.meta.url));
const E18 = 10n ** 18n;

describe("docs/farm.md: the walkthrough", () => {
  const fixture = useNodeProcess("weft-farm-doc-");

  it("runs as written on a fresh dev chain, in the tokens' units", async () => {
    const { node, client } = fixture;
    const rpc = ["--rpc", node.url];
    const outputs = await runCommands(node.url, docCommands(DOC, "## Walkthrough"));
    assert.equal(outputs.length, 6);
    const at = (i: number) => outputs[i] ?? "";
    assert.match(at(0), /1 WFARM a second until .* UTC \(in .*\), 10000000 WFARM funded/);
    assert.match(at(0), /pool 0: 0x[0-9a-f]{40} \(WLP\), 100 points, 10 WLP staked, 1 WFARM a second/);
    assert.match(at(1), /staked 40 WLP in pool 0/);
    assert.match(at(2), /pool 0: 40 WLP staked \(80\.00% of the pool\), [\d.]+ WFARM to harvest/);
    assert.match(at(3), /harvested [\d.]+ WFARM from pool 0/);
    assert.match(at(3), /event farm\.Harvest\(.*amount: [\d.]+ WFARM\)/);
    assert.match(at(4), /unstaked 30 WLP from pool 0/);
    assert.match(at(5), /took 10 WLP back from pool 0/);

    const { accounts, contracts } = await client.genesis();
    const dev2 = accounts[2]?.address as Address;
    const farm = contracts.farm as Address;
    const lp = contracts.pool as Address;
    const left = (await getFarmPositions(client, farm, dev2)).filter((p) => p.staked > 0n);
    assert.deepEqual(left, [], "nothing left staked");
    const lpToken = getContract({ client, address: lp, binding: tokenBinding });
    assert.equal(await lpToken.read.balanceOf(dev2), 100n * E18, "all 40 WLP came back");

    // Refused before sending, in WLP.
    const tooMuch = await runWeft([...rpc, "farm", "deposit", "0", "400", "--from", "dev2"]);
    assert.equal(tooMuch.code, 2, tooMuch.err);
    assert.match(tooMuch.err, /insufficient balance: you hold 100 WLP, this needs 400 WLP/);
    const nothing = await runWeft([...rpc, "farm", "emergency-withdraw", "0", "--from", "dev2"]);
    assert.equal(nothing.code, 2, nothing.err);
    assert.match(nothing.err, /nothing staked in pool 0/);
    assert.doesNotMatch(nothing.err, /ZeroAmount/);
    const overdraw = await runWeft([...rpc, "farm", "withdraw", "0", "50", "--from", "dev0"]);
    assert.equal(overdraw.code, 2, overdraw.err);
    assert.match(overdraw.err, /you have 10 WLP staked in pool 0; this withdraws 50 WLP/);

    // The contract's own TransferFailed, explained the same way (exit 4).
    const ctx: Context = { client, out: output(false), options: { rpc: node.url, json: false } };
    const account = await signerFor(ctx, "dev2");
    const error = await explainReverts(ctx, { sender: dev2 }, () =>
      client.sendAndWait({ account, calls: farmDepositCalls(farm, lp, 0n, 400n * E18) }),
    ).then(
      () => assert.fail("a deposit of 400 WLP from 100 must revert"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TransactionRevertedError, String(error));
    assert.match(error.message, /^insufficient balance: you hold 100 WLP, this needs 400 WLP/);
    assert.ok(
      error.details.some((d) => /amount: 400 WLP/.test(d)),
      error.details.join("\n"),
    );
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      assert.equal(reportError(error, false), EXIT.reverted);
    } finally {
      process.stderr.write = write;
    }
    assert.match(written.join(""), /TransferFailed \(farm\)/);
  });
});
