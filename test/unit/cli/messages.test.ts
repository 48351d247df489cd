/**
 * What the `weft` command says when something is wrong or needs a label (issue 14,
 * leftovers of a fresh user's first hour): a send beyond the balance names the balance, the
 * amount and the fee in coin (and the VM's own `InsufficientBalance` carries the account,
 * its balance and what it needed); `account show` labels a code hash as one and names the
 * code when it is known.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeError } from "../../../src/codec/abi.js";
import { fromHex } from "../../../src/codec/bytes.js";
import { type NodeProcess, RpcCallError, rpc, startNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const TO = "0x00000000000000000000000000000000000000ad";

describe("weft CLI messages", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) =>
    runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-cli-msg-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("a send beyond the balance names the balance, the amount and the fee, in coin, and sends nothing", async () => {
    const r = await weft("send", TO, "5000000", "--from", "dev1");
    assert.equal(r.code, 3, r.err);
    assert.match(
      r.err,
      /insufficient funds: dev1 holds 1000000 coin; sending 5000000 coin with a fee of up to 0\.0*[1-9]\d* coin needs 5000000\.0*[1-9]\d* coin/,
    );
    assert.match(r.err, /balance: 1000000 coin/);
    assert.match(r.err, /fee: up to [\d.]+ coin \(gas limit \d+ × max fee \d+\)/);
    assert.match(r.err, /short by: 4000000\.\d+ coin/);
    const json = await weft("--json", "send", TO, "5000000", "--from", "dev1");
    assert.equal(JSON.parse(json.err).error.name, "InsufficientFundsError");
    const sent = await weft("send", TO, "2", "--from", "dev1");
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, /sent 2 coin/);
  });

  it("the VM's InsufficientBalance says whose balance, how much it holds and how much was needed", async () => {
    const dev1 = (await rpc<{ accounts: Array<{ address: string }> }>(node.url, "weft_genesis")).accounts[1]
      ?.address as string;
    const needed = 10n ** 30n;
    try {
      await rpc(node.url, "weft_estimateGas", [
        { sender: dev1, calls: [{ target: TO, method: "", value: needed.toString() }] },
      ]);
      assert.fail("expected the estimate to revert");
    } catch (error) {
      if (!(error instanceof RpcCallError)) throw error;
      const output = (error.data as { output: string }).output;
      const { name, args } = decodeError(fromHex(output.slice(2)), ["address", "u128", "u128"]);
      assert.equal(name, "InsufficientBalance");
      assert.equal(args[0], dev1);
      assert.ok(typeof args[1] === "bigint" && args[1] > 0n && args[1] < needed, `balance ${args[1]}`);
      assert.equal(args[2], needed);
    }
  });

  it("sends coin to a smart account (a dev account): the balance moves, no NoSuchMethod", async () => {
    const accounts = (await rpc<{ accounts: Array<{ address: string }> }>(node.url, "weft_genesis")).accounts;
    const dev2 = accounts[2]?.address as string;
    const balance = async () =>
      BigInt((await rpc<{ balance: string }>(node.url, "weft_getAccount", [dev2])).balance);
    const before = await balance();
    const sent = await weft("send", dev2, "3", "--from", "dev1");
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, /sent 3 coin to 0x[0-9a-f]{40}/);
    assert.equal(await balance(), before + 3n * 10n ** 18n);
  });

  it("account show labels the code hash and names known code", async () => {
    const dev0 = await weft("account", "show", "dev0");
    assert.equal(dev0.code, 0, dev0.err);
    assert.match(dev0.out, /^code hash {2}0x[0-9a-f]{64} \(ed25519Account\)$/m);
    assert.doesNotMatch(dev0.out, /^contract /m);
    const plain = await weft("account", "show", TO);
    assert.match(plain.out, /^code hash {2}none \(no code at this address\)$/m);
    const json = JSON.parse((await weft("--json", "account", "show", "dev0")).out) as Record<string, unknown>;
    assert.equal(json.code, "ed25519Account");
  });
});
