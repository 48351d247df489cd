/**
 * The answers of one JSON-RPC message are bounded in bytes (`rpc.maxResponseBytes`,
 * `rpc/responseBudget.ts`), whatever the chain holds (hostile input).
 *
 * A block of cheap events makes answers far larger than the block: an event with one topic
 * and no data weighs 52 bytes of the block's receipt budget and takes ~450 bytes as an
 * Ethereum log. One transaction of `flood(1024, 0)` (1,024 such events, ~3M gas) makes a
 * ~480 KB `eth_getBlockReceipts` answer; a block of 320 of them made 150 MB, built whole
 * before being encoded, and a batch of 100 built every answer at once (the attacker's repro
 * in the commit: the node's heap grew by gigabytes). Here the bound is 1 MiB and a block
 * holds three such transactions (~1.4 MB of receipts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { forgetBlockSummaries } from "../../../src/node/api/ethShapes.js";
import { callsRaw, deployRaw } from "../../helpers/nodeTx.js";
import { call } from "../../helpers/rpcServer.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const BOUND = 1024 * 1024;

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

describe("a message's answers are bounded in bytes (rpc.maxResponseBytes)", () => {
  let node: TestNode;
  let blockTag: string;
  let wideTag: string;
  let floods: string[];

  before(async () => {
    node = await startTestNode((config) => {
      config.dev = false; // no automine: the blocks are made here, with produceNow
      config.blockTimeMs = 3_600_000;
      config.rpc.maxResponseBytes = BOUND;
    });
    const chain = node.running.node;
    const sender = chain.genesis.accounts[1]?.address as Address;
    let sequence = chain.nextSequence(sender, 0n);
    const opts = (gasLimit: bigint) => ({
      chainId: chain.options.chainId,
      sender,
      devIndex: 1,
      sequence: sequence++,
      gasLimit,
      maxFee: 10n ** 9n,
    });
    const deploy = chain.submit(deployRaw(opts(50_000_000n), loadArtifact("flood").code)).hash;
    const deployed = await chain.produceNow();
    const flood = deployed?.receipts.find((r) => r.txHash === deploy)?.contractAddress as Address;
    const args = encodeAbi(["u32", "u32"], [1024, 0]);
    floods = [0, 1, 2].map(
      () =>
        chain.submit(callsRaw(opts(10_000_000n), [{ target: flood, method: "flood", args, value: 0n }])).hash,
    );
    const block = await chain.produceNow();
    assert.deepEqual(block?.block.txHashes, floods, "one block of three floods");
    assert.ok(block?.receipts.every((r) => r.status === "success" && r.logs.length === 1024));
    blockTag = `0x${block?.block.header.number.toString(16)}`;
    // Three floods then 40 calls that emit nothing: the third flood passes the bound.
    const quiet = encodeAbi(["u32", "u32"], [0, 0]);
    const wide = [...[0, 1, 2].map(() => args), ...Array.from({ length: 40 }, () => quiet)].map(
      (a) =>
        chain.submit(callsRaw(opts(10_000_000n), [{ target: flood, method: "flood", args: a, value: 0n }]))
          .hash,
    );
    const wideBlock = await chain.produceNow();
    assert.deepEqual(wideBlock?.block.txHashes, wide, "one block of 43 transactions");
    wideTag = `0x${wideBlock?.block.header.number.toString(16)}`;
  });
  after(() => node?.close());

  const tooLarge = (answer: Answer, what: string) => {
    assert.equal(answer.error?.code, -32003, `${what}: ${JSON.stringify(answer).slice(0, 200)}`);
    assert.deepEqual(answer.error?.data, { maxResponseBytes: BOUND });
    assert.match(answer.error?.message ?? "", /response too large/);
  };

  it("eth_getBlockReceipts of a block of cheap events is refused, not built whole", async () => {
    tooLarge(await call(node.url, "eth_getBlockReceipts", [blockTag]), "eth_getBlockReceipts");
  });

  it("a refused eth_getBlockReceipts reads the block's receipts only up to the bound", async () => {
    // On 0f2f4b2 the first receipt built the block's whole summary first (every receipt and
    // transaction read, a keccak per log's address and topic for the bloom): 4.2 s for a
    // block of 102,400 events (load ~35) before the refusal.
    const db = node.running.node.db;
    forgetBlockSummaries();
    const reads = { receipts: 0, txs: 0 };
    const { receipt, tx } = db;
    db.receipt = (h) => {
      reads.receipts++;
      return receipt.call(db, h);
    };
    db.tx = (h) => {
      reads.txs++;
      return tx.call(db, h);
    };
    try {
      tooLarge(await call(node.url, "eth_getBlockReceipts", [wideTag]), "eth_getBlockReceipts");
    } finally {
      db.receipt = receipt;
      db.tx = tx;
    }
    assert.deepEqual(reads, { receipts: 3, txs: 0 }, "the three floods' receipts, then refused");
  });

  it("eth_getLogs and weft_getLogs over that block are refused", async () => {
    tooLarge(
      await call(node.url, "eth_getLogs", [{ fromBlock: blockTag, toBlock: blockTag }]),
      "eth_getLogs",
    );
    const n = Number(BigInt(blockTag));
    tooLarge(await call(node.url, "weft_getLogs", [{ fromBlock: n, toBlock: n }]), "weft_getLogs");
  });

  it("one receipt at a time is served; a batch stops at the bound and runs nothing after it", async () => {
    const one = await call(node.url, "eth_getTransactionReceipt", [floods[0]]);
    const logs = (one.result as { logs: unknown[] } | undefined)?.logs;
    assert.equal(logs?.length, 1024, "each receipt alone fits");
    const batch = [...floods, floods[0]].map((h, id) => ({
      jsonrpc: "2.0",
      id,
      method: "eth_getTransactionReceipt",
      params: [h],
    }));
    batch.push({ jsonrpc: "2.0", id: 9, method: "eth_blockNumber", params: [] });
    const response = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch),
    });
    const answers = (await response.json()) as Answer[];
    assert.equal(answers.length, 5);
    assert.ok(answers[0]?.result !== undefined && answers[1]?.result !== undefined, "two fit in 1 MiB");
    for (const answer of answers.slice(2)) tooLarge(answer, "past the bound");
  });

  it("answers within the bound are unchanged", async () => {
    const earlier = `0x${(Number(BigInt(blockTag)) - 1).toString(16)}`;
    const receipts = await call(node.url, "eth_getBlockReceipts", [earlier]);
    assert.equal((receipts.result as unknown[] | undefined)?.length, 1, "the deployment's block");
    const logs = await call(node.url, "eth_getLogs", [{ fromBlock: earlier, toBlock: earlier }]);
    assert.deepEqual(logs.result, []);
  });
});
