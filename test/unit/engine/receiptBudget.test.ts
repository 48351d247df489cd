/**
 * A receipt budget cuts a block from its one execution (issue 12: a block cut at the
 * receipt bound used to be executed twice). For budgets that cut a chain block at every
 * kind of place, the parallel engine gives field by field what the sequential executor
 * gives with the same budget, and both give exactly a block of just the kept prefix: its
 * receipts and write set, with nothing of the transactions after the cut (their fees to
 * the fee recipient, their token transfers, their nonces).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { receiptBytes } from "../../../src/node/store/records.js";
import { capsThrough, checkCuts, countingExecutor, cutBlock } from "../../helpers/blockCuts.js";
import { type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

/** A block whose transactions emit events of every size and touch each other's keys. */
const setup = () => cutBlock({ floodBytes: 500, floodGas: 20_000_000 });

describe("receipt budget (a block cut from one execution)", () => {
  // One worker runs the block in order (inOrder.ts), two by Block-STM's tasks: both cut the same way.
  const engines: ChainEngine[] = [];
  before(async () => {
    engines.push(await chainEngine(1), await chainEngine(2));
  });
  after(async () => {
    for (const engine of engines) await engine.close();
  });

  for (const workers of [1, 2]) {
    it(`parallel = sequential = a block of just the prefix, for cuts anywhere (${workers} worker(s))`, async () => {
      const block = setup();
      const whole = executeSequential(block.chain.executor, block.chain.state, block.txs);
      assert.ok(
        whole.receipts.every((r) => r.status === "success"),
        "every transaction succeeds",
      );
      // No cut, a cut before the first transaction, just after it, at 0 bytes, and through the block.
      const caps = [0, ...capsThrough(whole.receipts.map((r) => receiptBytes(r)))];
      await checkCuts(
        engines[workers - 1] as ChainEngine,
        block,
        caps.map((max) => ({ max, budget: { max, weight: receiptBytes } })),
        (r: Receipt) => receiptBytes(r),
      );
    });
  }

  it("the sequential executor stops at the cut: nothing after it runs", () => {
    const { chain, txs } = setup();
    const counting = countingExecutor(chain);
    const result = executeSequential(counting.executor, chain.state, txs, {
      max: 20_000,
      weight: receiptBytes,
    });
    const at = result.cut?.at;
    assert.ok(at !== undefined && at > 0 && at < txs.length, `cut inside the block: ${at}`);
    assert.equal(counting.runs(), at + 1);
  });
});
