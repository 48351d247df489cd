/**
 * The first eth_ methods: on a real node (chain identity, the test mnemonic's balances and
 * nonces, block tags other than the head refused), and over EVM state made by executing a
 * deployment (code and storage slots as Ethereum tools read them).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assembleText as assemble } from "../../../bench/evm/asm.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ethMethods } from "../../../src/node/api/ethMethods.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import type { RpcHandler } from "../../../src/node/rpc/types.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { TOKEN_INIT_CODE, TOKEN_RUNTIME, TOKEN_SUPPLY } from "../../fixtures/evm/token.js";
import { blockContext, fundedState, runBlock } from "../../helpers/chain.js";
import { ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";

const hexOf = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

describe("eth_ methods on a node", () => {
  let node: TestNode;
  before(async () => {
    node = await startEthTestNode();
  });
  after(() => node.close());

  const ask = async (method: string, params: unknown[] = []) => {
    const answer = (await call(node.url, method, params)) as {
      result?: unknown;
      error?: { code: number; message: string };
    };
    return answer;
  };

  it("answers chain identity and the dev accounts' balances and nonces", async () => {
    assert.equal((await ask("eth_chainId")).result, `0x${node.config.chainId.toString(16)}`);
    assert.equal((await ask("net_version")).result, node.config.chainId.toString());
    assert.match(String((await ask("web3_clientVersion")).result), /^weft\//);
    assert.match(String((await ask("eth_blockNumber")).result), /^0x[0-9a-f]+$/);
    const [first] = ethDevKeys(1);
    const who = first?.address as Address;
    assert.equal(
      (await ask("eth_getBalance", [who, "latest"])).result,
      `0x${(10_000n * 10n ** 18n).toString(16)}`,
    );
    assert.equal((await ask("eth_getTransactionCount", [who, "pending"])).result, "0x0");
    assert.equal((await ask("eth_getCode", [who])).result, "0x");
    assert.equal((await ask("eth_getBalance", [ethAccount(999).address])).result, "0x0");
  });

  it("eth_call runs EVM code at the head: init code returns the runtime; a revert is error 3 with its data", async () => {
    const from = ethAccount(1).address;
    const created = await ask("eth_call", [{ from, data: hexOf(TOKEN_INIT_CODE) }, "latest"]);
    assert.equal(created.result, hexOf(TOKEN_RUNTIME), JSON.stringify(created.error));
    const reverting = assemble("PUSH4 0xdeadbeef PUSH1 0xe0 SHL PUSH1 0 MSTORE PUSH1 4 PUSH1 0 REVERT");
    const reverted = (await ask("eth_call", [{ input: hexOf(reverting) }])) as {
      error?: { code: number; data?: unknown };
    };
    assert.equal(reverted.error?.code, 3, JSON.stringify(reverted));
    assert.equal(reverted.error?.data, "0xdeadbeef");
    const none = await ask("eth_call", [{ to: ethAccount(5).address, data: "0x12345678" }]);
    assert.equal(none.result, "0x", JSON.stringify(none.error));
    // A creation with value from an account that cannot pay: ethereumjs throws it out of
    // runCall; it was -32603 (an internal error) and a failed worker.
    const poor = ethAccount(998).address;
    const unpaid = await ask("eth_call", [{ from: poor, data: hexOf(TOKEN_INIT_CODE), value: "0x1" }]);
    assert.equal(unpaid.error?.code, -32000, JSON.stringify(unpaid));
    assert.match(unpaid.error?.message ?? "", /^insufficient funds for gas \* price \+ value/);
  });

  it("reads an earlier block's state; refuses blocks past the head, unknown hashes, malformed parameters", async () => {
    const who = ethAccount(1).address;
    // Recent blocks' states are kept (ethHistoricalState.test.ts tests the values and the window).
    await ask("dev_mine", []);
    const head = BigInt(String((await ask("eth_blockNumber")).result));
    for (const method of ["eth_getBalance", "eth_getCode", "eth_getTransactionCount"]) {
      const old = await ask(method, [who, `0x${(head - 1n).toString(16)}`]);
      assert.equal(old.error, undefined, `${method}: ${JSON.stringify(old)}`);
    }
    assert.equal((await ask("eth_getStorageAt", [who, "0x0", "earliest"])).result, `0x${"0".repeat(64)}`);
    const called = await ask("eth_call", [{ to: who, data: "0x" }, { blockNumber: "0x0" }]);
    assert.equal(called.result, "0x", JSON.stringify(called.error));
    const byHash = await ask("eth_getBalance", [who, { blockHash: `0x${"ab".repeat(32)}` }]);
    assert.equal(byHash.error?.code, -32000);
    assert.match(byHash.error?.message ?? "", /^block 0xabab.* not found/);
    const future = await ask("eth_getBalance", [who, "0x7fffffff"]);
    assert.equal(future.error?.code, -32000);
    assert.match(future.error?.message ?? "", /block 2147483647 not found/);
    assert.equal((await ask("eth_getBalance", ["0x12"])).error?.code, -32602);
    assert.equal((await ask("eth_getStorageAt", [who, `0x${"1".repeat(65)}`])).error?.code, -32602);
    assert.equal((await ask("eth_chainId", [1])).error?.code, -32602);
  });
});

describe("eth_getCode and eth_getStorageAt over executed EVM state", () => {
  it("return the deployed runtime and the token's balance slot", () => {
    const block = blockContext();
    const deployer = ethAccount(1);
    const state = fundedState([[deployer.address, 10n ** 21n]]);
    const deploy = signEthTx(
      deployer,
      { nonce: 0n, data: TOKEN_INIT_CODE, gasLimit: 500_000n },
      block.chainId,
    );
    const token = runBlock(createChainExecutor(block), state, [deploy]).receipts[0]
      ?.contractAddress as Address;
    const fake = {
      state: { get: (k: string) => state.entries.get(k) },
      head: () => ({ number: 1, hash: `0x${"00".repeat(32)}` }),
      options: { chainId: block.chainId },
      nextSequence: () => 1n,
    } as unknown as ChainNode;
    const methods = ethMethods(fake) as Record<string, (p: unknown) => unknown>;
    const run = (name: string, params: unknown[]) => (methods[name] as RpcHandler)(params, {} as never);
    assert.equal(run("eth_getCode", [token]), `0x${Buffer.from(TOKEN_RUNTIME).toString("hex")}`);
    const preimage = new Uint8Array(64);
    preimage.set(Buffer.from(deployer.address.slice(2), "hex"), 12);
    const slot = `0x${Buffer.from(keccak256(preimage)).toString("hex")}`;
    assert.equal(
      run("eth_getStorageAt", [token, slot, "latest"]),
      `0x${TOKEN_SUPPLY.toString(16).padStart(64, "0")}`,
    );
    assert.equal(run("eth_getStorageAt", [token, "0x1"]), `0x${"00".repeat(32)}`);
  });
});
