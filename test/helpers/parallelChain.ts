/** Running chain blocks on the parallel engine and on the sequential executor, and comparing every field. */
import assert from "node:assert/strict";
import type { BlockContext } from "../../src/chain/blockContext.js";
import { createChainExecutor } from "../../src/chain/executeTransaction.js";
import { chainExecutorModule } from "../../src/chain/executorModule.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { Transaction } from "../../src/chain/transaction.js";
import { createParallelEngine, type ParallelEngine } from "../../src/engine/parallel/index.js";
import { executeSequential } from "../../src/engine/sequential.js";
import type { BlockResult } from "../../src/engine/types.js";
import { createMemoryStore } from "../../src/state/memoryStore.js";
import type { Storage } from "../../src/state/storage.js";
import { sortedWrites } from "./compare.js";
import type { TestChain } from "./contracts.js";

export type ChainEngine = ParallelEngine<Transaction, Receipt, BlockContext>;

/** An engine for tests: parallel path always (no small-block, contention or speed rule) unless asked. */
export function chainEngine(
  workers: number,
  minParallelTxs = 0,
  contention = false,
  trace = false,
): Promise<ChainEngine> {
  return createParallelEngine<Transaction, Receipt, BlockContext>({
    workers,
    executor: chainExecutorModule(),
    minParallelTxs,
    trace,
    speed: false,
    ...(contention ? {} : { contention: false }),
  });
}

/** Attaches a copy of the test chain's state to `engine`. */
export function attachChain(engine: ChainEngine, chain: TestChain): Promise<Storage> {
  return engine.attach(createMemoryStore(chain.state.entries));
}

/**
 * Runs `txs` both ways over `store` and asserts every receipt field and the write set are
 * identical, and that the engine did not fall back to sequential (a worker fault), unless
 * `fallback` says the test provokes one.
 */
export async function assertSameAsSequential(
  engine: ChainEngine,
  store: Storage,
  block: BlockContext,
  txs: Transaction[],
  { fallback = false }: { fallback?: boolean } = {},
): Promise<BlockResult<Receipt>> {
  const expected = executeSequential(createChainExecutor(block), store, txs);
  const actual = await engine.executeBlock(store, txs, block);
  // A fallback is a broken engine invariant (a worker threw): never a pass.
  const stats = engine.lastStats;
  if (!fallback)
    assert.notEqual(stats?.mode, "sequential-fallback", `the engine fell back: ${stats?.fallbackReason}`);
  assert.equal(actual.receipts.length, expected.receipts.length);
  actual.receipts.forEach((r, i) => {
    const e = expected.receipts[i] as Receipt;
    assert.equal(r.status, e.status, `tx ${i} status`);
    assert.equal(r.gasUsed, e.gasUsed, `tx ${i} gas`);
    assert.equal(r.fee, e.fee, `tx ${i} fee`);
    assert.deepEqual(r.output, e.output, `tx ${i} output`);
    assert.deepEqual(r.events, e.events, `tx ${i} events`);
    assert.equal(r.contractAddress, e.contractAddress, `tx ${i} contract address`);
    assert.equal(r.invalidReason, e.invalidReason, `tx ${i} invalid reason`);
  });
  assert.deepEqual(actual.receipts, expected.receipts);
  assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
  return actual;
}
