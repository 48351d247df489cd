/**
 * `weft call` and `weft tx` on a Solidity contract with `--abi <file.json>` (a Hardhat-style
 * artifact or a bare ABI array): a read decodes its return, a transaction from `eth0` runs
 * and its result and events decode, a custom error is refused before sending (exit 4) decoded
 * by the ABI; without a Solidity ABI (none, or a WASM contract's name) the CLI says the address
 * holds EVM code and how to call it (exit 2), until its source is verified with the node.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { type EthDevKey, ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { type CompiledWithSources, compileWithSources } from "../../helpers/solc.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";
import { runWeft } from "../../helpers/weftCli.js";

const SOURCE = fileURLToPath(new URL("../../../../test/fixtures/evm/WeftToken.sol", import.meta.url));
const TO = "0x00000000000000000000000000000000000000ab";
const SUPPLY = 1_000_000n;

describe("weft call / tx on a Solidity contract with --abi <file.json>", () => {
  let node: TestNode;
  let dir: string;
  let token: Address;
  let compiled: CompiledWithSources;
  const [eth0, eth1] = ethDevKeys(2) as [EthDevKey, EthDevKey];
  const weft = (...args: string[]) =>
    runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-evm-abi-"));
    node = await startTestNode((config) => {
      config.rpc.callTimeoutMs = 120_000;
      config.rpc.callBudgetMs = 1_000_000;
    });
    compiled = compileWithSources(SOURCE, "WeftToken.sol", "WeftToken");
    writeFileSync(
      join(dir, "WeftToken.json"),
      JSON.stringify({ contractName: "WeftToken", abi: compiled.abi, bytecode: compiled.bytecode }),
    );
    writeFileSync(join(dir, "abi.json"), JSON.stringify(compiled.abi));
    const init = Buffer.concat([
      fromHex(compiled.bytecode.slice(2)),
      fromHex(SUPPLY.toString(16).padStart(64, "0")),
    ]);
    const raw = signEthTxRaw(
      { key: eth0.privateKey, address: eth0.address },
      { nonce: 0n, data: init, gasLimit: 2_000_000n, maxFee: 10n ** 12n, priorityFee: 1n },
      node.config.chainId,
    );
    const hash = await rpc<string>(node.url, "eth_sendRawTransaction", [`0x${toHex(raw)}`]);
    const receipt = await waitForReceipt<{ status: string; contractAddress: Address }>(node.url, hash);
    assert.equal(receipt.status, "success");
    token = receipt.contractAddress;
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads and sends with the artifact's ABI; decodes the result and a custom error", async () => {
    const read = await weft("--json", "call", token, "balanceOf", eth0.address, "--abi", "WeftToken.json");
    assert.equal(read.code, 0, read.err);
    assert.deepEqual(JSON.parse(read.out), { result: SUPPLY.toString() });
    const sent = await weft(
      "--json",
      "tx",
      token,
      "transfer",
      TO,
      "5",
      "--from",
      "eth0",
      "--abi",
      "WeftToken.json",
    );
    assert.equal(sent.code, 0, sent.err);
    const receipt = JSON.parse(sent.out) as { status: string; result: unknown; events: unknown[] };
    assert.deepEqual([receipt.status, receipt.result], ["success", true]);
    // The contract's event, decoded by the same ABI (it was left raw in `logs`).
    assert.deepEqual(receipt.events, [
      {
        address: token,
        contract: token,
        event: "Transfer",
        args: { from: eth0.address.toLowerCase(), to: TO, value: "5" },
        logIndex: 0,
      },
    ]);
    // Read back: its return value decoded by the ABI, as weft tx printed it.
    const sentHash = (JSON.parse(sent.out) as { txHash: string }).txHash;
    const readBack = await weft("--json", "receipt", sentHash, "--abi", "abi.json");
    assert.equal(readBack.code, 0, readBack.err);
    assert.equal((JSON.parse(readBack.out) as { result?: unknown }).result, true);
    const shownBack = await weft("receipt", sentHash, "--abi", "abi.json");
    assert.match(shownBack.out, /\n {2}returned true\n/);
    // A mined custom-error revert (eth1 holds no tokens; a gas limit so no estimate stops it), decoded.
    const call = Buffer.concat([
      fromHex("a9059cbb"),
      fromHex(TO.slice(2).padStart(64, "0")),
      fromHex(9n.toString(16).padStart(64, "0")),
    ]);
    const reverted = await rpc<string>(node.url, "eth_sendRawTransaction", [
      `0x${toHex(
        signEthTxRaw(
          { key: eth1.privateKey, address: eth1.address },
          { nonce: 0n, to: token, data: call, gasLimit: 200_000n, maxFee: 10n ** 12n, priorityFee: 1n },
          node.config.chainId,
        ),
      )}`,
    ]);
    assert.equal((await waitForReceipt<{ status: string }>(node.url, reverted)).status, "revert");
    const revertJson = await weft("--json", "receipt", reverted, "--abi", "abi.json");
    assert.equal(revertJson.code, 0, revertJson.err);
    assert.deepEqual((JSON.parse(revertJson.out) as { revert?: unknown }).revert, {
      name: "InsufficientBalance",
      args: { account: eth1.address.toLowerCase(), balance: "0", needed: "9" },
    });
    const revertHuman = await weft("receipt", reverted, "--abi", "abi.json");
    assert.match(
      revertHuman.out,
      /\n {2}reverted with InsufficientBalance\(account=0x[0-9a-f]{40}, balance=0, needed=9\)\n/,
    );
    const human = await weft("tx", token, "transfer", TO, "1", "--from", "eth0", "--abi", "abi.json");
    assert.equal(human.code, 0, human.err);
    assert.match(
      human.out,
      new RegExp(
        `\\n  event ${token}\\.Transfer\\(from: ${eth0.address.toLowerCase()}, to: ${TO}, value: 1\\)`,
      ),
    );
    const short = await weft("tx", token, "transfer", TO, "7", "--from", "eth1", "--abi", "abi.json");
    assert.equal(short.code, 4, short.err);
    assert.match(short.err, /transaction would revert: InsufficientBalance/);
    assert.match(short.err, /needed: 7/);
    const toBalance = await weft("call", token, "balanceOf", TO, "--abi", "abi.json");
    assert.equal(toBalance.out.trim(), "6");
    // Its past events: undecoded while nothing describes it, decoded with --abi <file.json>.
    const raw = await weft("--json", "logs", token);
    assert.equal(raw.code, 0, raw.err);
    const rawLogs = JSON.parse(raw.out).logs as Array<{ event?: string; topics: string[] }>;
    assert.ok(rawLogs.length >= 2 && rawLogs.every((l) => l.event === undefined && l.topics.length === 3));
    const logs = await weft("--json", "logs", token, "Transfer", "--abi", "abi.json");
    assert.equal(logs.code, 0, logs.err);
    const transfers = (JSON.parse(logs.out).logs as Array<{ event: string; args: Record<string, string> }>)
      .filter((l) => l.args.to === TO)
      .map((l) => [l.event, l.args.from, l.args.value]);
    const from = eth0.address.toLowerCase();
    assert.deepEqual(transfers, [
      ["Transfer", from, "5"],
      ["Transfer", from, "1"],
    ]);
  });

  it("says an address holds EVM code when no Solidity ABI is given, and what to do", async () => {
    for (const extra of [[], ["--abi", "token"]]) {
      const r = await weft("call", token, "balanceOf", TO, ...extra);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /is an EVM \(Solidity\) contract: give its ABI with --abi <file\.json>/);
    }
    const fromDev = await weft("tx", token, "transfer", TO, "1", "--from", "dev0", "--abi", "abi.json");
    assert.equal(fromDev.code, 2, fromDev.err);
    assert.match(fromDev.err, /--from eth0\.\.eth9/);
    // Once its source is verified with the node, its ABI is found without --abi.
    const verified = await rpc<{ match: string }>(node.url, "weft_verifyEvmSource", [
      token,
      { sources: compiled.sources, contract: "WeftToken", settings: compiled.settings },
    ]);
    assert.equal(verified.match, "full");
    const read = await weft("call", token, "balanceOf", TO);
    assert.equal(read.code, 0, read.err);
    assert.equal(read.out.trim(), "6");
    // And a transaction's events decode with the verified ABI.
    const sent = await weft("tx", token, "transfer", TO, "2", "--from", "eth0");
    assert.equal(sent.code, 0, sent.err);
    assert.match(sent.out, /\n {2}event \S+\.Transfer\(from: 0x[0-9a-f]{40}, to: 0x0+ab, value: 2\)/);
    // Its receipt read back: the same events, decoded with the verified ABI.
    const hash = /tx (0x[0-9a-f]{64}) in block/.exec(sent.out)?.[1] as string;
    const receipt = await weft("receipt", hash);
    assert.equal(receipt.code, 0, receipt.err);
    assert.match(receipt.out, /: success\n/);
    assert.match(receipt.out, /\n {2}event \S+\.Transfer\(from: 0x[0-9a-f]{40}, to: 0x0+ab, value: 2\)/);
    // And its past events, with the verified ABI: by event name, without --abi.
    const logs = await weft("logs", token, "Transfer");
    assert.equal(logs.code, 0, logs.err);
    assert.match(
      logs.out,
      /\n {2}block \d+ tx 0x[0-9a-f]{64}: \S+\.Transfer\(from: 0x[0-9a-f]{40}, to: 0x0+ab, value: 2\)/,
    );
  });
});
