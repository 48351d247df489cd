/**
 * Dev mode's state edits on EVM accounts, and the Anvil / Hardhat names dev tooling calls,
 * driven by viem's test client as a developer would: code and storage slots of an EVM
 * contract (read back by eth_call, eth_getCode and eth_getStorageAt), balance, nonce, mining,
 * time, snapshots; `dev_setStorageAt` on an EVM contract sets an EVM slot; EVM code replaces
 * WASM code; bad params are -32602 naming the parameter; with dev mode off every alias is
 * -32040 naming itself.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
} from "viem";
import { toHex } from "../../../src/codec/bytes.js";
import { txpoolMethods } from "../../../src/node/api/txpoolMethods.js";
import { TOKEN_INIT_CODE, TOKEN_RUNTIME, TOKEN_SUPPLY } from "../../fixtures/evm/token.js";
import { ethAccount, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startEthTestNode, startTestNode, type TestNode } from "../../helpers/testNode.js";
import { viemChain } from "../../helpers/viemChain.js";

const BUILD = fileURLToPath(new URL("../../../../contracts/build/", import.meta.url));
const word = (value: bigint | string) =>
  (typeof value === "string" ? value.replace(/^0x/, "") : value.toString(16)).padStart(64, "0");

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

describe("dev mode on EVM accounts, and the anvil_/hardhat_/evm_ names", () => {
  let node: TestNode;
  let chain: Chain;
  before(async () => {
    node = await startEthTestNode();
    chain = viemChain(node);
  });
  after(() => node?.close());
  const ask = (method: string, params: unknown[] = []) => call(node.url, method, params) as Promise<Answer>;
  const clients = (mode: "anvil" | "hardhat") => ({
    test: createTestClient({ chain, mode, transport: http(node.url) }),
    client: createPublicClient({ chain, transport: http(node.url) }),
  });

  it("sets an EVM contract's code and storage slots (anvil_ and dev_ names)", async () => {
    const { test, client } = clients("anvil");
    const token = ethAccount(410).address as Hex;
    const holder = ethAccount(411).address;
    await test.setCode({ address: token, bytecode: `0x${toHex(TOKEN_RUNTIME)}` });
    assert.equal(await client.getCode({ address: token }), `0x${toHex(TOKEN_RUNTIME)}`);
    // The token's balances are a mapping at slot 0 (Solidity's layout).
    const slot = keccak256(`0x${word(holder)}${word(0n)}`);
    await test.setStorageAt({ address: token, index: slot, value: `0x${word(1234n)}` });
    assert.equal(await client.getStorageAt({ address: token, slot }), `0x${word(1234n)}`);
    const balanceOf = async () =>
      BigInt((await client.call({ to: token, data: `0x70a08231${word(holder)}` })).data ?? "0x0");
    assert.equal(await balanceOf(), 1234n);
    // dev_setStorageAt at an address with EVM code sets an EVM slot (short words are padded).
    const counter = await ask("dev_setStorageAt", [token, "0x1", "0x05"]);
    assert.equal(counter.error, undefined, JSON.stringify(counter.error));
    assert.equal((await ask("eth_getStorageAt", [token, "0x1"])).result, `0x${word(5n)}`);
    // Zero deletes the slot.
    assert.equal((await ask("hardhat_setStorageAt", [token, slot, `0x${word(0n)}`])).result, true);
    assert.equal(await balanceOf(), 0n);
    assert.equal((await ask("eth_getProof", [token, [], "latest"])).error?.code, -32004);
    const proof = (await ask("weft_getEvmProof", [token, [slot]])).result as {
      storageProof: Array<{ value: string; proof: unknown }>;
    };
    assert.equal(proof.storageProof[0]?.value, "0x0");

    // EVM code replaces WASM code at an address, and the other way round.
    const wasmAt = ethAccount(412).address;
    const wasm = readFileSync(join(BUILD, "token.wasm"));
    assert.equal((await ask("dev_setCode", [wasmAt, `0x${wasm.toString("hex")}`])).error, undefined);
    const account = async () =>
      ((await ask("weft_getAccount", [wasmAt])).result as { codeHash: string | null }).codeHash;
    assert.notEqual(await account(), null);
    assert.equal((await ask("anvil_setCode", [wasmAt, "0x6001600055"])).result, null);
    assert.equal(await account(), null, "the WASM code is gone");
    assert.equal((await ask("eth_getCode", [wasmAt])).result, "0x6001600055");
    assert.equal((await ask("dev_setCode", [wasmAt, "0x"])).error, undefined);
    assert.equal((await ask("eth_getCode", [wasmAt])).result, "0x");
  });

  it("balance, nonce, mining, time and snapshots through viem's test client", async () => {
    for (const mode of ["anvil", "hardhat"] as const) {
      const { test, client } = clients(mode);
      const who = ethAccount(mode === "anvil" ? 420 : 421).address as Hex;
      await test.setBalance({ address: who, value: 77n * 10n ** 18n });
      assert.equal(await client.getBalance({ address: who }), 77n * 10n ** 18n);
      await test.setNonce({ address: who, nonce: 9 });
      assert.equal(await client.getTransactionCount({ address: who }), 9);
      const before = await client.getBlockNumber({ cacheTime: 0 });
      await test.mine({ blocks: 3 });
      assert.equal(await client.getBlockNumber({ cacheTime: 0 }), before + 3n);

      const id = await test.snapshot();
      assert.match(id, /^0x[0-9a-f]+$/);
      await test.setBalance({ address: who, value: 1n });
      assert.equal(await test.revert({ id }), undefined);
      assert.equal(await client.getBalance({ address: who }), 77n * 10n ** 18n);
    }
    const { test, client } = clients("anvil");
    const head = await client.getBlock();
    await test.setNextBlockTimestamp({ timestamp: head.timestamp + 500n });
    await test.mine({ blocks: 1 });
    assert.equal((await client.getBlock()).timestamp, head.timestamp + 500n);
    const offset = await ask("evm_increaseTime", ["0x3c"]);
    assert.match(String(offset.result), /^0x[0-9a-f]+$/);
    const at = (await client.getBlock()).timestamp + 10_000n;
    assert.equal((await ask("evm_mine", [`0x${at.toString(16)}`])).result, "0x0");
    assert.equal((await client.getBlock()).timestamp, at);
    const n = await client.getBlockNumber({ cacheTime: 0 });
    assert.equal((await ask("evm_mine", [{ blocks: "0x2" }])).result, "0x0");
    assert.equal(await client.getBlockNumber({ cacheTime: 0 }), n + 2n);
    await test.setAutomine(true);
  });

  it("impersonates an Ethereum address: eth_sendTransaction from it, through viem", async () => {
    const { test, client } = clients("anvil");
    const whale = ethAccount(450).address as Hex;
    const to = ethAccount(451).address as Hex;
    const wallet = createWalletClient({
      chain,
      account: whale,
      transport: http(node.url),
      pollingInterval: 50,
    });
    // Not impersonated yet: the node holds no key for it.
    const refused = await ask("eth_sendTransaction", [{ from: whale, to, value: "0x1" }]);
    assert.equal(refused.error?.code, -32041, JSON.stringify(refused));
    await test.setBalance({ address: whale, value: 10n ** 20n });
    await test.impersonateAccount({ address: whale });
    const hash = await wallet.sendTransaction({ account: whale, chain, to, value: 12345n });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.from, whale.toLowerCase());
    assert.equal(await client.getBalance({ address: to }), 12345n);
    assert.equal((await client.getTransaction({ hash })).from, whale.toLowerCase());
    const weft = (await ask("weft_getTransaction", [hash])).result as { from?: string };
    assert.equal(weft.from, whale.toLowerCase());
    // A deployment from it, the gas estimated by the node.
    const deployHash = await wallet.sendTransaction({
      account: whale,
      chain,
      data: `0x${toHex(TOKEN_INIT_CODE)}`,
    });
    const deployed = await client.waitForTransactionReceipt({ hash: deployHash, timeout: 60_000 });
    assert.equal(deployed.status, "success");
    const token = deployed.contractAddress as Hex;
    const held = await client.call({ to: token, data: `0x70a08231${word(whale)}` });
    assert.equal(BigInt(held.data ?? "0x0"), TOKEN_SUPPLY);
    assert.equal(await client.getTransactionCount({ address: whale }), 2);
    // An address holding code cannot send an Ethereum transaction (EIP-3607), impersonated or not.
    await test.impersonateAccount({ address: token });
    const fromCode = await ask("eth_sendTransaction", [{ from: token, to, value: "0x0", gas: "0x5208" }]);
    assert.equal(fromCode.error?.code, -32044, JSON.stringify(fromCode));
    assert.match(fromCode.error?.message ?? "", /has code/);
    await test.stopImpersonatingAccount({ address: whale });
    const stopped = await ask("eth_sendTransaction", [{ from: whale, to, value: "0x1" }]);
    assert.equal(stopped.error?.code, -32041);
    const noFrom = await ask("eth_sendTransaction", [{ to, value: "0x1" }]);
    assert.equal(noFrom.error?.code, -32602);
    assert.match(noFrom.error?.message ?? "", /^from: required/);
  });

  it("lists the pool as geth does (txpool_*), reads and drops through anvil_getAutomine / anvil_dropTransaction", async () => {
    const { test } = clients("anvil");
    const sender = ethAccount(470);
    await test.setBalance({ address: sender.address as Hex, value: 10n ** 18n });
    await test.setAutomine(false);
    assert.equal(await test.getAutomine(), false);
    assert.equal((await ask("hardhat_getAutomine")).result, false);
    try {
      const sent = async (nonce: bigint) => {
        const raw = signEthTxRaw(
          sender,
          {
            nonce,
            to: ethAccount(471).address,
            value: 5n,
            gasLimit: 21_000n,
            maxFee: 10n ** 12n,
            priorityFee: 1n,
          },
          node.config.chainId,
        );
        return (await ask("eth_sendRawTransaction", [`0x${toHex(raw)}`])).result as Hex;
      };
      // The block timer mines whatever can run: nonces 1 and 2 wait for 0 (queued) and stay.
      const first = await sent(1n);
      const second = await sent(2n);
      assert.deepEqual(await test.getTxpoolStatus(), { pending: 0, queued: 2 });
      const content = (await ask("txpool_content")).result as Record<
        string,
        Record<string, Record<string, Record<string, unknown>>>
      >;
      assert.equal(content.queued?.[sender.address]?.["1"]?.hash, first);
      assert.equal(content.queued?.[sender.address]?.["2"]?.hash, second);
      const inspect = (await ask("txpool_inspect")).result as Record<
        string,
        Record<string, Record<string, string>>
      >;
      assert.match(
        inspect.queued?.[sender.address]?.["1"] ?? "",
        new RegExp(`^${ethAccount(471).address}: 5 wei \\+ 21000 gas × \\d+ wei$`),
      );
      const ready = first;
      const waiting = second;
      await test.dropTransaction({ hash: ready });
      assert.deepEqual(await test.getTxpoolStatus(), { pending: 0, queued: 1 });
      assert.equal((await ask("hardhat_dropTransaction", [waiting])).result, true);
      assert.deepEqual((await ask("txpool_status")).result, { pending: "0x0", queued: "0x0" });
    } finally {
      await test.setAutomine(true);
    }
    assert.equal(await test.getAutomine(), true);
    // What has no counterpart is "method not found" naming what to use instead.
    const limit = await ask("evm_setBlockGasLimit", ["0x1c9c380"]);
    assert.equal(limit.error?.code, -32601);
    assert.match(
      limit.error?.message ?? "",
      /evm_setBlockGasLimit is not supported here: .*--block-gas-limit/,
    );
    const fee = await ask("anvil_setNextBlockBaseFeePerGas", ["0x1"]);
    assert.equal(fee.error?.code, -32601);
    assert.match(fee.error?.message ?? "", /--min-base-fee/);
  });

  it("refuses bad params with -32602 naming the parameter", async () => {
    const who = ethAccount(430).address;
    const bad = [
      ["anvil_setStorageAt", [who, `0x${"1".repeat(65)}`, "0x0"], /^slot: expected at most 32 bytes/],
      ["hardhat_setStorageAt", [who, "0x0", "12"], /^value: expected at most 32 bytes/],
      ["anvil_setNonce", [who, "abc"], /^nonce: expected an unsigned 64-bit integer/],
      ["anvil_setBalance", ["0x12", "0x1"], /^address: expected an address/],
      ["hardhat_mine", ["zz"], /^count:/],
      ["evm_mine", [{ blocks: "x" }], /^options\.blocks:/],
      ["evm_setNextBlockTimestamp", ["soon"], /^timestamp:/],
      ["evm_revert", [], /expected 1 params/],
      [
        "dev_setStorageAt",
        [ethAccount(410).address, "0x1", `0x${"ab".repeat(33)}`],
        /^value: expected at most 32 bytes/,
      ],
    ] as const;
    for (const [method, params, reason] of bad) {
      const answer = await ask(method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method}: ${JSON.stringify(answer)}`);
      assert.match(answer.error?.message ?? "", reason, method);
    }
  });
});

describe("the anvil_/hardhat_/evm_ names with dev mode off", () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode((config) => {
      config.dev = false;
    });
  });
  after(() => node?.close());

  it("answer DEV_MODE_OFF naming themselves, and change nothing", async () => {
    const who = ethAccount(440).address;
    for (const [method, params] of [
      ["anvil_setBalance", [who, "0x1"]],
      ["hardhat_setStorageAt", [who, "0x0", "0x1"]],
      ["anvil_setCode", [who, "0x00"]],
      ["evm_mine", []],
      ["evm_snapshot", []],
    ] as const) {
      const answer = (await call(node.url, method, [...params])) as Answer;
      assert.equal(answer.error?.code, -32040, `${method}: ${JSON.stringify(answer)}`);
      assert.match(answer.error?.message ?? "", new RegExp(`^${method} needs dev mode`));
    }
    assert.equal(((await call(node.url, "eth_getBalance", [who])) as Answer).result, "0x0");
    const send = (await call(node.url, "eth_sendTransaction", [{ from: who, to: who }])) as Answer;
    assert.equal(send.error?.code, -32000);
    assert.match(send.error?.message ?? "", /^unknown account/);
  });
});

describe("txpool_status splits the pool by nonce", () => {
  it("counts a transaction pending when its nonce follows the chain's, through its sender's others", () => {
    const tx = (sender: string, sequence: bigint) =>
      ({ hash: `0x${sender}${sequence}`, sender, nonceKey: 0n, sequence, tx: {} }) as unknown;
    const pool = [tx("a", 5n), tx("a", 6n), tx("a", 8n), tx("b", 1n)];
    const node = {
      mempool: { pending: () => pool },
      nextSequence: (sender: string) => (sender === "a" ? 5n : 0n),
    } as unknown as Parameters<typeof txpoolMethods>[0];
    const status = txpoolMethods(node).txpool_status?.([], {} as never);
    assert.deepEqual(status, { pending: "0x2", queued: "0x2" });
  });
});
