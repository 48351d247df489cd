/**
 * The eth_ methods dev tooling calls beyond the first set, on a started node, through viem
 * where it has an action: a block's receipts, transactions by block and index, counts by
 * hash, uncles (none), the network and mining status, `web3_sha3`, `eth_createAccessList`
 * (checked against the gas a transaction sent with that list pays), and a block's `size`
 * (checked against the RLP of the block as Ethereum encodes it); bad params are -32602.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RLP } from "@ethereumjs/rlp";
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  parseEther,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { fromHex, toHex } from "../../../src/codec/bytes.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { TOKEN_INIT_CODE } from "../../fixtures/evm/token.js";
import { ethAccount } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";
import { viemChain } from "../../helpers/viemChain.js";

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}
type Json = Record<string, unknown>;

const word = (hex: string) => hex.replace(/^0x/, "").padStart(64, "0");
const bytesOf = (hex: string) => fromHex(hex.slice(2));
const q = (hex: unknown) => BigInt(hex as string);

/** The RLP of an eth_ block as Ethereum encodes it: [header (16 fields), signed transactions, uncles]. */
function blockRlp(block: Json, raws: Uint8Array[]): Uint8Array {
  const header = [
    bytesOf(block.parentHash as string),
    bytesOf(block.sha3Uncles as string),
    bytesOf(block.miner as string),
    bytesOf(block.stateRoot as string),
    bytesOf(block.transactionsRoot as string),
    bytesOf(block.receiptsRoot as string),
    bytesOf(block.logsBloom as string),
    q(block.difficulty),
    q(block.number),
    q(block.gasLimit),
    q(block.gasUsed),
    q(block.timestamp),
    bytesOf(block.extraData as string),
    bytesOf(block.mixHash as string),
    bytesOf(block.nonce as string),
    q(block.baseFeePerGas),
  ];
  // A legacy transaction is itself a list; a typed one is a byte string.
  const txs = raws.map((raw) => ((raw[0] as number) >= 0xc0 ? RLP.decode(raw) : raw));
  return RLP.encode([header, txs as never, []]);
}

