/**
 * Hostile parameters against a running node: oversized keys and arguments, parameters nested
 * hundreds of thousands of levels deep, huge strings quoted in error messages. Each must be
 * answered -32602 with the reason, never -32603, and the node must keep serving.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { MAX_PARAMS_DEPTH } from "../../../src/node/rpc/protocol.js";
import { RpcCallError, rpc } from "../../../src/sdk/rpcClient.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

interface ErrorAnswer {
  error?: { code: number; message: string; data?: unknown };
  result?: unknown;
}

/** POSTs a request whose params are given as JSON text (so they may be nested beyond what JSON.stringify can write). */
async function rawCall(url: string, method: string, paramsJson: string): Promise<ErrorAnswer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"jsonrpc":"2.0","id":1,"method":${JSON.stringify(method)},"params":${paramsJson}}`,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as ErrorAnswer;
}

async function invalidParams(promise: Promise<unknown>, reason: RegExp): Promise<RpcCallError> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof RpcCallError, `expected an RPC error, got ${String(caught)}`);
  assert.equal(caught.code, -32602, `${caught.code} ${caught.message}`);
  assert.match(caught.message, reason);
  return caught;
}

const nested = (depth: number, inner = "") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe("hostile parameters", () => {
  let node: TestNode;
  let wusd: Address;
  let sender: Address;

  before(async () => {
    node = await startTestNode();
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    wusd = genesis.contracts.wusd as Address;
    sender = genesis.accounts[0]?.address as Address;
  });
  after(() => node.close());

  it("refuses storage and state keys longer than any stored key, before reading the store", async () => {
    const error = await invalidParams(
      rpc(node.url, "weft_getStorage", [wusd, `0x${"ab".repeat(8000)}`]),
      /storageKey: 8000 bytes is too long \(max 256\)/,
    );
    assert.deepEqual(error.data, { maxBytes: 256 });
    await invalidParams(rpc(node.url, "weft_getStorage", [wusd, `0x${"ab".repeat(257)}`]), /max 256/);
    const longest = await rpc<{ value: unknown }>(node.url, "weft_getStorage", [
      wusd,
      `0x${"ab".repeat(256)}`,
    ]);
    assert.equal(longest.value, null, "a key of the longest size is read (and absent)");
    await invalidParams(rpc(node.url, "weft_getProof", [`0x${"ab".repeat(2047)}`]), /stateKey/);
  });

  it("refuses oversized call arguments, authorisations and paymaster data with the field named", async () => {
    const big = `0x${"00".repeat(128 * 1024 + 1)}`;
    await invalidParams(
      rpc(node.url, "weft_estimateGas", [
        { sender, calls: [{ target: wusd, method: "balanceOf", args: big }] },
      ]),
      /calls\[0\]\.args: 131073 bytes is too long \(max 131072\)/,
    );
    await invalidParams(
      rpc(node.url, "weft_estimateGas", [
        { sender, calls: [{ target: wusd, method: "symbol" }], auth: `0x${"11".repeat(4097)}` },
      ]),
      /auth: 4097 bytes is too long/,
    );
    await invalidParams(
      rpc(node.url, "weft_estimateGas", [
        {
          sender,
          calls: [{ target: wusd, method: "symbol" }],
          paymaster: { address: wusd, data: `0x${"11".repeat(4097)}` },
        },
      ]),
      /paymaster\.data: 4097 bytes is too long/,
    );
    await invalidParams(
      rpc(node.url, "weft_call", [{ to: wusd, method: "balanceOf", args: big }]),
      /args: 131073 bytes is too long/,
    );
    // A method name of 64 characters but more than 64 bytes cannot be encoded: still -32602.
    await invalidParams(
      rpc(node.url, "weft_estimateGas", [{ sender, calls: [{ target: wusd, method: "é".repeat(64) }] }]),
      /method/,
    );
  });

  it("refuses params nested deeper than the limit, at any depth, with the reason", async () => {
    for (const paramsJson of [
      `[{"topics":[${nested(300_000)}]}]`,
      `[{"topics":${nested(300_000)}}]`,
      `[{"fromBlock":0,"address":${nested(MAX_PARAMS_DEPTH)}}]`,
    ]) {
      const answer = await rawCall(node.url, "weft_getLogs", paramsJson);
      assert.equal(answer.error?.code, -32602, JSON.stringify(answer).slice(0, 300));
      assert.match(answer.error?.message ?? "", /nested deeper than 32 levels/);
      assert.deepEqual(answer.error?.data, { maxDepth: MAX_PARAMS_DEPTH });
    }
    // Exactly at the limit is not refused for its depth (the method then refuses the value itself).
    const atLimit = await rawCall(node.url, "weft_getLogs", `[{"topics":[${nested(MAX_PARAMS_DEPTH - 3)}]}]`);
    assert.equal(atLimit.error?.code, -32602);
    assert.doesNotMatch(atLimit.error?.message ?? "", /nested/);
    const answer = await rawCall(node.url, "weft_getBlockByNumber", `[${nested(300_000, "1")}]`);
    assert.equal(answer.error?.code, -32602);
  });

  it("quotes a wrong value briefly, however large", async () => {
    const huge = "x".repeat(500_000);
    const error = await invalidParams(
      rpc(node.url, "weft_getLogs", [{ topics: [[huge]] }]),
      /topics\[0\]\[0\]/,
    );
    assert.ok(error.message.length < 300, `message of ${error.message.length} characters`);
    assert.match(error.message, /500000 characters/);
    const wide = await invalidParams(
      rpc(node.url, "weft_getAccount", [Array.from({ length: 50_000 }, () => ({ a: [1, 2, 3] }))]),
      /address/,
    );
    assert.ok(wide.message.length < 300);
  });

  it("keeps serving, and still answers well-formed calls", async () => {
    const call = await rpc<{ status: string }>(node.url, "weft_call", [
      {
        to: wusd,
        method: "balanceOf",
        args: `0x${Buffer.from(encodeAbi(["address"], [sender])).toString("hex")}`,
      },
    ]);
    assert.equal(call.status, "success");
    const health = await fetch(new URL("/health", node.url));
    assert.equal(health.status, 200);
  });
});
