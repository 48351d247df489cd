/**
 * The parallel engine stops at a block's cut (issue 12, attacker finding 2): once the
 * committed prefix's gas used passes the block gas limit, no transaction after the cut is
 * executed or validated any further (`engine/parallel/commit.ts`), as Aptos's Block-STM
 * does with its block gas limit. Before, every candidate ran to the end and the cut was
 * applied afterwards, so a block's wasted work grew with the number of huge-limit
 * transactions queued behind the cut. The result is still the sequential one, field by
 * field, for 1 and 2 workers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { blockGasOf, type Receipt, receiptBytes } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import type { ReceiptBudget } from "../../../src/engine/types.js";
import { account } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { TestChain } from "../../helpers/contracts.js";
import { deployWat } from "../../helpers/deployWat.js";
import { attachChain, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

/** `burn(i u32, n u32)`: loops n times, then writes key i (a state change to compare). */
const BURNER = `(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "storage_set" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "burn") (local $n i32)
    (call $input_copy (i32.const 64))
    (local.set $n (i32.load (i32.const 68)))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (i32.store (i32.const 0) (i32.load (i32.const 64)))
    (call $set (i32.const 0) (i32.const 4) (i32.const 64) (i32.const 8))))`;

const ACCOUNTS = 8;
const TRANSFERS = 12;
const BURNERS = 60;
const ITERATIONS = 4_000_000;
const LIMIT = 500_000_000;

function setup(): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(ACCOUNTS);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 9n, account(1)]);
  for (let i = 2; i <= ACCOUNTS; i++) chain.runOne(token.tx(account(1), "transfer", [account(i), 1_000n]));
  const burner = deployWat(chain, BURNER, "the burner");
  const txs: Transaction[] = [];
  // Transfers that read what earlier ones wrote (conflicts for Block-STM), then burners
  // reserving far more gas than they use, like the attack's.
  for (let i = 0; i < TRANSFERS; i++)
    txs.push(
      token.tx(account(1 + (i % 4)), "transfer", [account(1 + ((i + 1) % 4)), BigInt(1 + i)], {
        gasLimit: LIMIT,
      }),
    );
  for (let i = 0; i < BURNERS; i++) {
    const args = new Uint8Array(8);
    new DataView(args.buffer).setUint32(0, i, true);
    new DataView(args.buffer).setUint32(4, ITERATIONS, true);
    txs.push({
      kind: "call",
      from: account(1 + (i % ACCOUNTS)),
      to: burner,
      method: "burn",
      args,
      value: 0n,
      gasLimit: LIMIT,
      gasPrice: 1n,
    });
  }
  return { chain, txs };
}

/** The node's budget (`buildBlock.ts`): receipt bytes and block gas, measured as the executor does. */
const budget = (gas: number): ReceiptBudget<Receipt> => ({
  max: 16 * 1024 * 1024,
  weight: receiptBytes,
  gas: { max: gas, used: blockGasOf },
});

describe("the parallel engine stops at the block's cut", () => {
  const engines: ChainEngine[] = [];
  before(async () => {
    engines.push(await chainEngine(1, 0, false, true), await chainEngine(2, 0, false, true));
  });
  after(async () => {
    for (const engine of engines) await engine.close();
  });

  for (const workers of [1, 2]) {
    it(`runs (almost) nothing past the cut, and parallel = sequential (${workers} worker(s))`, async () => {
      const engine = engines[workers - 1] as ChainEngine;
      const { chain, txs } = setup();
      const store = await attachChain(engine, chain);
      const whole = executeSequential(chain.executor, store, txs);
      assert.ok(
        whole.receipts.every((r) => r.status === "success"),
        `every transaction succeeds: ${JSON.stringify(whole.receipts.map((r) => [r.status, r.invalidReason, r.gasUsed]))}`,
      );
      const used = whole.receipts.map(blockGasOf);
      assert.ok((used[TRANSFERS] as number) > 1_000_000, `a burner uses ${used[TRANSFERS]}`);
      // Cut inside the burners: the prefix and 2.5 of them fit.
      const cutAt = TRANSFERS + 2;
      const max = used.slice(0, cutAt).reduce((a, b) => a + b, 0) + Math.floor((used[cutAt] as number) / 2);
      const expected = executeSequential(chain.executor, store, txs, budget(max));
      assert.equal(expected.cut?.at, cutAt, "the sequential executor cuts there");

      const actual = await engine.executeBlock(store, txs, chain.block, budget(max));
      const stats = engine.lastStats;
      assert.equal(stats?.mode, "parallel", "ran in parallel");
      actual.receipts.forEach((r, i) => {
        const e = expected.receipts[i] as Receipt;
        assert.equal(r.status, e.status, `tx ${i} status`);
        assert.equal(r.gasUsed, e.gasUsed, `tx ${i} gas`);
        assert.equal(r.fee, e.fee, `tx ${i} fee`);
        assert.deepEqual(r.events, e.events, `tx ${i} events`);
      });
      assert.deepEqual(actual.receipts, expected.receipts, "receipts");
      assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet), "write set");
      assert.deepEqual(actual.cut, expected.cut, "the cut and its receipt");

      // Incarnations of transactions after the cut: none in order; with two workers only
      // those another worker was handed before the cut was committed (each then stops or
      // ends). How many that is depends on how far that worker ran ahead meanwhile, i.e. on
      // the threads' scheduling (a worker descheduled under load lets the other run on); so
      // the test asserts the guarantee, not a count: nothing at or past what had been handed
      // out when the cut was found (`handedOutAtCut`, commit.ts) runs at all.
      const tasks = stats?.trace?.tasks ?? [];
      assert.ok(tasks.length > 0, "traced");
      const past = tasks.filter((t) => t.tx > cutAt);
      if (workers === 1) assert.deepEqual(past, [], "nothing after the cut runs in order");
      else {
        const handedOut = stats?.handedOutAtCut;
        assert.ok(
          handedOut !== undefined && handedOut > cutAt,
          `the workers stopped at the cut, ${handedOut} of ${txs.length} transactions handed out then`,
        );
        const late = past.filter((t) => t.tx >= handedOut);
        assert.deepEqual(late, [], `no task at or past ${handedOut}, handed out when the cut was found`);
      }
    });
  }
});
