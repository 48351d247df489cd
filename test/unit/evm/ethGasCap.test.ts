/**
 * `eth_estimateGas`'s cap covers every transaction a block can hold: viem deploys the real
 * UniswapV2Factory (about 3M EVM gas, above what the default read-only gas cap counts in EVM
 * gas, 1e9 / 500 = 2M) and creates a pair (about 2.5M) without naming a gas limit, as a user
 * would. The node runs with its default read-only gas cap.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { type Abi, type Chain, createPublicClient, createWalletClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { evmGasWithin } from "../../../src/evm/weftGas.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";
import { viemChain } from "../../helpers/viemChain.js";

const load = createRequire(import.meta.url);
const factory = load("@uniswap/v2-core/build/UniswapV2Factory.json") as { abi: Abi; bytecode: string };

describe("eth_estimateGas covers what a block can hold", () => {
  let node: TestNode;
  let chain: Chain;
  before(async () => {
    node = await startTestNode((config) => {
      config.blockTimeMs = 50;
      // The default read-only gas cap; only the time limits are eased for a loaded machine.
      config.rpc.callTimeoutMs = 120_000;
      config.rpc.callBudgetMs = 1_000_000;
    });
    assert.equal(node.config.rpc.callGasCap, 1_000_000_000);
    chain = viemChain(node);
  });
  after(() => node?.close());

  it("viem deploys UniswapV2Factory and creates a pair without a gas limit", async () => {
    const [key] = ethDevKeys(1);
    const account = privateKeyToAccount(`0x${Buffer.from(key?.privateKey ?? []).toString("hex")}`);
    const publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 50 });
    const wallet = createWalletClient({ chain, account, transport: http(node.url), pollingInterval: 50 });
    const deployHash = await wallet.deployContract({
      abi: factory.abi,
      bytecode: factory.bytecode as Hex,
      args: [account.address],
    });
    const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash, timeout: 60_000 });
    assert.equal(deployed.status, "success");
    assert.ok(
      deployed.gasUsed > evmGasWithin(1_000_000_000n),
      `the deployment used ${deployed.gasUsed}, more than the old 2M cap`,
    );
    const at = deployed.contractAddress as Hex;
    const tokenA = "0x00000000000000000000000000000000000000a1";
    const tokenB = "0x00000000000000000000000000000000000000b2";
    const estimate = await publicClient.estimateContractGas({
      account,
      address: at,
      abi: factory.abi,
      functionName: "createPair",
      args: [tokenA, tokenB],
    });
    assert.ok(estimate > 2_000_000n, `createPair estimated at ${estimate}`);
    const pairHash = await wallet.writeContract({
      address: at,
      abi: factory.abi,
      functionName: "createPair",
      args: [tokenA, tokenB],
    });
    const created = await publicClient.waitForTransactionReceipt({ hash: pairHash, timeout: 60_000 });
    assert.equal(created.status, "success");
    const pairs = await publicClient.readContract({
      address: at,
      abi: factory.abi,
      functionName: "allPairsLength",
    });
    assert.equal(pairs, 1n);
  });

  it("holds a call to the block's EVM gas limit, whatever gas it asks for", async () => {
    const head = await publicClient().getBlock();
    const loop = "0x5b600056"; // JUMPDEST PUSH1 0 JUMP: init code that never stops
    const answer = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_estimateGas",
        params: [{ data: loop, gas: "0xffffff" }],
      }),
    }).then((r) => r.json() as Promise<{ error?: { code: number; message: string } }>);
    assert.equal(answer.error?.message, `gas required exceeds allowance (${head.gasLimit})`);
  });

  const publicClient = () => createPublicClient({ chain, transport: http(node.url), pollingInterval: 50 });
});
