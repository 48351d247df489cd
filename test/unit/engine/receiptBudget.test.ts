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
import type { Transaction } from "../../../src/chain/transaction.js";
import { budgetCut } from "../../../src/engine/budget.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { BlockResult, ReceiptBudget } from "../../../src/engine/types.js";
import { receiptBytes } from "../../../src/node/store/records.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { TestChain } from "../../helpers/contracts.js";
import { attachChain, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

/** A block whose transactions emit events of every size and touch each other's keys. */
function setup(): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 9n, account(1)]);
  const flood = chain.deploy("flood");
  for (let i = 2; i <= 8; i++) chain.runOne(token.tx(account(1), "transfer", [account(i), 10_000n]));
  const txs: Transaction[] = [];
  for (let i = 0; i < 160; i++) {
    const from = account(1 + (i % 8));
    if (i % 3 === 0) txs.push(flood.tx(from, "flood", [1 + (i % 4), 500 + 37 * i], { gasLimit: 20_000_000 }));
    // Transfers to a few shared accounts: later transactions read what earlier ones wrote.
    else txs.push(token.tx(from, "transfer", [account(1 + ((i * 5) % 4)), BigInt(1 + (i % 7))]));
  }
  return { chain, txs };
}

function assertSame(actual: BlockResult<Receipt>, expected: BlockResult<Receipt>, what: string): void {
  assert.equal(actual.receipts.length, expected.receipts.length, `${what}: receipts kept`);
  actual.receipts.forEach((r, i) => {
    const e = expected.receipts[i] as Receipt;
    assert.equal(r.status, e.status, `${what}: tx ${i} status`);
    assert.equal(r.gasUsed, e.gasUsed, `${what}: tx ${i} gas`);
    assert.equal(r.fee, e.fee, `${what}: tx ${i} fee`);
    assert.deepEqual(r.output, e.output, `${what}: tx ${i} output`);
    assert.deepEqual(r.events, e.events, `${what}: tx ${i} events`);
  });
  assert.deepEqual(actual.receipts, expected.receipts, `${what}: receipts`);
  assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet), `${what}: write set`);
  assert.deepEqual(actual.cut, expected.cut, `${what}: cut`);
}

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
      await cutsAnywhere(engines[workers - 1] as ChainEngine);
    });
  }

  async function cutsAnywhere(engine: ChainEngine): Promise<void> {
    const { chain, txs } = setup();
    const store = await attachChain(engine, chain);
    const whole = executeSequential(chain.executor, store, txs);
    assert.ok(
      whole.receipts.every((r) => r.status === "success"),
      "every transaction succeeds",
    );
    const total = whole.receipts.reduce((sum, r) => sum + receiptBytes(r), 0);
    const first = receiptBytes(whole.receipts[0] as Receipt);
    // No cut, a cut before the first transaction, just after it, and through the block.
    const maxes = [
      total,
      first - 1,
      first,
      0,
      ...[0.1, 0.37, 0.5, 0.73, 0.99].map((f) => Math.floor(total * f)),
    ];
    const cuts = new Set<number>();
    for (const max of maxes) {
      const budget: ReceiptBudget<Receipt> = { max, weight: receiptBytes };
      const sequential = executeSequential(chain.executor, store, txs, budget);
      const parallel = await engine.executeBlock(store, txs, chain.block, budget);
      assert.equal(engine.lastStats?.mode, "parallel", `max ${max}: ran in parallel`);
      assertSame(parallel, sequential, `max ${max}, parallel vs sequential`);

      const at = sequential.cut?.at ?? txs.length;
      cuts.add(at);
      assert.equal(
        budgetCut(whole.receipts, budget),
        sequential.cut?.at,
        `max ${max}: where the block is cut`,
      );
      const prefix = executeSequential(chain.executor, store, txs.slice(0, at));
      assertSame({ ...sequential, cut: undefined }, prefix, `max ${max}, cut block vs a block of the prefix`);
      if (sequential.cut !== undefined) {
        // The receipt at the cut is that transaction's, executed after the kept ones.
        assert.deepEqual(sequential.cut.receipt, whole.receipts[at], `max ${max}: receipt at the cut`);
        const kept = sequential.receipts.reduce((sum, r) => sum + receiptBytes(r), 0);
        assert.ok(
          kept <= max && kept + receiptBytes(sequential.cut.receipt) > max,
          `max ${max}: longest prefix`,
        );
      }
    }
    assert.ok(cuts.has(0) && cuts.has(1) && cuts.has(txs.length), `cut at 0, 1 and not at all: ${[...cuts]}`);
    assert.ok([...cuts].filter((at) => at > 1 && at < txs.length).length >= 4, `cuts inside: ${[...cuts]}`);
  }

  it("the sequential executor stops at the cut: nothing after it runs", () => {
    const { chain, txs } = setup();
    let runs = 0;
    const counting = {
      execute: (...args: Parameters<typeof chain.executor.execute>) => {
        runs++;
        return chain.executor.execute(...args);
      },
    };
    const result = executeSequential(counting, chain.state, txs, { max: 20_000, weight: receiptBytes });
    const at = result.cut?.at;
    assert.ok(at !== undefined && at > 0 && at < txs.length, `cut inside the block: ${at}`);
    assert.equal(runs, at + 1);
  });
});
