/**
 * Hostile proposals. `weft gov propose` reads at most 1 MiB, counted in bytes, and refuses
 * with exit 2, before sending anything, a file without end, a multi-byte text past the cap,
 * more than 10 actions, nested args, a bad value, and a proposal whose `ProposalCreated`
 * event the VM would refuse (16 KiB). Through the RPC, what the SDK's check would have
 * stopped costs its sender bounded gas and comes back as a typed error: a 17 KB
 * description reverts with `LimitExceeded` (event data) within its gas; a 200 KB one is
 * refused before signing (`TxDecodeError`: call args over 128 KiB); 700 KB sent by hand
 * are refused by the node (-32006, HTTP 413); the node answers normally afterwards.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { governor as governorBinding } from "../../../src/bindings/governor.gen.js";
import { lendingMetadata } from "../../../src/bindings/lending.gen.js";
import { TxDecodeError } from "../../../src/chain/tx/envelope.js";
import { readProposal } from "../../../src/cli/commands/governance.js";
import type { Context } from "../../../src/cli/context.js";
import { UsageError } from "../../../src/cli/output.js";
import type { Address } from "../../../src/codec/address.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import {
  checkProposal,
  createClient,
  ed25519Account,
  encodeAction,
  http,
  type LocalAccount,
  ProposalError,
  proposalEventBytes,
  proposalOf,
  proposeCalls,
  TransactionRevertedError,
  type WeftClient,
} from "../../../src/sdk/client/index.js";
import { MAX_EVENT_BYTES } from "../../../src/vm/limits.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";
import { runWeft } from "../../helpers/weftCli.js";

describe("hostile proposals", () => {
  let dir: string;
  let node: TestNode;
  let client: WeftClient;
  let dev0: LocalAccount;
  let governor: Address;
  let lending: Address;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-gov-hostile-"));
    node = await startTestNode();
    client = createClient({ transport: http(node.url) });
    const genesis = await client.genesis();
    dev0 = ed25519Account(devSigner(0).secret, genesis.accounts[0]?.address as Address);
    governor = genesis.contracts.governor as Address;
    lending = genesis.contracts.lending as Address;
  });

  after(async () => {
    await client.close();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const flashFee = { target: "lending", method: "setFlashFee", args: ["25"] };
  const file = (name: string, content: string | object) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
  const propose = (path: string) => runWeft(["--rpc", node.url, "gov", "propose", path, "--from", "dev0"]);

  it("weft gov propose refuses each hostile file with exit 2 and sends nothing", async () => {
    const nonce = await client.nextNonce(dev0.address);
    // 100,000 levels of arrays (JSON.stringify itself would overflow the stack on it).
    const depth = 100_000;
    const nested = `${"[".repeat(depth)}"1"${"]".repeat(depth)}`;
    const cases: Array<[string, string, RegExp]> = [
      ["/dev/zero", "/dev/zero", /proposal \/dev\/zero is over 1048576 bytes/],
      // 600,000 characters but 1,200,000 bytes: the cap counts bytes.
      [
        "multibyte",
        file("multibyte.json", { description: "é".repeat(600_000), actions: [flashFee] }),
        /is over 1048576 bytes/,
      ],
      [
        "11 actions",
        file("eleven.json", { description: "x", actions: Array(11).fill(flashFee) }),
        /11 actions; a proposal has at most 10/,
      ],
      [
        "nested args",
        file(
          "nested.json",
          `{"description":"x","actions":[{"target":"lending","method":"setFlashFee","args":[${nested}]}]}`,
        ),
        /"args" must be an array of strings/,
      ],
      [
        "bad value",
        file("value.json", { description: "x", actions: [{ ...flashFee, value: "1e30" }] }),
        /"value" must be a whole number/,
      ],
      [
        "negative value",
        file("negative.json", { description: "x", actions: [{ ...flashFee, value: -1 }] }),
        /"value" must be a whole number/,
      ],
      [
        "a 17 KB description",
        file("long.json", { description: "d".repeat(17_000), actions: [flashFee] }),
        /ProposalCreated event would be \d+ bytes, above the 16384/,
      ],
      ["not JSON", file("bad.json", "{"), /proposal .*bad\.json: /],
    ];
    // Each file through the command's reader, in process; the first and the last through `weft` itself.
    const ctx = { client } as unknown as Context;
    for (const [what, path, expected] of cases) {
      await assert.rejects(readProposal(ctx, path), (e: unknown) => {
        assert.ok(e instanceof UsageError, `${what}: ${String(e)}`);
        assert.match(e.message, expected, what);
        return true;
      });
    }
    for (const [what, path, expected] of [cases[0], cases[cases.length - 2]] as Array<
      [string, string, RegExp]
    >) {
      const r = await propose(path);
      assert.equal(r.code, 2, `${what}: ${r.err}`);
      assert.match(r.err, expected, what);
    }
    assert.equal(await client.nextNonce(dev0.address), nonce, "nothing was sent");
  });

  it("the SDK's bound is the VM's: an event of exactly 16 KiB is proposed, one byte more is refused", async () => {
    const action = encodeAction(lendingMetadata, lending, "setFlashFee", [26n]);
    const base = proposalEventBytes(proposalOf([action], ""));
    const fits = proposalOf([action], "f".repeat(MAX_EVENT_BYTES - base));
    assert.equal(proposalEventBytes(fits), MAX_EVENT_BYTES);
    checkProposal(fits);
    const receipt = await client.sendAndWait({ account: dev0, calls: proposeCalls(governor, fits) });
    assert.equal(receipt.status, "success");
    const over = proposalOf([action], "f".repeat(MAX_EVENT_BYTES - base + 1));
    assert.throws(
      () => proposeCalls(governor, over),
      (e: unknown) => e instanceof ProposalError && e.code === "TOO_LARGE",
    );
    assert.throws(
      () => proposeCalls(governor, proposalOf([], "x")),
      (e: unknown) => e instanceof ProposalError && e.code === "NO_ACTIONS",
    );
    assert.throws(
      () => proposeCalls(governor, proposalOf(Array(11).fill(action), "x")),
      (e: unknown) => e instanceof ProposalError && e.code === "TOO_MANY_ACTIONS",
    );
  });

  it("through the RPC, what the SDK's check would stop costs bounded gas and comes back typed", async () => {
    const action = encodeAction(lendingMetadata, lending, "setFlashFee", [27n]);
    const raw = (description: string) => {
      const p = proposalOf([action], description);
      const args = governorBinding.propose.encode(p.targets, p.values, p.methods, p.args, p.description);
      return [{ target: governor, method: "propose", args }];
    };
    const gasLimit = 50_000_000n;
    // A 17 KB description: the governor's ProposalCreated event is over the VM's 16 KiB.
    const error = await client.sendAndWait({ account: dev0, calls: raw("h".repeat(17_000)), gasLimit }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TransactionRevertedError, String(error));
    assert.equal(error.phase, "receipt");
    assert.equal(error.revert?.name, "LimitExceeded");
    assert.match(JSON.stringify(error.revert?.args), /event data of \d+ bytes \(max 16384\)/);
    const gasUsed = BigInt((error.receipt as { gasUsed: string | bigint }).gasUsed);
    assert.ok(gasUsed > 0n && gasUsed < gasLimit, `gas ${gasUsed}`);
    // 200 KB: call args over 128 KiB are refused before anything is signed or sent.
    const nonce = await client.nextNonce(dev0.address);
    const tooBig = await client
      .sendAndWait({ account: dev0, calls: raw("h".repeat(200_000)), gasLimit })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(tooBig instanceof TxDecodeError, String(tooBig));
    assert.match(tooBig.message, /args: \d+ bytes \(max 131072\)/);
    assert.equal(await client.nextNonce(dev0.address), nonce);
    // The same bytes sent by hand: the node refuses them with a typed JSON-RPC error.
    const huge = `0x${"00".repeat(700_000)}`;
    const answer = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "weft_sendRawTransaction", params: [huge] }),
    });
    assert.equal(answer.status, 413);
    assert.equal(((await answer.json()) as { error: { code: number } }).error.code, -32006);
    assert.equal(
      (await client.call({ to: lending, method: "flashFee", args: new Uint8Array(0) })).status,
      "success",
    );
  });
});
