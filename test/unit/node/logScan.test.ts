/**
 * Log queries run in the read-only pool (`readOnly/logScan.ts`): on a worker they find
 * exactly what the main thread finds (Weft's and Ethereum's forms, by scan and through the
 * index); a scan's reads are counted and a refused one stops at the bound (counted here
 * record by record); an Ethereum-shaped log found through the index counts the receipts read
 * for its block-wide index; and a client's log queries are charged to its read-only time
 * budget, so that past it they are refused (-32005 `callBudgetMs`) instead of holding the node.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import type { JobOutcome } from "../../../src/node/readOnly/execute.js";
import {
  type LogSource,
  type LogsJob,
  type LogsResult,
  MAX_LOG_READS,
  scanLogs,
} from "../../../src/node/readOnly/logScan.js";
import { DEFAULT_READ_ONLY, ReadOnlyPool } from "../../../src/node/readOnly/pool.js";
import type { LogJson } from "../../../src/node/store/records.js";
import { RpcCallError, rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const EMITTER = `0x${"00".repeat(19)}ab` as Address;
const TOPIC = `0x${"11".repeat(32)}`;
const NONE = `0x${"ee".repeat(32)}`;

/** A chain of `blocks` blocks of `txs` transactions of `logs` logs each, counting every record read. */
function countingSource(blocks: number, txs: number, logs: number) {
  const reads = { blocks: 0, receipts: 0 };
  const txHash = (n: number, t: number) =>
    `0x${n.toString(16).padStart(8, "0")}${t.toString(16).padStart(8, "0")}`;
  const logsOf = (n: number, t: number): LogJson[] =>
    Array.from({ length: logs }, (_, i) => ({
      address: EMITTER,
      topics: [TOPIC],
      data: "0x",
      blockNumber: n,
      txHash: txHash(n, t) as LogJson["txHash"],
      txIndex: t,
      logIndex: i,
    }));
  const source = {
    db: {
      block: (n: number) => {
        if (n < 1 || n > blocks) return undefined;
        reads.blocks++;
        return { header: { hash: `0xb${n}` }, txHashes: Array.from({ length: txs }, (_, t) => txHash(n, t)) };
      },
      receipt: (h: string) => {
        reads.receipts++;
        return { logs: logsOf(Number.parseInt(h.slice(2, 10), 16), Number.parseInt(h.slice(10), 16)) };
      },
      /** The index names the last transaction's first log in every block. */
      *logPositions(_index: string, _key: string, from: number, to: number) {
        for (let n = Math.max(1, from); n <= Math.min(to, blocks); n++) yield [n, txs - 1, 0];
      },
      meta: () => undefined,
      metaEntries: () => [],
    },
    read: () => undefined,
    head: blocks,
  } as unknown as LogSource;
  return { source, reads };
}

const job = (fields: Partial<LogsJob>): LogsJob => ({
  kind: "logs",
  form: "weft",
  fromBlock: 1,
  toBlock: 1,
  addresses: [],
  topics: [],
  index: [],
  costlyCode: -32020,
  maxBytes: Number.POSITIVE_INFINITY,
  ...fields,
});

