/**
 * A lone worker sends its receipts in parts while it runs the block (`receiptParts.ts`), and
 * the engine decodes each part as it comes: the parts together are exactly the block's
 * receipts, field by field, also for a block of several parts and for one cut by a budget.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BENCH_BLOCK, tokenTransfers } from "../../../bench/workloads.js";
import { chainBlockCodec } from "../../../src/chain/blockCodec.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import { receiptBytes } from "../../../src/chain/receipt.js";
import { RECEIPT_PART } from "../../../src/engine/parallel/protocol.js";
import { ReceiptParts } from "../../../src/engine/parallel/receiptParts.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { ReceiptBudget } from "../../../src/engine/types.js";
import { sortedWrites } from "../../helpers/compare.js";
import { type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

describe("receipts in parts", () => {
  it("parts of a given size, each decodable alone, together the whole list", () => {
    const w = tokenTransfers(50, 130);
    const { receipts } = executeSequential(createChainExecutor(BENCH_BLOCK), w.pre, w.txs);
    const parts: Uint8Array[] = [];
    const start = chainBlockCodec.receiptEncoder?.bind(chainBlockCodec);
    assert.ok(start !== undefined);
    const encoder = new ReceiptParts<Receipt>(start, (bytes) => parts.push(bytes), 50);
    for (const [i, r] of receipts.entries()) encoder.add(i, r);
    assert.equal(parts.length, 2);
    parts.push(encoder.finish());
    const decoded = new Array<Receipt | undefined>(receipts.length);
    const counts: number[] = [];
    for (const part of parts) {
      const alone = new Array<Receipt | undefined>(receipts.length);
      chainBlockCodec.decodeReceipts(part, alone);
      counts.push(alone.filter((r) => r !== undefined).length);
      chainBlockCodec.decodeReceipts(part, decoded);
    }
    assert.deepEqual(counts, [50, 50, 30]);
    assert.deepEqual(decoded, receipts);
  });

  describe("one worker, blocks of several parts", () => {
    let engine: ChainEngine;
    before(async () => {
      engine = await chainEngine(1);
    });
    after(async () => {
      await engine.close();
    });

    it("the sequential executor's receipts and write set, with and without a cut", async () => {
      const w = tokenTransfers(200, RECEIPT_PART * 2 + 77);
      const store = await engine.attach(w.pre);
      const expected = executeSequential(createChainExecutor(BENCH_BLOCK), store, w.txs);
      const actual = await engine.executeBlock(store, w.txs, BENCH_BLOCK);
      assert.equal(engine.lastStats?.mode, "parallel", engine.lastStats?.fallbackReason);
      assert.equal(engine.lastStats?.loop, "overlay");
      assert.deepEqual(actual.receipts, expected.receipts);
      assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));

      // Cut past the first part: the parts before the cut and the rest up to it.
      const bytes = expected.receipts.map((r) => receiptBytes(r));
      let max = 0;
      for (let i = 0; i < RECEIPT_PART + 100; i++) max += bytes[i] as number;
      const budget: ReceiptBudget<Receipt> = { max, weight: receiptBytes };
      const cutExpected = executeSequential(createChainExecutor(BENCH_BLOCK), store, w.txs, budget);
      const cut = await engine.executeBlock(store, w.txs, BENCH_BLOCK, budget);
      assert.equal(engine.lastStats?.mode, "parallel", engine.lastStats?.fallbackReason);
      assert.equal(engine.lastStats?.loop, "overlay");
      assert.ok(cutExpected.cut !== undefined && cutExpected.cut.at > RECEIPT_PART);
      assert.deepEqual(cut.receipts, cutExpected.receipts);
      assert.deepEqual(cut.cut, cutExpected.cut);
      assert.deepEqual(sortedWrites(cut.writeSet), sortedWrites(cutExpected.writeSet));
    });
  });
});
