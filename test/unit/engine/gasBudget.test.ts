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
import type { Transaction } from "../../../src/chain/transaction.js";
import { budgetCut } from "../../../src/engine/budget.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { BlockResult, ReceiptBudget } from "../../../src/engine/types.js";
import { hex } from "../../../src/node/store/records.js";
import { stateRootFrom } from "../../../src/state/merkle/index.js";
import type { Storage, WriteSet } from "../../../src/state/storage.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { TestChain } from "../../helpers/contracts.js";
import { attachChain, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

/** Token transfers among shared accounts (later ones read what earlier ones wrote) and event floods. */
function setup(): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 9n, account(1)]);
  const flood = chain.deploy("flood");
  for (let i = 2; i <= 8; i++) chain.runOne(token.tx(account(1), "transfer", [account(i), 10_000n]));
  const txs: Transaction[] = [];
  for (let i = 0; i < 160; i++) {
    const from = account(1 + (i % 8));
    // Each reserves far more gas than it uses, as the attack's transactions did.
    if (i % 3 === 0)
      txs.push(flood.tx(from, "flood", [1 + (i % 4), 300 + 37 * i], { gasLimit: 500_000_000 }));
    else
      txs.push(
        token.tx(from, "transfer", [account(1 + ((i * 5) % 4)), BigInt(1 + (i % 7))], {
          gasLimit: 400_000_000,
        }),
      );
  }
  return { chain, txs };
}

/** Only the gas bound cuts; measured with the executor's own functions, so the workers stop at the cut. */
const gasBudget = (max: number): ReceiptBudget<Receipt> => ({
  max: Number.MAX_SAFE_INTEGER,
  weight: receiptBytes,
  gas: { max, used: blockGasOf },
});

/** The state root after `writes` over `store`. */
function rootAfter(store: Storage, writes: WriteSet): string {
  const state = new Map(store.iterate(""));
  for (const [key, value] of writes) {
    if (value === null) state.delete(key);
    else state.set(key, value);
  }
  return hex(stateRootFrom(state.entries()));
}

function assertSame(
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
      const engine = engines[workers - 1] as ChainEngine;
      const { chain, txs } = setup();
      const store = await attachChain(engine, chain);
      const whole = executeSequential(chain.executor, store, txs);
      assert.ok(
        whole.receipts.every((r) => r.status === "success"),
        "every transaction succeeds",
      );
      const used = whole.receipts.map(blockGasOf);
      const total = used.reduce((a, b) => a + b, 0);
      const reserved = txs.reduce((sum, t) => sum + ("gasLimit" in t ? t.gasLimit : 0), 0);
      assert.ok(reserved > 100 * total, `the block reserves ${reserved}, uses ${total}`);
      const first = used[0] as number;
      const limits = [
        total,
        first - 1,
        first,
        ...[0.1, 0.37, 0.5, 0.73, 0.99].map((f) => Math.floor(total * f)),
      ];
      const cuts = new Set<number>();
      for (const limit of limits) {
        const budget = gasBudget(limit);
        const sequential = executeSequential(chain.executor, store, txs, budget);
        const parallel = await engine.executeBlock(store, txs, chain.block, budget);
        assert.equal(engine.lastStats?.mode, "parallel", `limit ${limit}: ran in parallel`);
        assertSame(store, parallel, sequential, `limit ${limit}, parallel vs sequential`);

        const at = sequential.cut?.at ?? txs.length;
        cuts.add(at);
        assert.equal(
          budgetCut(whole.receipts, budget),
          sequential.cut?.at,
          `limit ${limit}: where the block is cut`,
        );
        const prefix = executeSequential(chain.executor, store, txs.slice(0, at));
        assertSame(
          store,
          { ...sequential, cut: undefined },
          prefix,
          `limit ${limit}, cut block vs the prefix`,
        );
        const kept = sequential.receipts.reduce((sum, r) => sum + blockGasOf(r), 0);
        assert.ok(kept <= limit, `limit ${limit}: the kept prefix uses ${kept}`);
        if (sequential.cut !== undefined) {
          assert.deepEqual(sequential.cut.receipt, whole.receipts[at], `limit ${limit}: receipt at the cut`);
          assert.ok(kept + blockGasOf(sequential.cut.receipt) > limit, `limit ${limit}: longest prefix`);
        }
      }
      assert.ok(
        cuts.has(0) && cuts.has(1) && cuts.has(txs.length),
        `cut at 0, 1 and not at all: ${[...cuts]}`,
      );
      assert.ok([...cuts].filter((at) => at > 1 && at < txs.length).length >= 4, `cuts inside: ${[...cuts]}`);
    });
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
    const whole = executeSequential(chain.executor, chain.state, txs);
    const total = whole.receipts.reduce((sum, r) => sum + blockGasOf(r), 0);
    const result = executeSequential(counting, chain.state, txs, gasBudget(Math.floor(total / 2)));
    const at = result.cut?.at;
    assert.ok(at !== undefined && at > 0 && at < txs.length, `cut inside the block: ${at}`);
    assert.equal(runs, at + 1);
  });
});
