/**
 * WASM contracts' events in the eth_ views: a transfer of the WASM token WUSD (an envelope
 * from a dev account) is an ERC-20 `Transfer` to viem's `decodeEventLog` with `erc20Abi`
 * and to ethers' `Interface`, in `eth_getTransactionReceipt`, `eth_getLogs` (by address, by
 * topic 0 alone, by an indexed recipient) and `eth_subscribe` logs; `weft_getLogs` keeps
 * Weft's form. A user's contract's event is shown as stored until its metadata is verified,
 * then in Ethereum's form (indexed string and integer, dynamic data). Also the Ethereum ABI
 * encoding of dynamic types against viem's.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Interface } from "ethers";
import {
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  erc20Abi,
  type Hex,
  keccak256,
  pad,
  parseAbi,
  toBytes,
} from "viem";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import type { Call } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { encodeEthAbi } from "../../../src/codec/ethAbi.js";
import { ethEventSignature } from "../../../src/codec/ethEventForm.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { callsRaw, tokenTransferRaw } from "../../helpers/nodeTx.js";
import { Client } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const STRANGER: Address = "0x00000000000000000000000000000000000000aa";
const ERC20_TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const AMOUNT = 5n * 10n ** 18n;

interface EthLog {
  address: Hex;
  topics: [Hex, ...Hex[]];
  data: Hex;
  transactionHash: Hex;
  logIndex: Hex;
}

describe("WASM events in Ethereum's form", () => {
  let node: TestNode;
  let wusd: Address;
  let dev0: Address;
  let txHash: string;
  let blockNumber: number;
  let seen: Promise<EthLog>;
  let socket: Client | undefined;

  before(async () => {
    node = await startTestNode((config) => {
      config.blockTimeMs = 50;
    });
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    wusd = genesis.contracts.wusd as Address;
    dev0 = genesis.accounts[0]?.address as Address;
    // Subscribed (the subscription id answered) before the transfer is sent.
    socket = await Client.open(node.url.replace(/^http/, "ws"));
    socket.send({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["logs", { address: wusd }] });
    const subscribed = await socket.next(60_000);
    assert.equal(typeof subscribed.result, "string", JSON.stringify(subscribed));
    seen = socket.next(60_000).then((m) => m.params?.result as EthLog);
    const raw = tokenTransferRaw(
      { chainId: node.config.chainId, sender: dev0, devIndex: 0, sequence: 0n },
      wusd,
      STRANGER,
      AMOUNT,
    );
    ({ hash: txHash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
      `0x${Buffer.from(raw).toString("hex")}`,
    ]));
    const receipt = await waitForReceipt<{ status: string; blockNumber: number }>(node.url, txHash);
    assert.equal(receipt.status, "success");
    blockNumber = receipt.blockNumber;
  });
  after(async () => {
    await socket?.close();
    await node?.close();
  });

  it("the receipt's log decodes with viem's erc20Abi and ethers' Interface", async () => {
    const receipt = await rpc<{ logs: EthLog[]; logsBloom: Hex }>(node.url, "eth_getTransactionReceipt", [
      txHash,
    ]);
    const transfer = receipt.logs.find((l) => l.topics[0] === ERC20_TRANSFER);
    assert.ok(transfer, `no ERC-20 Transfer among ${JSON.stringify(receipt.logs)}`);
    // viem's decodeEventLog gives checksummed addresses: compare lower case.
    const decoded = decodeEventLog({ abi: erc20Abi, topics: transfer.topics, data: transfer.data });
    assert.equal(decoded.eventName, "Transfer");
    const args = decoded.args as { from: string; to: string; value: bigint };
    assert.equal(args.from.toLowerCase(), dev0);
    assert.equal(args.to.toLowerCase(), STRANGER);
    assert.equal(args.value, AMOUNT);
    const parsed = new Interface([
      "event Transfer(address indexed from, address indexed to, uint256 value)",
    ]).parseLog(transfer);
    assert.equal(parsed?.name, "Transfer");
    assert.equal(String(parsed?.args.to).toLowerCase(), STRANGER);
    assert.equal(parsed?.args.value, AMOUNT);
  });

  it("eth_getLogs finds it by address, by topic 0 alone and by the indexed recipient", async () => {
    const range = { fromBlock: `0x${blockNumber.toString(16)}`, toBlock: `0x${blockNumber.toString(16)}` };
    const byAddress = await rpc<EthLog[]>(node.url, "eth_getLogs", [{ ...range, address: wusd }]);
    const byTopic = await rpc<EthLog[]>(node.url, "eth_getLogs", [{ ...range, topics: [ERC20_TRANSFER] }]);
    const byRecipient = await rpc<EthLog[]>(node.url, "eth_getLogs", [
      { ...range, topics: [ERC20_TRANSFER, null, pad(STRANGER)] },
    ]);
    for (const logs of [byAddress, byTopic, byRecipient]) {
      const mine = logs.filter((l) => l.transactionHash === txHash && l.address === wusd);
      assert.equal(mine.length, 1, JSON.stringify(logs));
      assertTransferLower(mine[0] as EthLog);
    }
  });

  it("eth_subscribe logs deliver it in the same form", async () => {
    assertTransferLower(await seen);
  });

  it("weft_getLogs keeps Weft's form (topic 0 of Transfer(address,address,u128), u128 little-endian data)", async () => {
    const logs = await rpc<Array<{ topics: string[]; data: string; txHash: string }>>(
      node.url,
      "weft_getLogs",
      [{ fromBlock: blockNumber, toBlock: blockNumber, address: wusd }],
    );
    const mine = logs.find((l) => l.txHash === txHash);
    const transfer = loadArtifact("token").metadata.events.find((e) => e.name === "Transfer");
    assert.equal(mine?.topics[0], transfer?.topic0);
    assert.equal(mine?.data.length, 2 + 32);
  });

  it("a verified contract's event: an indexed string and u32, a string and a u128, decoded by viem; found by topic 0 alone", async () => {
    const probe = loadArtifact("probe");
    const send = async (calls: Call[], sequence: bigint) => {
      const raw = callsRaw(
        { chainId: node.config.chainId, sender: dev0, devIndex: 0, sequence, gasLimit: 20_000_000n },
        calls,
      );
      const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [`0x${toHex(raw)}`]);
      return {
        hash,
        receipt: await waitForReceipt<{ status: string; contractAddress?: Address; blockNumber: number }>(
          node.url,
          hash,
        ),
      };
    };
    const deployed = await send(
      [
        {
          target: DEPLOY_TARGET,
          method: DEPLOY_METHOD,
          args: encodeAbi(DEPLOY_ARGS, [probe.code, new Uint8Array(0), new Uint8Array(32)]),
          value: 0n,
        },
      ],
      1n,
    );
    const at = deployed.receipt.contractAddress as Address;
    const args = encodeAbi(["string", "u32", "string", "u128"], ["k", 7, "hello", 123n]);
    const noted = await send([{ target: at, method: "note", args, value: 0n }], 2n);
    assert.equal(noted.receipt.status, "success");
    const abi = parseAbi([
      "event Noted(string indexed key, uint256 indexed index, string value, uint256 amount)",
    ]);
    const topic0 = encodeEventTopics({ abi, eventName: "Noted" })[0];
    const range = { fromBlock: `0x${noted.receipt.blockNumber.toString(16)}`, toBlock: "latest" };
    const before = await rpc<EthLog[]>(node.url, "eth_getLogs", [{ ...range, address: at }]);
    assert.notEqual(before[0]?.topics[0], topic0, "unknown code: shown as stored");
    await rpc(node.url, "weft_verifyContract", [at, probe.metadata, `0x${toHex(probe.code)}`]);
    const [log] = await rpc<EthLog[]>(node.url, "eth_getLogs", [{ ...range, topics: [topic0] }]);
    assert.ok(log, "found by its Ethereum topic 0 once verified");
    assert.equal(log.address, at);
    const decoded = decodeEventLog({ abi, topics: log.topics, data: log.data });
    assert.deepEqual(decoded.args, { key: keccak256(toBytes("k")), index: 7n, value: "hello", amount: 123n });
    const receipt = await rpc<{ logs: EthLog[] }>(node.url, "eth_getTransactionReceipt", [noted.hash]);
    assert.deepEqual(receipt.logs[0]?.topics, log.topics);
  });

  it("encodes dynamic arguments as Ethereum's ABI does, and names the event's Ethereum signature", () => {
    const ours = encodeEthAbi(
      ["u32", "string", "u64[]", "(u8,string)", "bytes", "bool", "i64"],
      [7n, "héllo", [1n, 2n, 3n], [9n, "x"], new Uint8Array([1, 2, 3]), true, -5n],
    );
    const theirs = encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "string" },
        { type: "uint256[]" },
        { type: "tuple", components: [{ type: "uint256" }, { type: "string" }] },
        { type: "bytes" },
        { type: "bool" },
        { type: "int256" },
      ],
      [7n, "héllo", [1n, 2n, 3n], [9n, "x"], "0x010203", true, -5n],
    );
    assert.equal(`0x${Buffer.from(ours).toString("hex")}`, theirs);
    const transfer = loadArtifact("token").metadata.events.find((e) => e.name === "Transfer");
    assert.ok(transfer);
    assert.equal(ethEventSignature(transfer), "Transfer(address,address,uint256)");
  });

  /** viem gives checksummed addresses: compare in lower case. */
  function assertTransferLower(log: EthLog) {
    assert.equal(log.address.toLowerCase(), wusd);
    const decoded = decodeEventLog({ abi: erc20Abi, topics: log.topics, data: log.data });
    assert.equal(decoded.eventName, "Transfer");
    const args = decoded.args as { from: string; to: string; value: bigint };
    assert.deepEqual([args.from.toLowerCase(), args.to.toLowerCase(), args.value], [dev0, STRANGER, AMOUNT]);
  }
});
