/**
 * The eth_ read methods on a node: fees, estimates (exact where the used gas is not enough),
 * eth_call with state overrides, logs and polling filters with their bounds, subscriptions in
 * Ethereum's shapes, Weft envelopes shown as type 0x57, and hostile parameters refused with
 * -32602 and a reason. Blocks are made on demand (`produceNow`).
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { assembleText as assemble } from "../../../bench/evm/asm.js";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import { decodeTx } from "../../../src/chain/tx/envelope.js";
import type { Address } from "../../../src/codec/address.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { type EthAccount, type EthTxRequest, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { Client, call, post } from "../../helpers/rpcServer.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";

/** POSTs a JSON body from a given local address (another client of the node). */
function postFrom(localAddress: string, url: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve(JSON.parse(text)));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const hexOf = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
type Answer = { result?: unknown; error?: { code: number; message: string; data?: unknown } };

/** Init code that deploys `runtime` as it is. */
function deployer(runtime: Uint8Array): Uint8Array {
  const init = assemble(`PUSH1 ${runtime.length} DUP1 PUSH1 11 PUSH1 0 CODECOPY PUSH1 0 RETURN`);
  return new Uint8Array([...init, ...runtime]);
}

describe("eth_ reads, filters and subscriptions", () => {
  let node: TestNode;
  const [alice, bob] = ethDevKeys(2).map((k): EthAccount => ({ key: k.privateKey, address: k.address })) as [
    EthAccount,
    EthAccount,
  ];
  let logger: Address;
  const nonces = new Map<string, bigint>();
  before(async () => {
    node = await startEthTestNode((config) => {
      config.blockTimeMs = 3_600_000;
    });
    node.running.node.automine = false;
  });
  after(() => node?.close());

  const ask = async (method: string, params: unknown[] = []) =>
    (await call(node.url, method, params)) as Answer;
  const send = async (from: EthAccount, request: Partial<EthTxRequest>) => {
    const nonce = nonces.get(from.address) ?? 0n;
    nonces.set(from.address, nonce + 1n);
    const baseFee = evmBaseFee(node.running.node.nextBlock().baseFee ?? 0n);
    const raw = signEthTxRaw(
      from,
      { nonce, to: bob.address, gasLimit: 100_000n, maxFee: baseFee * 2n + 5n, priorityFee: 3n, ...request },
      node.config.chainId,
    );
    const answer = await ask("eth_sendRawTransaction", [hexOf(raw)]);
    assert.equal(typeof answer.result, "string", JSON.stringify(answer));
    return answer.result as string;
  };
  const mine = async () => {
    const produced = await node.running.node.produceNow();
    assert.ok(produced, "a block was made");
    return produced;
  };

  it("answers chain status and fees", async () => {
    assert.equal((await ask("eth_syncing")).result, false);
    assert.deepEqual((await ask("eth_accounts")).result, []);
    await send(alice, { value: 5n });
    await mine();
    const tip = BigInt((await ask("eth_maxPriorityFeePerGas")).result as string);
    assert.equal(tip, 3n, "the median tip paid lately");
    const next = evmBaseFee(node.running.node.nextBlock().baseFee ?? 0n);
    assert.equal(BigInt((await ask("eth_gasPrice")).result as string), next + tip);
    const history = (await ask("eth_feeHistory", ["0x2", "latest", [25, 75]])).result as {
      oldestBlock: string;
      baseFeePerGas: string[];
      gasUsedRatio: number[];
      reward: string[][];
    };
    const head = node.running.node.head().number;
    assert.equal(history.oldestBlock, `0x${(head - 1).toString(16)}`);
    assert.equal(history.baseFeePerGas.length, 3);
    assert.equal(history.baseFeePerGas[2], `0x${next.toString(16)}`);
    assert.equal(history.gasUsedRatio.length, 2);
    assert.deepEqual(history.reward[1], ["0x3", "0x3"]);
    assert.equal((await ask("eth_feeHistory", [2000, "latest"])).error?.code, -32602);
    assert.equal((await ask("eth_feeHistory", [2, "latest", [50, 10]])).error?.code, -32602);
  });

  it("estimates the least gas that succeeds (also past what the run used), and reports reverts as error 3", async () => {
    assert.equal(
      (await ask("eth_estimateGas", [{ from: alice.address, to: bob.address, value: "0x1" }])).result,
      "0x5208",
    );
    // Reverts unless at least 50,000 gas is left when it starts: it uses little, it needs more.
    const picky = assemble("GAS PUSH3 0x00c350 GT PUSH1 10 JUMPI STOP JUMPDEST PUSH1 0 PUSH1 0 REVERT");
    const created = await send(alice, { to: undefined, data: deployer(picky), gasLimit: 200_000n });
    await mine();
    const address = (
      (await ask("eth_getTransactionReceipt", [created])).result as { contractAddress: Address }
    ).contractAddress;
    const estimate = await ask("eth_estimateGas", [{ from: alice.address, to: address }]);
    const gas = BigInt(estimate.result as string);
    assert.ok(gas > 21_000n + 50_000n, `estimate ${gas}`);
    const at = async (limit: bigint) =>
      ask("eth_call", [{ from: alice.address, to: address, gas: `0x${limit.toString(16)}` }, "latest"]);
    assert.equal((await at(gas)).error, undefined);
    assert.equal((await at(gas - 1n)).error?.code, 3);
    const reverting = await ask("eth_estimateGas", [{ from: alice.address, to: address, gas: "0xc350" }]);
    assert.equal(reverting.error?.code, 3);
    assert.equal(reverting.error?.data, "0x");
  });

  it("eth_call sees state overrides: code, storage and balance", async () => {
    const target: Address = "0x00000000000000000000000000000000000000c0";
    // Returns storage slot 1 plus its own balance.
    const code = assemble("PUSH1 1 SLOAD ADDRESS BALANCE ADD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN");
    const result = await ask("eth_call", [
      { to: target },
      "latest",
      { [target]: { code: hexOf(code), balance: "0x10", stateDiff: { "0x01": "0x2a" } } },
    ]);
    assert.equal(BigInt(result.result as string), 0x3an, JSON.stringify(result));
    const without = await ask("eth_call", [{ to: target }, "latest"]);
    assert.equal(without.result, "0x");
    const many = Object.fromEntries(
      Array.from({ length: 65 }, (_, i) => [
        `0x${(i + 1).toString(16).padStart(40, "0")}`,
        { balance: "0x1" },
      ]),
    );
    const refused = await ask("eth_call", [{ to: target }, "latest", many]);
    assert.equal(refused.error?.code, -32602);
    assert.match(refused.error?.message ?? "", /at most 64/);
  });

  it("finds logs with block-wide indexes, and polls filters for logs, blocks and pending transactions", async () => {
    const runtime = assemble("PUSH4 0xcafef00d PUSH1 0 MSTORE PUSH1 0x77 PUSH1 4 PUSH1 28 LOG1 STOP");
    const created = await send(bob, { to: undefined, data: deployer(runtime), gasLimit: 200_000n });
    await mine();
    logger = ((await ask("eth_getTransactionReceipt", [created])).result as { contractAddress: Address })
      .contractAddress;
    const logFilter = (await ask("eth_newFilter", [{ address: logger }])).result as string;
    const blockFilter = (await ask("eth_newBlockFilter")).result as string;
    const pendingFilter = (await ask("eth_newPendingTransactionFilter")).result as string;
    const first = await send(alice, { to: logger });
    const second = await send(bob, { to: logger });
    assert.deepEqual((await ask("eth_getFilterChanges", [pendingFilter])).result, [first, second]);
    const block = await mine();
    const changes = (await ask("eth_getFilterChanges", [logFilter])).result as Array<Record<string, string>>;
    assert.equal(changes.length, 2);
    assert.deepEqual(
      changes.map((l) => l.logIndex),
      ["0x0", "0x1"],
    );
    assert.equal(changes[0]?.blockHash, block.block.header.hash);
    assert.deepEqual((await ask("eth_getFilterChanges", [logFilter])).result, []);
    assert.deepEqual((await ask("eth_getFilterChanges", [blockFilter])).result, [block.block.header.hash]);
    const topic = `0x${"77".padStart(64, "0")}`;
    const logs = (await ask("eth_getLogs", [{ fromBlock: "earliest", topics: [topic] }])).result as unknown[];
    assert.equal(logs.length, 2);
    const byHash = (await ask("eth_getLogs", [{ blockHash: block.block.header.hash, address: [logger] }]))
      .result as unknown[];
    assert.equal(byHash.length, 2);
    assert.equal((await ask("eth_uninstallFilter", [logFilter])).result, true);
    assert.equal((await ask("eth_getFilterChanges", [logFilter])).error?.message, "filter not found");
    // Bounds: at most 4 topic positions, 100 addresses, not blockHash with a range, a sane order.
    const refusals: unknown[] = [
      { topics: [null, null, null, null, null] },
      { address: Array.from({ length: 101 }, () => logger) },
      { blockHash: block.block.header.hash, fromBlock: "0x1" },
      { fromBlock: "0x2", toBlock: "0x1" },
      { fromBlock: "yesterday" },
    ];
    for (const filter of refusals) assert.equal((await ask("eth_getLogs", [filter])).error?.code, -32602);
    // Past the head, fromBlock is -32602 as in weft_getLogs, not [] (read as "no logs").
    const past = `0x${(node.running.node.head().number + 5).toString(16)}`;
    for (const method of ["eth_getLogs", "weft_getLogs"]) {
      const answer = await ask(method, [{ fromBlock: past }]);
      assert.equal(answer.error?.code, -32602, `${method}: ${JSON.stringify(answer)}`);
      assert.match(answer.error?.message ?? "", /fromBlock \d+ is after toBlock \d+/);
    }
  });

  it("pending transaction filters read one shared log: each sees what was admitted since its last poll", async () => {
    const early = (await ask("eth_newPendingTransactionFilter")).result as string;
    const first = await send(alice, { to: bob.address });
    const late = (await ask("eth_newPendingTransactionFilter")).result as string;
    const second = await send(alice, { to: bob.address });
    assert.deepEqual((await ask("eth_getFilterChanges", [early])).result, [first, second]);
    assert.deepEqual((await ask("eth_getFilterChanges", [late])).result, [second]);
    assert.deepEqual((await ask("eth_getFilterChanges", [early])).result, []);
    const third = await send(alice, { to: bob.address });
    assert.deepEqual((await ask("eth_getFilterChanges", [early])).result, [third]);
    assert.deepEqual((await ask("eth_getFilterChanges", [late])).result, [third]);
    await mine();
  });

  it("bounds the filters a node holds, per client: one client cannot take every slot", async () => {
    // Attacker: one client installed the node's 1,000 filters and every other client was refused.
    const body = Array.from({ length: 100 }, (_, id) => ({
      jsonrpc: "2.0",
      id,
      method: "eth_newBlockFilter",
    }));
    let refused: Answer["error"];
    for (let round = 0; round < 11 && refused === undefined; round++) {
      const answers = (await post(node.url, body)).json as Answer[];
      refused = answers.find((a) => a.error !== undefined)?.error;
    }
    assert.equal(refused?.code, -32008);
    assert.match(refused?.message ?? "", /too many filters installed by this client \(limit 100\)/);
    const other = (await postFrom("127.0.0.2", node.url, body.slice(0, 1))) as Answer[];
    assert.equal(
      typeof other[0]?.result,
      "string",
      `another client still installs: ${JSON.stringify(other)}`,
    );
  });

  it("shows a Weft envelope as a type 0x57 transaction with an Ethereum-shaped receipt", async () => {
    const account = node.running.node.genesis.accounts[0]?.address as Address;
    const raw = callsRaw(
      {
        chainId: node.config.chainId,
        sender: account,
        devIndex: 0,
        sequence: node.running.node.nextSequence(account, 0n),
      },
      [{ target: bob.address, method: "", args: new Uint8Array(0), value: 9n }],
    );
    const hash = (await ask("eth_sendRawTransaction", [hexOf(raw)])).result as string;
    assert.match(hash, /^0x[0-9a-f]{64}$/);
    await mine();
    const tx = (await ask("eth_getTransactionByHash", [hash])).result as Record<string, unknown>;
    assert.equal(tx.type, "0x57");
    assert.equal(tx.from, account);
    assert.equal(tx.to, bob.address);
    assert.equal(tx.value, "0x9");
    assert.equal(tx.input, hexOf(raw));
    const receipt = (await ask("eth_getTransactionReceipt", [hash])).result as Record<string, unknown>;
    assert.equal(receipt.status, "0x1", JSON.stringify(receipt));
    assert.equal(receipt.type, "0x57");
    assert.equal(receipt.from, account);
  });

  it("counts gas in EVM gas for both kinds: receipts add up, and gasUsed × price is the fee", async () => {
    const account = node.running.node.genesis.accounts[1]?.address as Address;
    const env = callsRaw(
      {
        chainId: node.config.chainId,
        sender: account,
        devIndex: 1,
        sequence: node.running.node.nextSequence(account, 0n),
      },
      [{ target: bob.address, method: "", args: new Uint8Array(0), value: 3n }],
    );
    const envHash = (await ask("eth_sendRawTransaction", [hexOf(env)])).result as string;
    const ethHash = await send(alice, { value: 4n });
    await mine();
    const receipt = async (hash: string) =>
      (await ask("eth_getTransactionReceipt", [hash])).result as Record<string, string>;
    const big = (v: string | undefined) => BigInt(v ?? "-1");
    const [re, rt] = [await receipt(envHash), await receipt(ethHash)];
    assert.equal(re.blockNumber, rt.blockNumber, "one block");
    const block = (await ask("eth_getBlockByNumber", [re.blockNumber, false])).result as Record<
      string,
      string
    >;
    const [first, last] = big(re.transactionIndex) < big(rt.transactionIndex) ? [re, rt] : [rt, re];
    assert.equal(big(last.cumulativeGasUsed), big(first.cumulativeGasUsed) + big(last.gasUsed));
    assert.equal(big(first.cumulativeGasUsed), big(first.gasUsed), "the block's only two transactions");
    // The block's gasUsed is its capacity used: the header's Weft gas ÷ 500.
    const header = node.running.node.db.block(Number(big(re.blockNumber)))?.header;
    assert.equal(big(block.gasUsed), BigInt(header?.gasUsed ?? -1) / 500n);
    // The envelope: its Weft gas ÷ 500 at its Weft price × 500; the Ethereum transfer: 21,000.
    const weft = node.running.node.db.receipt(envHash as `0x${string}`);
    assert.ok(weft !== undefined);
    assert.equal(big(re.gasUsed), (BigInt(weft.gasUsed) + 499n) / 500n);
    assert.equal(big(re.effectiveGasPrice), (BigInt(weft.fee) / BigInt(weft.gasUsed)) * 500n);
    assert.equal(big(rt.gasUsed), 21_000n);
    const paid = node.running.node.db.receipt(ethHash as `0x${string}`);
    assert.equal(big(rt.gasUsed) * big(rt.effectiveGasPrice), BigInt(paid?.fee ?? -1));
    const tx = (await ask("eth_getTransactionByHash", [envHash])).result as Record<string, string>;
    const decoded = decodeTx(env);
    assert.equal(big(tx.gas), decoded.gasLimit / 500n);
    assert.equal(big(tx.maxFeePerGas), decoded.maxFee * 500n);
    assert.equal(big(tx.maxPriorityFeePerGas), decoded.priorityFee * 500n);
  });

  it("publishes eth_subscribe newHeads, logs and newPendingTransactions in Ethereum's shapes", async () => {
    const ws = await Client.open(node.url.replace(/^http/, "ws"));
    try {
      const subscribe = async (params: unknown[]) => {
        const answer = await ws.request({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params });
        assert.match(String(answer.result), /^0x[0-9a-f]{32}$/, JSON.stringify(answer));
        return answer.result as string;
      };
      const heads = await subscribe(["newHeads"]);
      const logs = await subscribe(["logs", { address: logger }]);
      const pending = await subscribe(["newPendingTransactions"]);
      const unknown = await ws.request({ jsonrpc: "2.0", id: 2, method: "eth_subscribe", params: ["nope"] });
      assert.equal(unknown.error?.code, -32602);
      assert.match(unknown.error?.message ?? "", /newHeads, newPendingTransactions, logs|logs|newHeads/);
      const hash = await send(alice, { to: logger });
      const block = await mine();
      const seen = new Map<string, Record<string, unknown>>();
      while (seen.size < 3) {
        const m = (await ws.next(60_000)) as {
          method?: string;
          params?: { subscription: string; result: unknown };
        };
        assert.equal(m.method, "eth_subscription");
        seen.set(m.params?.subscription as string, m.params?.result as Record<string, unknown>);
      }
      assert.equal(seen.get(pending), hash);
      const head = seen.get(heads) as Record<string, unknown>;
      assert.equal(head.hash, block.block.header.hash);
      assert.equal(head.number, `0x${block.block.header.number.toString(16)}`);
      const log = seen.get(logs) as Record<string, unknown>;
      assert.equal(log.transactionHash, hash);
      assert.equal(log.logIndex, "0x0");
      assert.equal(log.address, logger);
    } finally {
      await ws.close();
    }
  });

  it("refuses hostile parameters with -32602 and a reason", async () => {
    let deep: unknown = "0x";
    for (let i = 0; i < 100; i++) deep = [deep];
    const nested = await ask("eth_getLogs", [deep]);
    assert.equal(nested.error?.code, -32602);
    assert.match(nested.error?.message ?? "", /nested deeper/);
    const big = await ask("eth_call", [{ to: bob.address, data: `0x${"00".repeat(200 * 1024)}` }]);
    assert.equal(big.error?.code, -32602);
    assert.match(big.error?.message ?? "", /too long/);
    const tag = await ask("eth_getBlockByNumber", [{ a: 1 }, false]);
    assert.equal(tag.error?.code, -32602);
    assert.equal((await ask("eth_getBlockByNumber", ["0xffffff", false])).result, null);
    assert.equal((await ask("eth_getTransactionByHash", ["0x12"])).error?.code, -32602);
  });
});