describe("log queries on the read-only pool", () => {
  it("a scan counts every block, receipt and log, and a refused one stops at the bound", () => {
    // 100 blocks of one transaction of 600 logs that match nothing: each block costs 602
    // reads, so 83 fit in 50,000 and the 84th is refused once its receipt is read.
    const { source, reads } = countingSource(100, 1, 600);
    const outcome = scanLogs(source, job({ toBlock: 100, topics: [[NONE]] }));
    assert.ok(!outcome.ok && outcome.error.code === -32020, JSON.stringify(outcome));
    assert.match(
      outcome.error.message,
      /query too costly: it reads more than 50000 blocks, receipts and logs/,
    );
    assert.deepEqual(reads, { blocks: 84, receipts: 84 });
    // Within the bound the same scan answers, with what it read.
    const { source: small } = countingSource(10, 1, 600);
    const found = scanLogs(small, job({ toBlock: 10, topics: [[TOPIC]] }));
    assert.ok(found.ok);
    const result = found.result as LogsResult;
    assert.equal(result.logs.length, 6_000);
    assert.equal(result.reads, 10 * 602);
  });

  it("an Ethereum-shaped log found through the index counts the receipts read for its log index", () => {
    // Blocks of 1,000 transactions where the index names the last one's log: its block-wide
    // index needs the 999 receipts before it (they were read uncounted, for every block).
    const { source: small, reads: smallReads } = countingSource(10, 1_000, 2);
    const found = scanLogs(
      small,
      job({ form: "eth", toBlock: 10, index: [["address", EMITTER]], costlyCode: -32005 }),
    );
    assert.ok(found.ok, JSON.stringify(found));
    const result = found.result as LogsResult;
    assert.equal(result.logs.length, 10);
    assert.deepEqual(result.places?.[0], ["0xb1", 999 * 2]);
    assert.equal(result.reads, 10 * (2 + 999));
    assert.deepEqual(smallReads, { blocks: 10, receipts: 10 * 1_000 });
    // 60 such blocks: 49 fit (1,001 reads each); the 50th is refused at the 50,001st read.
    const { source, reads } = countingSource(60, 1_000, 2);
    const outcome = scanLogs(
      source,
      job({ form: "eth", toBlock: 60, index: [["address", EMITTER]], costlyCode: -32005 }),
    );
    assert.ok(!outcome.ok && outcome.error.code === -32005, JSON.stringify(outcome));
    assert.deepEqual(reads, { blocks: 50, receipts: 49 * 1_000 + 1 + 949 });
    assert.ok(reads.blocks + reads.receipts <= MAX_LOG_READS);
  });

  it("stops at the answer's byte bound (-32003) before building more", () => {
    const { source, reads } = countingSource(10, 1, 100);
    const outcome = scanLogs(source, job({ toBlock: 10, maxBytes: 150 * 472 }));
    assert.ok(!outcome.ok && outcome.error.code === -32003, JSON.stringify(outcome));
    assert.deepEqual(reads, { blocks: 2, receipts: 2 });
  });

  describe("through a node", () => {
    let node: TestNode;
    let wusd: Address;
    let head: number;
    const pools: ReadOnlyPool[] = [];
    before(async () => {
      node = await startTestNode((config) => {
        config.rpc.callWorkers = 1;
        config.rpc.callBudgetMs = 1;
      });
      const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
      const sender = genesis.accounts[0]?.address as Address;
      wusd = genesis.contracts.wusd as Address;
      for (let i = 0; i < 3; i++) {
        const raw = tokenTransferRaw(
          { chainId: 1337n, sender, devIndex: 0, sequence: BigInt(i) },
          wusd,
          EMITTER,
          BigInt(i + 1),
        );
        const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
          `0x${toHex(raw)}`,
        ]);
        assert.equal((await waitForReceipt<{ status: string }>(node.url, hash)).status, "success");
      }
      await rpc(node.url, "dev_mine", [1_000]);
      head = await rpc<number>(node.url, "weft_blockNumber");
    });
    after(async () => {
      await Promise.all(pools.map((p) => p.close()));
      await node?.close();
    });

    /** `rpc`, waiting out the client's 1 ms/s time budget (`retryAfterMs`) when it refuses. */
    const patient = async <T>(method: string, params: unknown[]): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await rpc<T>(node.url, method, params);
        } catch (error) {
          const wait = (error as RpcCallError).data as { retryAfterMs?: number } | undefined;
          if (!(error instanceof RpcCallError) || error.code !== -32005 || attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, wait?.retryAfterMs ?? 100));
        }
      }
    };

    it("a worker finds exactly what the main thread finds, by scan and through the index", async () => {
      const chain = node.running.node;
      const poolOf = (workers: number) => {
        const pool = new ReadOnlyPool(
          {
            dataDir: node.config.dataDir,
            chainId: chain.options.chainId,
            feeRecipient: chain.options.feeRecipient,
            minBaseFee: chain.minBaseFee,
            nowMs: () => chain.clock.nowMs(),
            inline: () => assert.fail("no call runs here"),
            logs: () => ({ db: chain.db, read: (k) => chain.state.get(k), head: chain.head().number }),
            modules: () => chain.vm.cache.held(),
          },
          { ...DEFAULT_READ_ONLY, workers, budgetMsPerSecond: 1_000_000 },
        );
        pools.push(pool);
        return pool;
      };
      const [inline, worker] = [poolOf(0), poolOf(1)];
      await worker.ready;
      const jobs = (["weft", "eth"] as const).flatMap((form) => [
        job({ form, fromBlock: 0, toBlock: head }),
        job({ form, fromBlock: 0, toBlock: head, addresses: [wusd], index: [["address", wusd]] }),
        job({ form, fromBlock: 0, toBlock: head, topics: [[NONE]] }),
      ]);
      for (const j of jobs) {
        const [main, off] = await Promise.all([inline.run("a", j), worker.run("a", j)]);
        assert.deepEqual(off, main, `${j.form} ${JSON.stringify(j.index)}`);
        assert.ok(main.ok, JSON.stringify(main));
      }
      // A block filter's poll: the same hashes on a worker as on the main thread, stopping at the head.
      const hashesJob = { kind: "blockHashes", fromBlock: head - 20, toBlock: head + 5 } as const;
      const [mainHashes, offHashes] = await Promise.all([
        inline.run("a", hashesJob),
        worker.run("a", hashesJob),
      ]);
      assert.deepEqual(offHashes, mainHashes);
      assert.ok(offHashes.ok);
      const polled = offHashes.result as { hashes: string[]; toBlock: number };
      assert.equal(polled.toBlock, head);
      assert.equal(polled.hashes.length, 21);
      assert.equal(polled.hashes.at(-1), chain.db.block(head)?.header.hash);
      const byIndex = (await worker.run("a", jobs[1] as LogsJob)) as Extract<JobOutcome, { ok: true }>;
      const logs = (byIndex.result as LogsResult).logs.filter((l) => l.blockNumber > 0);
      assert.equal(logs.length, 3, "the three transfers' logs");
      // The RPC answers are these.
      const weft = await patient<LogJson[]>("weft_getLogs", [{ fromBlock: 1, toBlock: head, address: wusd }]);
      assert.deepEqual(weft, logs);
    });

    it("a block filter's polls answer each new block's hash once", async () => {
      const id = await rpc<string>(node.url, "eth_newBlockFilter", []);
      const mined = await rpc<{ from: number; to: number }>(node.url, "dev_mine", [3]);
      const hashes = await patient<string[]>("eth_getFilterChanges", [id]);
      const expected: string[] = [];
      for (let n = mined.from; n <= mined.to; n++)
        expected.push((await rpc<{ hash: string }>(node.url, "weft_getBlockByNumber", [n])).hash);
      assert.deepEqual(hashes, expected);
      assert.deepEqual(await patient<string[]>("eth_getFilterChanges", [id]), []);
    });

    it("charges a client's log queries to its read-only time budget (-32005 past it)", async () => {
      // rpc.callBudgetMs 1: a network earns 1 ms of read-only work per second (2 ms at most),
      // and every scan of 1,000 blocks takes more than the refill between two queries.
      for (const [method, filter] of [
        ["eth_getLogs", { fromBlock: "0x0", toBlock: "latest" }],
        ["weft_getLogs", { fromBlock: 0, toBlock: head }],
      ] as const) {
        let refusal: RpcCallError | undefined;
        for (let i = 0; i < 200 && refusal === undefined; i++)
          await rpc(node.url, method, [filter]).catch((error: unknown) => {
            if (!(error instanceof RpcCallError)) throw error;
            refusal = error;
          });
        assert.ok(refusal !== undefined, `${method}: never refused`);
        assert.equal(refusal.code, -32005, refusal.message);
        assert.match(refusal.message, /read-only execution budget used up/);
        assert.equal((refusal.data as { limit?: string }).limit, "callBudgetMs");
      }
    });
  });
});
