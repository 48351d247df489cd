/**
 * The block gas limit bounds gas USED (issue 12: blocks were filled by the candidates' gas
 * limits, so three 1e9-limit transactions using 814k each filled every 3e9 block). Both
 * executors keep the longest prefix whose cumulative gas used fits the limit, from their
 * one execution: for limits that cut a chain block anywhere, the parallel engine (1 and 2
 * workers) gives field by field what the sequential executor gives, and both give exactly
 * a block of just the prefix (receipts, write set, state root).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { blockGasOf, type Receipt, receiptBytes } from "../../../src/chain/receipt.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { ReceiptBudget } from "../../../src/engine/types.js";
import { capsThrough, checkCuts, countingExecutor, cutBlock } from "../../helpers/blockCuts.js";
import { type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

/** Token transfers among shared accounts and event floods, each reserving far more gas than it uses, as the attack's transactions did. */
const setup = () => cutBlock({ floodBytes: 300, floodGas: 500_000_000, transferGas: 400_000_000 });

/** Only the gas bound cuts; measured with the executor's own functions, so the workers stop at the cut. */
const gasBudget = (max: number): ReceiptBudget<Receipt> => ({
  max: Number.MAX_SAFE_INTEGER,
  weight: receiptBytes,
  gas: { max, used: blockGasOf },
});

describe("block gas limit on gas used (a block cut at the prefix that fits)", () => {
  const engines: ChainEngine[] = [];
  before(async () => {
    engines.push(await chainEngine(1), await chainEngine(2));
  });
  after(async () => {
    for (const engine of engines) await engine.close();
  });

  for (const workers of [1, 2]) {
    it(`parallel = sequential = a block of just the prefix, for limits that cut anywhere (${workers} worker(s))`, async () => {
      const block = setup();
      const whole = executeSequential(block.chain.executor, block.chain.state, block.txs);
      assert.ok(
        whole.receipts.every((r) => r.status === "success"),
        "every transaction succeeds",
      );
      const used = whole.receipts.map(blockGasOf);
      const total = used.reduce((a, b) => a + b, 0);
      const reserved = block.txs.reduce((sum, t) => sum + ("gasLimit" in t ? t.gasLimit : 0), 0);
      assert.ok(reserved > 100 * total, `the block reserves ${reserved}, uses ${total}`);
      await checkCuts(
        engines[workers - 1] as ChainEngine,
        block,
        capsThrough(used).map((max) => ({ max, budget: gasBudget(max) })),
        blockGasOf,
      );
    });
  }

  it("the sequential executor stops at the cut: nothing after it runs", () => {
    const { chain, txs } = setup();
    const counting = countingExecutor(chain);
    const whole = executeSequential(chain.executor, chain.state, txs);
    const total = whole.receipts.reduce((sum, r) => sum + blockGasOf(r), 0);
    const result = executeSequential(counting.executor, chain.state, txs, gasBudget(Math.floor(total / 2)));
    const at = result.cut?.at;
    assert.ok(at !== undefined && at > 0 && at < txs.length, `cut inside the block: ${at}`);
    assert.equal(counting.runs(), at + 1);
  });
});
