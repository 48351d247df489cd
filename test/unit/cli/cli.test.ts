/**
 * The `weft` command line against a node on loopback: keys, accounts, coin and token
 * transfers, deploy, call, tx, proof; `--json` output and the exit codes scripts rely on
 * (0 done, 2 bad usage, 4 reverted).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";
import { weftSync } from "../../helpers/weftCli.js";

const TO = "0x00000000000000000000000000000000000000ab";

describe("weft CLI", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) => weftSync(node.url, dir, args);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-cli-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a key and its account, then sends coin and tokens from it", () => {
    const created = weft("--json", "keys", "new", "alice");
    assert.equal(created.code, 0, created.err);
    assert.equal(created.json().kind, "ed25519");
    assert.equal(weft("keys", "new", "alice").code, 2, "a duplicate name is a usage error");
    const account = weft("--json", "account", "create", "alice", "--from", "dev0", "--fund", "3");
    assert.equal(account.code, 0, account.err);
    const address = account.json().address as string;
    const listed = weft("--json", "keys", "list").json() as unknown as Array<{
      name: string;
      kind: string;
      account: string;
    }>;
    assert.deepEqual(
      listed.filter((k) => k.kind !== "eth-dev").map((k) => [k.name, k.account]),
      [["alice", address]],
    );
    const send = weft("--json", "send", TO, "0.5", "--from", "alice");
    assert.equal(send.code, 0, send.err);
    assert.equal(send.json().status, "success");
    const transfer = weft("transfer", "wusd", address, "25", "--from", "dev1");
    assert.equal(transfer.code, 0, transfer.err);
    assert.match(transfer.out, /transferred 25 of wusd/);
    const shown = weft("--json", "account", "show", "alice").json() as {
      balance: string;
      tokens: { wusd: string };
    };
    assert.equal(shown.tokens.wusd, (25n * 10n ** 18n).toString());
    assert.ok(BigInt(shown.balance) < 25n * 10n ** 17n, "3 coin funded, 0.5 sent, fees paid");
  });

  it("creates passkey and multisig accounts (a 2-of-2 mixing schemes) and sends from them", () => {
    for (const [name, kind] of [
      ["carol", "passkey"],
      ["dave", "secp256k1"],
    ]) {
      assert.equal(weft("keys", "new", name as string, "--kind", kind as string).code, 0);
      const made = weft("--json", "account", "create", name as string, "--from", "dev0", "--fund", "2");
      assert.equal(made.code, 0, made.err);
      assert.equal(made.json().kind, kind);
      const sent = weft("--json", "send", TO, "0.1", "--from", name as string);
      assert.equal(sent.code, 0, sent.err);
    }
    const multi = weft(
      "--json",
      "account",
      "create-multisig",
      "team",
      "--threshold",
      "2",
      "--signer",
      "carol",
      "--signer",
      "dave",
    );
    assert.equal(multi.code, 0, multi.err);
    assert.equal(multi.json().kind, "multisig");
    const paid = weft("--json", "send", TO, "0.25", "--from", "team");
    assert.equal(paid.code, 0, paid.err);
    assert.equal(paid.json().status, "success");
    assert.equal(weft("account", "create-multisig", "bad", "--threshold", "3", "--signer", "carol").code, 2);
  });

  it("deploys a contract, calls it, sends a method, proves a balance", () => {
    const deployed = weft("--json", "deploy", "token", "Mine", "MINE", "6", "1000", TO, "--from", "dev2");
    assert.equal(deployed.code, 0, deployed.err);
    const token = deployed.json().address as string;
    assert.match(token, /^0x[0-9a-f]{40}$/);
    const balance = weft("--json", "call", token, "balanceOf", TO, "--abi", "token");
    assert.equal(balance.json().result, "1000");
    const proof = weft("--json", "proof", TO);
    assert.equal(proof.code, 0, proof.err);
    assert.equal(proof.json().verified, true);
    assert.equal(proof.json().certificate, null, "a dev node's blocks carry no certificate");
    const human = weft("proof", TO);
    assert.match(human.out, /header\s+trusted from the node \(a single dev node/);
    const refused = weft("proof", TO, "--genesis", "/nonexistent/genesis.json");
    assert.equal(refused.code, 2, refused.err);
  });

  it("exits 2 on bad usage and 4 when the transaction reverts, with a reason", () => {
    const wrongArgs = weft("call", TO, "balanceOf", "--abi", "token");
    assert.equal(wrongArgs.code, 2);
    assert.match(wrongArgs.err, /takes 1 argument, got 0/);
    assert.equal(weft("send", "0xab", "1", "--from", "dev0").code, 2);
    assert.equal(weft("frobnicate").code, 2);
    const reverted = weft("--json", "transfer", "wusd", TO, "1", "--from", "dev3");
    assert.equal(reverted.code, 0, "dev3 has WUSD");
    const tooMuch = weft("--json", "transfer", "wusd", TO, "999999999999", "--from", "dev3");
    assert.equal(tooMuch.code, 4, tooMuch.err);
    assert.match(JSON.parse(tooMuch.err).error.message, /InsufficientBalance/);
    assert.equal(weft("--help").code, 0);
  });
});
