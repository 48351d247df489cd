/**
 * End to end against a `weft node` process on loopback: submit, include, query (blocks,
 * transactions, receipts, accounts, storage proofs, logs, calls, estimates), subscribe over
 * WebSocket, rejections with codes, metrics, and a restart that resumes the chain.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { balanceKey } from "../../../src/state/keys.js";
import { proofFromJson, verifyProof } from "../../../src/state/merkle/index.js";
import {
  type NodeProcess,
  RpcCallError,
  rpc,
  startNodeProcess,
  waitForReceipt,
} from "../../helpers/nodeProcess.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";

describe("node end to end", () => {
  let dir: string;
  let node: NodeProcess;
  let genesis: GenesisInfo;
  let sender: Address;
  let wusd: Address;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-e2e-"));
    node = await startNodeProcess(dir);
    genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
  });

  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const raw = (sequence: bigint, amount = 7n, devIndex = 0, from = sender) =>
    tokenTransferRaw({ chainId: 1337n, sender: from, devIndex, sequence }, wusd, TO, amount);
  const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

  it("submits a transaction, includes it, and serves the block, transaction and receipt", async () => {
    assert.equal(await rpc(node.url, "weft_chainId"), "1337");
    const fees = await rpc<{ baseFee: string; nextBaseFee: string; suggestedMaxFee: string }>(
      node.url,
      "weft_feeData",
    );
    assert.equal(fees.baseFee, "1", "block 0 has the minimum base fee");
    assert.ok(BigInt(fees.suggestedMaxFee) > BigInt(fees.nextBaseFee));
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw(0n))]);
    const receipt = await waitForReceipt<{
      status: string;
      blockNumber: number;
      blockHash: string;
      logs: unknown[];
    }>(node.url, hash);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.logs.length, 1);
    const block = await rpc<{ hash: string; transactions: string[]; stateRoot: string; baseFee: string }>(
      node.url,
      "weft_getBlockByNumber",
      [receipt.blockNumber],
    );
    assert.equal(block.hash, receipt.blockHash);
    assert.deepEqual(block.transactions, [hash]);
    assert.equal(block.baseFee, "1", "a nearly empty block after block 0 keeps the minimum");
    const byHash = await rpc<{ number: number }>(node.url, "weft_getBlockByHash", [block.hash, true]);
    assert.equal(byHash.number, receipt.blockNumber);
    const tx = await rpc<{ status: string; sender: string; index: number }>(node.url, "weft_getTransaction", [
      hash,
    ]);
    assert.equal(tx.status, "included");
    assert.equal(tx.sender, sender);
    const account = await rpc<{ nonces: Record<string, string> }>(node.url, "weft_getAccount", [sender]);
    assert.deepEqual(account.nonces, { "0": "1" });
  });

  it("answers reads with proofs that verify against the state root, calls and estimates", async () => {
    const proof = await rpc<{ value: string; stateRoot: string; proof: unknown }>(node.url, "weft_getProof", [
      balanceKey(sender),
    ]);
    assert.ok(
      verifyProof(
        fromHex(proof.stateRoot.slice(2)),
        balanceKey(sender),
        fromHex(proof.value.slice(2)),
        proofFromJson(proof.proof),
      ),
    );
    const absent = await rpc<{ value: null; stateRoot: string; proof: unknown }>(node.url, "weft_getProof", [
      `0x${balanceKey(TO)}`, // 0x is optional
    ]);
    assert.equal(absent.value, null);
    assert.ok(
      verifyProof(fromHex(absent.stateRoot.slice(2)), balanceKey(TO), undefined, proofFromJson(absent.proof)),
    );
    const call = await rpc<{ status: string; output: string }>(node.url, "weft_call", [
      { to: wusd, method: "balanceOf", args: hex(encodeAbi(["address"], [TO])) },
    ]);
    assert.equal(call.status, "success");
    assert.equal(call.output, hex(encodeAbi(["u128"], [7n])));
    const estimate = await rpc<{ gasUsed: number; gasLimit: number }>(node.url, "weft_estimateGas", [
      {
        sender,
        calls: [{ target: wusd, method: "transfer", args: hex(encodeAbi(["address", "u128"], [TO, 1n])) }],
      },
    ]);
    assert.ok(estimate.gasLimit > estimate.gasUsed);
    // The validation step is measured (a dummy signature costs what a real one does), not
    // charged at its limit (8,000,000; the account's and the token's cold prices are ~0.8M).
    assert.ok(estimate.gasUsed > 100_000 && estimate.gasUsed < 2_000_000, `estimate ${estimate.gasUsed}`);
    const logs = await rpc<Array<{ address: string }>>(node.url, "weft_getLogs", [
      { fromBlock: 0, address: wusd },
    ]);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.address, wusd);
  });

  it("rejects bad transactions with a code and a reason", async () => {
    const expectCode = async (params: unknown[], code: number, reason: RegExp) => {
      await assert.rejects(rpc(node.url, "weft_sendRawTransaction", params), (e: unknown) => {
        assert.ok(e instanceof RpcCallError);
        assert.equal(e.code, code);
        assert.match(e.message, reason);
        return true;
      });
    };
    await expectCode(["0x1234"], -32010, /magic/);
    await expectCode([hex(raw(0n))], -32013, /already in a block/);
    await expectCode([hex(raw(0n, 99n))], -32014, /nonce 0:0 is not the next one \(0:1\)/);
    const forged = raw(1n, 1n, 1); // signed by another dev key
    await expectCode([hex(forged)], -32011, /refused the authorisation/);
    await expectCode(["nothex"], -32602, /hex/);
    await assert.rejects(
      rpc(node.url, "weft_getBlockByNumber", []),
      (e: unknown) => e instanceof RpcCallError && e.code === -32602,
    );
    await assert.rejects(
      rpc(node.url, "weft_nope"),
      (e: unknown) => e instanceof RpcCallError && e.code === -32601,
    );
  });

  it("streams new heads, logs and pending transactions over WebSocket", async () => {
    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const messages: Array<{
      id?: number;
      result?: string;
      params?: { subscription: string; result: unknown };
    }> = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    const subscribe = (id: number, params: unknown[]) =>
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method: "weft_subscribe", params }));
    subscribe(1, ["newHeads"]);
    subscribe(2, ["logs", { address: wusd }]);
    subscribe(3, ["pendingTransactions"]);
    subscribe(4, ["logs", { fromBlock: 1 }]);
    const until = async (ok: () => boolean) => {
      const end = Date.now() + 15_000;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => messages.filter((m) => m.id !== undefined).length === 4);
    const refused = messages.find((m) => m.id === 4) as { error?: { code: number; message: string } };
    assert.equal(refused.error?.code, -32602, "a logs subscription with a block range is refused");
    assert.match(refused.error?.message ?? "", /fromBlock\/toBlock do not apply/);
    const ids = new Map(
      messages
        .filter((m) => m.id !== undefined && m.result !== undefined)
        .map((m) => [m.result as string, m.id as number]),
    );
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw(1n))]);
    const of = (id: number) =>
      messages.filter((m) => m.params !== undefined && ids.get(m.params.subscription) === id);
    await until(() => of(1).length > 0 && of(2).length > 0 && of(3).length > 0);
    assert.equal(of(3)[0]?.params?.result, hash);
    const log = of(2)[0]?.params?.result as { txHash: string } | undefined;
    const head = of(1)[0]?.params?.result as { number: number } | undefined;
    assert.equal(log?.txHash, hash);
    assert.equal(typeof head?.number, "number");
    ws.close();
  });

  it("serves Prometheus metrics", async () => {
    const text = await (await fetch(node.url.replace(/\/?$/, "/metrics"))).text();
    assert.match(text, /weft_transactions_total \d+/);
    assert.match(text, /weft_block_transactions_total\{mode="(parallel|sequential-[a-z]+)"\} [1-9]\d*/);
    assert.match(text, /weft_block_phase_seconds_bucket\{le="[^"]+",phase="state_root"\}/);
    assert.match(text, /weft_rpc_request_seconds_count\{method="weft_sendRawTransaction"/);
  });

  it("restarts from its data directory at the same head", async () => {
    const before = await rpc<{ head: { number: number; hash: string; stateRoot: string } }>(
      node.url,
      "weft_status",
    );
    node.child.kill("SIGTERM");
    assert.equal(await node.exited, 0);
    node = await startNodeProcess(dir);
    const after = await rpc<{ head: { number: number; hash: string; stateRoot: string } }>(
      node.url,
      "weft_status",
    );
    assert.deepEqual(after.head, before.head);
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw(2n))]);
    assert.equal((await waitForReceipt<{ status: string }>(node.url, hash)).status, "success");
  });
});
