/**
 * The CLI's Ethereum dev accounts `eth0`..`eth9` against a node: `keys list` names them,
 * `account show` reads their balance, `send`, `transfer` and `tx` sign Ethereum transactions
 * with their keys (coin to its recipient, WASM calls through the host precompile with the
 * EOA as the caller), and commands that need a smart account refuse them clearly.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeAbi, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";
import { runWeft } from "../../helpers/weftCli.js";

const TO = "0x00000000000000000000000000000000000000ab";
const E18 = 10n ** 18n;
const [eth0, eth1, eth2] = ethDevKeys(3).map((k) => k.address) as [string, string, string];

describe("weft CLI with the Ethereum dev accounts", () => {
  let node: TestNode;
  let dir: string;
  let wusd: Address;
  let dev0: Address;
  const weft = async (...args: string[]) => {
    const r = await runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });
    return { ...r, json: () => JSON.parse(r.out) as Record<string, unknown> };
  };
  /** A read of the WUSD token over RPC (each CLI run costs seconds on a loaded machine). */
  const read = async (method: string, types: string[], args: unknown[]) => {
    const r = await rpc<{ status: string; output: string }>(node.url, "weft_call", [
      { to: wusd, method, args: `0x${toHex(encodeAbi(types, args))}` },
    ]);
    assert.equal(r.status, "success");
    return decodeAbi(["u128"], fromHex(r.output.slice(2)))[0] as bigint;
  };
  const tokenBalance = (who: string) => read("balanceOf", ["address"], [who]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-eth-cli-"));
    node = await startTestNode();
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    wusd = genesis.contracts.wusd as Address;
    dev0 = genesis.accounts[0]?.address as Address;
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keys list names eth0..eth9, and account show reads eth1's balance", async () => {
    const listed = await weft("--json", "keys", "list");
    assert.equal(listed.code, 0, listed.err);
    const keys = JSON.parse(listed.out) as Array<{ name: string; kind: string; account: string }>;
    const eth = keys.filter((k) => k.kind === "eth-dev");
    assert.equal(eth.length, 10);
    assert.deepEqual(eth[0], { name: "eth0", kind: "eth-dev", publicKey: eth0, account: eth0 });
    const shown = await weft("--json", "account", "show", "eth1");
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.json().address, eth1);
    assert.equal(shown.json().balance, (10_000n * E18).toString());
  });

  it("send --from eth1 pays coin in an Ethereum transaction", async () => {
    const sent = await weft("--json", "send", TO, "1.5", "--from", "eth1");
    assert.equal(sent.code, 0, sent.err);
    assert.equal(sent.json().status, "success");
    assert.equal(BigInt(await rpc<string>(node.url, "eth_getBalance", [TO, "latest"])), (3n * E18) / 2n);
    const tx = await rpc<{ from: string; to: string }>(node.url, "eth_getTransactionByHash", [
      sent.json().txHash,
    ]);
    assert.equal(tx.from, eth1);
    assert.equal(tx.to, TO);
  });

  it("transfer and tx --from eth2 call the WASM token through the host precompile", async () => {
    const fund = tokenTransferRaw(
      { chainId: node.config.chainId, sender: dev0, devIndex: 0, sequence: 0n },
      wusd,
      eth2 as Address,
      25n * E18,
    );
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [`0x${toHex(fund)}`]);
    assert.equal((await waitForReceipt<{ status: string }>(node.url, hash)).status, "success");
    const moved = await weft("--json", "transfer", "wusd", TO, "5", "--from", "eth2");
    assert.equal(moved.code, 0, moved.err);
    assert.equal(moved.json().status, "success");
    const events = moved.json().events as Array<{ event: string; args: Record<string, string> }>;
    assert.deepEqual(
      events.map((e) => [e.event, e.args.from, e.args.to]),
      [["Transfer", eth2, TO]],
    );
    assert.equal(await tokenBalance(TO), 5n * E18);
    assert.equal(await tokenBalance(eth2), 20n * E18);
    const approved = await weft("--json", "tx", "wusd", "approve", TO, "7", "--from", "eth2");
    assert.equal(approved.code, 0, approved.err);
    assert.equal(await read("allowance", ["address", "address"], [eth2, TO]), 7n);
  });

  it("a transaction that would revert is refused with its reason (exit 4); coin it lacks, exit 3", async () => {
    const [, , , eth3] = ethDevKeys(4).map((k) => k.address) as [string, string, string, string];
    assert.equal(await tokenBalance(eth3), 0n);
    const before = BigInt(await rpc<string>(node.url, "eth_getTransactionCount", [eth3, "latest"]));
    const moved = await weft("transfer", "wusd", TO, "1000", "--from", "eth3");
    assert.equal(moved.code, 4, moved.err);
    assert.match(moved.err, /transaction would revert: InsufficientBalance/);
    const called = await weft("--json", "tx", "wusd", "transfer", TO, "5", "--from", "eth3");
    assert.equal(called.code, 4, called.err);
    const error = (JSON.parse(called.err) as { error: { message: string; details: string[] } }).error;
    assert.match(error.message, /InsufficientBalance/);
    assert.ok(
      error.details.some((d) => /needed/.test(d)),
      error.details.join("\n"),
    );
    const poor = await weft("send", TO, "1000000", "--from", "eth3");
    assert.equal(poor.code, 3, poor.err);
    assert.match(poor.err, /insufficient funds/);
    // Nothing was sent: the nonce did not move.
    assert.equal(BigInt(await rpc<string>(node.url, "eth_getTransactionCount", [eth3, "latest"])), before);
  });

  it("deploys WASM code from eth0 (the host precompile's deploy form); refuses what an Ethereum account cannot send, and names that are not dev accounts", async () => {
    const deploy = await weft("--json", "deploy", "token", "T", "T", "18", "1", TO, "--from", "eth0");
    assert.equal(deploy.code, 0, deploy.err);
    const deployed = deploy.json() as { address: string; deployer: string };
    assert.notEqual(
      (await rpc<{ codeHash: string | null }>(node.url, "weft_getAccount", [deployed.address])).codeHash,
      null,
    );
    const withValue = await weft("tx", "wusd", "approve", TO, "1", "--value", "1", "--from", "eth0");
    assert.equal(withValue.code, 2, withValue.err);
    assert.match(withValue.err, /coin does not cross/);
    const unknown = await weft("send", TO, "1", "--from", "eth10");
    assert.equal(unknown.code, 2, unknown.err);
    assert.match(unknown.err, /eth0 to eth9/);
  });
});