describe("eth_ block, receipt, access-list and status methods", () => {
  let node: TestNode;
  let chain: Chain;
  const alice = privateKeyToAccount(
    `0x${toHex((ethDevKeys(1)[0] as { privateKey: Uint8Array }).privateKey)}`,
  );
  const bob = ethAccount(321).address;
  before(async () => {
    node = await startEthTestNode();
    chain = viemChain(node);
  });
  after(() => node?.close());
  const ask = (method: string, params: unknown[] = []) => call(node.url, method, params) as Promise<Answer>;
  const clients = () => ({
    client: createPublicClient({ chain, transport: http(node.url), pollingInterval: 50 }),
    wallet: createWalletClient({ chain, account: alice, transport: http(node.url), pollingInterval: 50 }),
  });

  /** Signs and sends; resolves with the raw bytes and the receipt. */
  const send = async (request: Json) => {
    const { client, wallet } = clients();
    const prepared = await wallet.prepareTransactionRequest({ account: alice, chain, ...request } as never);
    const raw = await wallet.signTransaction(prepared as never);
    const hash = await client.sendRawTransaction({ serializedTransaction: raw });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
    return { raw: bytesOf(raw), hash, receipt };
  };

  it("status methods and web3_sha3", async () => {
    assert.equal((await ask("net_listening")).result, true);
    assert.equal((await ask("net_peerCount")).result, "0x0");
    assert.equal((await ask("eth_mining")).result, true);
    assert.equal((await ask("eth_hashrate")).result, "0x0");
    const head = (await ask("eth_getBlockByNumber", ["latest", false])).result as Json;
    assert.equal((await ask("eth_coinbase")).result, head.miner);
    const hello = "0x68656c6c6f20776f726c64";
    assert.equal((await ask("web3_sha3", [hello])).result, keccak256(hello));
    assert.equal((await ask("web3_sha3", ["0x"])).result, keccak256("0x"));
    assert.equal((await ask("web3_sha3", ["hello"])).error?.code, -32602);
    assert.equal((await ask("net_listening", [1])).error?.code, -32602);
  });

  it("blocks: receipts, transactions by index, counts, uncles and size as Ethereum encodes it", async () => {
    const legacy = await send({ to: bob, value: parseEther("1"), type: "legacy" });
    const typed = await send({ to: bob, value: 5n, type: "eip1559" });
    const { client } = clients();
    for (const { raw, hash, receipt } of [legacy, typed]) {
      const block = (await ask("eth_getBlockByHash", [receipt.blockHash, false])).result as Json;
      const txs = block.transactions as Hex[];
      const raws: Uint8Array[] = [];
      for (const txh of txs) {
        // Each of these blocks holds only this test's transactions (automine).
        assert.equal(txh, hash, "one transaction per block");
        raws.push(raw);
      }
      assert.equal(q(block.size), BigInt(blockRlp(block, raws).length), `size of block ${block.number}`);

      const receipts = (await ask("eth_getBlockReceipts", [block.number])).result as Json[];
      const alone = (await ask("eth_getTransactionReceipt", [hash])).result;
      assert.deepEqual(receipts, [alone]);
      assert.deepEqual((await ask("eth_getBlockReceipts", [block.hash])).result, receipts);
      assert.deepEqual((await ask("eth_getBlockReceipts", [{ blockHash: block.hash }])).result, receipts);

      const byHash = (await ask("eth_getTransactionByHash", [hash])).result;
      const index = receipt.transactionIndex;
      assert.deepEqual(
        (await ask("eth_getTransactionByBlockNumberAndIndex", [block.number, `0x${index.toString(16)}`]))
          .result,
        byHash,
      );
      assert.deepEqual(
        (await ask("eth_getTransactionByBlockHashAndIndex", [block.hash, `0x${index.toString(16)}`])).result,
        byHash,
      );
      const viaViem = await client.getTransaction({ blockHash: block.hash as Hex, index });
      assert.equal(viaViem.hash, hash);
      const viaNumber = await client.getTransaction({ blockNumber: receipt.blockNumber, index });
      assert.equal(viaNumber.hash, hash);
      assert.equal(await client.getBlockTransactionCount({ blockHash: block.hash as Hex }), 1);
      assert.equal((await ask("eth_getUncleCountByBlockNumber", [block.number])).result, "0x0");
      assert.equal((await ask("eth_getUncleCountByBlockHash", [block.hash])).result, "0x0");
      assert.equal((await ask("eth_getUncleByBlockNumberAndIndex", [block.number, "0x0"])).result, null);
      assert.equal((await ask("eth_getUncleByBlockHashAndIndex", [block.hash, "0x0"])).result, null);
      // Past the block's transactions: null.
      assert.equal((await ask("eth_getTransactionByBlockHashAndIndex", [block.hash, "0x5"])).result, null);
    }
    // An empty block's size: no transactions.
    const genesis = (await ask("eth_getBlockByNumber", ["0x0", false])).result as Json;
    assert.equal(q(genesis.size), BigInt(blockRlp(genesis, []).length));
    assert.deepEqual((await ask("eth_getBlockReceipts", ["0x0"])).result, []);

    // Unknown blocks: null; malformed parameters: -32602 naming the parameter.
    const nowhere = `0x${"ab".repeat(32)}`;
    assert.equal((await ask("eth_getBlockReceipts", ["0x7fffffff"])).result, null);
    assert.equal((await ask("eth_getBlockReceipts", [nowhere])).result, null);
    assert.equal((await ask("eth_getBlockTransactionCountByHash", [nowhere])).result, null);
    assert.equal((await ask("eth_getUncleCountByBlockHash", [nowhere])).result, null);
    assert.equal((await ask("eth_getTransactionByBlockNumberAndIndex", ["0x7fffffff", "0x0"])).result, null);
    const bad = [
      ["eth_getBlockReceipts", ["newest"], /block/],
      ["eth_getBlockReceipts", [{ blockHash: "0x12" }], /block\.blockHash/],
      ["eth_getTransactionByBlockNumberAndIndex", ["latest", "zz"], /transactionIndex/],
      ["eth_getTransactionByBlockHashAndIndex", ["0x12", "0x0"], /blockHash/],
      ["eth_getBlockTransactionCountByHash", [], /expected 1 params/],
      ["eth_getUncleCountByBlockNumber", [7], /block/],
    ] as const;
    for (const [method, params, reason] of bad) {
      const answer = await ask(method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(answer)}`);
      assert.match(answer.error?.message ?? "", reason);
    }
  });

  it("eth_createAccessList: the token's two balance slots, and the gas a transaction with that list pays", async () => {
    const deployed = await send({ data: `0x${toHex(TOKEN_INIT_CODE)}`, gas: 1_000_000n });
    const token = deployed.receipt.contractAddress as Hex;
    assert.ok(token);
    const data = `0xa9059cbb${word(bob)}${word("0x64")}` as Hex;
    const { client } = clients();
    const found = await client.createAccessList({ account: alice.address, to: token, data });
    const slotOf = (owner: string) => keccak256(`0x${word(owner)}${word("0x0")}`);
    assert.equal(found.accessList.length, 1, JSON.stringify(found.accessList));
    assert.equal(found.accessList[0]?.address, token);
    assert.deepEqual(
      found.accessList[0]?.storageKeys.slice().sort(),
      [slotOf(alice.address.toLowerCase()), slotOf(bob)].sort(),
    );
    // The estimate counts the list's intrinsic gas (viem sends it with the call object).
    const withList = await client.estimateGas({
      account: alice.address,
      to: token,
      data,
      accessList: found.accessList,
    });
    assert.equal(withList, found.gasUsed);
    const sent = await send({ to: token, data, accessList: found.accessList, type: "eip1559" });
    assert.equal(sent.receipt.status, "success");
    assert.equal(sent.receipt.gasUsed, found.gasUsed, "the gas the list said");

    // A revert is not an RPC error: the list so far, and `error`.
    const poor = ethAccount(654).address;
    const reverted = (await ask("eth_createAccessList", [{ from: poor, to: token, data }])).result as Json;
    assert.equal(reverted.error, "execution reverted");
    assert.match(String(reverted.gasUsed), /^0x[0-9a-f]+$/);
    const badTo = await ask("eth_createAccessList", [{ to: "0x12" }]);
    assert.equal(badTo.error?.code, -32602);
    assert.match(badTo.error?.message ?? "", /^to: expected an address/);
    const badKey = await ask("eth_estimateGas", [
      { to: token, accessList: [{ address: token, storageKeys: ["0x01"] }] },
    ]);
    assert.equal(badKey.error?.code, -32602);
    assert.match(badKey.error?.message ?? "", /accessList\[0\]\.storageKeys\[0\]: expected 32 bytes/);
    const tooMany = Array.from({ length: 1_025 }, () => ({ address: token, storageKeys: [] }));
    assert.equal((await ask("eth_call", [{ to: token, accessList: tooMany }])).error?.code, -32602);
  });
});
