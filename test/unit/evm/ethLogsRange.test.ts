/**
 * Log queries are bounded by the records they read, not by their block range: after 10,000
 * empty blocks (`anvil_mine 0x2710`), `eth_getLogs` and `weft_getLogs` from block 0 find the
 * logs of block 2, with and without an address or topic filter (ethers' `queryFilter(…, 0)`).
 * A query that would read more than `MAX_LOG_READS` blocks and receipts is refused with
 * -32005 and what to narrow.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import {
  LogReadBudget,
  MAX_LOG_READS,
  MAX_TOPIC_CHOICES,
  parseLogFilter,
} from "../../../src/node/api/chainMethods.js";
import { type LogSource, scanLogs } from "../../../src/node/readOnly/logScan.js";
import { RpcError } from "../../../src/node/rpc/errors.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { EVENT_PROBE_INIT_CODE, TRANSFER_TOPIC } from "../../fixtures/evm/eventProbe.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { startEthTestNode, type TestNode } from "../../helpers/testNode.js";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const TO = `0x${"00".repeat(19)}ab` as Address;

describe("eth_getLogs over a long chain of empty blocks", () => {
  let node: TestNode;
  let probe: Address;
  let emittedIn: number;
  before(async () => {
    node = await startEthTestNode();
    const dev = ethDevKeys(1)[0] as { privateKey: Uint8Array; address: Address };
    const from = { key: dev.privateKey, address: dev.address };
    const fees = { maxFee: 10n ** 12n, priorityFee: 1n };
    const send = async (nonce: bigint, request: { to?: Address; data: Uint8Array }) => {
      const raw = signEthTxRaw(from, { nonce, gasLimit: 300_000n, ...fees, ...request }, node.config.chainId);
      const hash = await rpc<string>(node.url, "eth_sendRawTransaction", [hex(raw)]);
      return waitForReceipt<{ status: string; contractAddress: Address; blockNumber: number }>(
        node.url,
        hash,
      );
    };
    const deployed = await send(0n, { data: EVENT_PROBE_INIT_CODE });
    assert.equal(deployed.status, "success");
    probe = deployed.contractAddress;
    const called = await send(1n, { to: probe, data: Buffer.from(TO.slice(2).padStart(64, "0"), "hex") });
    assert.equal(called.status, "success");
    emittedIn = called.blockNumber;
    // 10,000 empty blocks, as `anvil_mine 0x2710` makes them.
    await rpc(node.url, "anvil_mine", ["0x2710"]);
  });
  after(() => node?.close());

  it("finds the logs from block 0, with or without a filter, through both RPC families", async () => {
    const head = Number(BigInt(await rpc<string>(node.url, "eth_blockNumber")));
    assert.ok(head >= 10_000 + emittedIn, `head ${head}`);
    const filters = [{}, { address: probe }, { topics: [TRANSFER_TOPIC] }];
    for (const filter of filters) {
      const logs = await rpc<Array<{ address: string; blockNumber: string }>>(node.url, "eth_getLogs", [
        { fromBlock: "0x0", toBlock: "latest", ...filter },
      ]);
      const mine = logs.filter((l) => l.address === probe);
      assert.equal(mine.length, "topics" in filter ? 2 : 4, JSON.stringify(filter));
      assert.ok(mine.every((l) => Number(BigInt(l.blockNumber)) === emittedIn));
    }
    const weft = await rpc<Array<{ address: string }>>(node.url, "weft_getLogs", [
      { fromBlock: 0, toBlock: head, address: probe },
    ]);
    assert.equal(weft.length, 4);
    const scanned = await rpc<Array<{ address: string }>>(node.url, "weft_getLogs", [
      { fromBlock: 0, toBlock: head },
    ]);
    assert.equal(scanned.filter((l) => l.address === probe).length, 4);
  });

  it("refuses a query that reads more than MAX_LOG_READS blocks and receipts, naming what to narrow", () => {
    const budget = new LogReadBudget({ fromBlock: 0, toBlock: 99 });
    budget.spend(MAX_LOG_READS);
    assert.throws(
      () => budget.spend(),
      (error: unknown) =>
        error instanceof RpcError &&
        error.code === -32005 &&
        /reads more than 50000 blocks, receipts and logs \(blocks 0-99\); narrow fromBlock\/toBlock or filter by address or topic 0/.test(
          error.message,
        ),
    );
  });

  it("counts every log a scan checks, and refuses more than 100 alternatives per topic", () => {
    // Attacker HIGH: a receipt counted one read whatever its logs, so a filter matching nothing
    // held the main thread for every log of the range (a block of 300 floods holds 307,200).
    const logs = Array.from({ length: MAX_LOG_READS }, () => ({
      address: TO,
      topics: [TRANSFER_TOPIC],
      data: "0x",
    }));
    const source = {
      db: {
        block: (n: number) => (n === 1 ? { header: { hash: "0x01" }, txHashes: ["0x01"] } : undefined),
        receipt: () => ({ logs }),
      },
      read: () => undefined,
      head: 1,
    } as unknown as LogSource;
    const none = `0x${"ee".repeat(32)}`;
    const refused = scanLogs(source, {
      kind: "logs",
      form: "weft",
      fromBlock: 1,
      toBlock: 1,
      addresses: [],
      topics: [[none, none]],
      index: [],
      costlyCode: -32020,
      maxBytes: Number.POSITIVE_INFINITY,
    });
    assert.ok(!refused.ok && refused.error.code === -32020, JSON.stringify(refused));
    assert.match(refused.error.message, /query too costly/);
    const choices = Array.from({ length: MAX_TOPIC_CHOICES + 1 }, () => none);
    assert.throws(
      () => parseLogFilter({ topics: [choices] }, 10),
      (error: unknown) =>
        error instanceof RpcError &&
        error.code === -32602 &&
        /topics\[0\]: 101 alternatives, at most 100/.test(error.message),
    );
    assert.equal(parseLogFilter({ topics: [choices.slice(1)] }, 10).topics[0]?.length, 100);
  });
});
