/**
 * Blocks cut by a budget (receipt bytes, gas used): a chain block to cut, a field-by-field
 * comparison of block results, and the check that a cut block is exactly the block of its
 * prefix, in parallel and sequentially, for budgets that cut it anywhere.
 */
import assert from "node:assert/strict";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import { budgetCut } from "../../src/engine/budget.js";
import { executeSequential } from "../../src/engine/sequential.js";
import type { BlockResult, ReceiptBudget } from "../../src/engine/types.js";
import { hex } from "../../src/node/store/records.js";
import { stateRootFrom } from "../../src/state/merkle/index.js";
import type { Storage, WriteSet } from "../../src/state/storage.js";
import { account } from "./chain.js";
import { sortedWrites } from "./compare.js";
import { TestChain } from "./contracts.js";
import { attachChain, type ChainEngine } from "./parallelChain.js";

/**
 * 160 transactions from 8 accounts: token transfers among a few shared accounts (later ones
 * read what earlier ones wrote) and, every third, an event flood of growing size. `gasLimit`
 * gives each transaction's limit (far above what it uses, to check a budget counts gas used).
 */
export function cutBlock(options: { floodBytes: number; floodGas: number; transferGas?: number }): {
  chain: TestChain;
  txs: Transaction[];
} {
  const chain = new TestChain(8);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 9n, account(1)]);
  const flood = chain.deploy("flood");
  for (let i = 2; i <= 8; i++) chain.runOne(token.tx(account(1), "transfer", [account(i), 10_000n]));
  const transferLimit = options.transferGas === undefined ? {} : { gasLimit: options.transferGas };
  const txs: Transaction[] = [];
  for (let i = 0; i < 160; i++) {
    const from = account(1 + (i % 8));
    if (i % 3 === 0)
      txs.push(
        flood.tx(from, "flood", [1 + (i % 4), options.floodBytes + 37 * i], { gasLimit: options.floodGas }),
      );
    else
      txs.push(token.tx(from, "transfer", [account(1 + ((i * 5) % 4)), BigInt(1 + (i % 7))], transferLimit));
  }
  return { chain, txs };
}

/** The state root after `writes` over `store`. */
function rootAfter(store: Storage, writes: WriteSet): string {
  const state = new Map(store.iterate(""));
  for (const [key, value] of writes) {
    if (value === null) state.delete(key);
    else state.set(key, value);
  }
  return hex(stateRootFrom(state.entries()));
}

/** Two block results are the same: each receipt's fields, the write set, the state root over `store`, the cut. */
export function assertSameBlock(
  store: Storage,
  actual: BlockResult<Receipt>,
  expected: BlockResult<Receipt>,
  what: string,
): void {
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
  assert.equal(rootAfter(store, actual.writeSet), rootAfter(store, expected.writeSet), `${what}: state root`);
  assert.deepEqual(actual.cut, expected.cut, `${what}: cut`);
}

/**
 * For each budget (the cap `max` on the sum of `weigh` over the kept receipts): the parallel
 * engine gives field by field what the sequential executor gives, the cut is where
 * `budgetCut` puts it, the cut block equals a block of just the prefix, the prefix is the
 * longest that fits, and the receipt at the cut is that transaction's. Returns the cut positions.
 */
export async function checkCuts(
  engine: ChainEngine,
  block: { chain: TestChain; txs: Transaction[] },
  budgets: Array<{ max: number; budget: ReceiptBudget<Receipt> }>,
  weigh: (r: Receipt) => number,
): Promise<Set<number>> {
  const { chain, txs } = block;
  const store = await attachChain(engine, chain);
  const whole = executeSequential(chain.executor, store, txs);
  const cuts = new Set<number>();
  for (const { max, budget } of budgets) {
    const sequential = executeSequential(chain.executor, store, txs, budget);
    const parallel = await engine.executeBlock(store, txs, chain.block, budget);
    assert.equal(engine.lastStats?.mode, "parallel", `max ${max}: ran in parallel`);
    assertSameBlock(store, parallel, sequential, `max ${max}, parallel vs sequential`);
    const at = sequential.cut?.at ?? txs.length;
    cuts.add(at);
    assert.equal(budgetCut(whole.receipts, budget), sequential.cut?.at, `max ${max}: where the block is cut`);
    const prefix = executeSequential(chain.executor, store, txs.slice(0, at));
    assertSameBlock(store, { ...sequential, cut: undefined }, prefix, `max ${max}, cut block vs the prefix`);
    const kept = sequential.receipts.reduce((sum, r) => sum + weigh(r), 0);
    assert.ok(kept <= max, `max ${max}: the kept prefix weighs ${kept}`);
    if (sequential.cut !== undefined) {
      assert.deepEqual(sequential.cut.receipt, whole.receipts[at], `max ${max}: receipt at the cut`);
      assert.ok(kept + weigh(sequential.cut.receipt) > max, `max ${max}: longest prefix`);
    }
  }
  assert.ok(cuts.has(0) && cuts.has(1) && cuts.has(txs.length), `cut at 0, 1 and not at all: ${[...cuts]}`);
  assert.ok([...cuts].filter((at) => at > 1 && at < txs.length).length >= 4, `cuts inside: ${[...cuts]}`);
  return cuts;
}

/** Budget caps that cut a block whose receipts weigh `weights`: none, before the first, just after it, and through it. */
export function capsThrough(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const first = weights[0] as number;
  return [total, first - 1, first, ...[0.1, 0.37, 0.5, 0.73, 0.99].map((f) => Math.floor(total * f))];
}

/** The counting executor: how many transactions the sequential executor ran. */
export function countingExecutor(chain: TestChain): { executor: TestChain["executor"]; runs: () => number } {
  let runs = 0;
  const executor = {
    execute: (...args: Parameters<typeof chain.executor.execute>) => {
      runs++;
      return chain.executor.execute(...args);
    },
  } as TestChain["executor"];
  return { executor, runs: () => runs };
}
