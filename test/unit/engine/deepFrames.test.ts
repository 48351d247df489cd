/**
 * Deep, wide and recursive call frames give one result everywhere: the stack budget, not
 * the thread's real stack, decides where recursion stops. The same block runs
 * sequentially (main thread), on the parallel engine (worker threads) and in fresh
 * processes, and every receipt and write must match; calls far past the budget revert
 * with `Trap("stack exhausted")`, never a V8 stack overflow.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { chainExecutorModule } from "../../../src/chain/executorModule.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeError } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { createParallelEngine } from "../../../src/engine/parallel/index.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { deepFrameBlock, deployShape, runDeepFrameBlock, runTx } from "../../helpers/deepFrameBlock.js";
import { digest } from "../../helpers/mixedBlock.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const script = fileURLToPath(new URL("../../helpers/deepFrameBlock.js", import.meta.url));

describe("deep frames", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(() => engine.close());

  it("every shape succeeds shallow and traps on the budget when too deep", () => {
    const { chain, txs } = deepFrameBlock();
    const receipts = chain.run(txs).receipts as Receipt[];
    const endings = new Set<string>();
    for (const r of receipts) {
      if (r.status === "success") endings.add("success");
      else {
        assert.equal(r.status, "revert", "no out of gas: every transaction has gas to reach the budget");
        assert.deepEqual(decodeError(r.output, ["string"]), { name: "Trap", args: ["stack exhausted"] });
        endings.add("trap");
      }
    }
    assert.deepEqual([...endings].sort(), ["success", "trap"]);
    // The shallowest call of every shape succeeds, the deepest traps.
    assert.equal(receipts[0]?.status, "success");
    assert.equal(receipts[receipts.length - 1]?.status, "success", "the outer contract of a chain reacts");
  });

  it("the parallel engine (workers) gives the sequential result (main thread), field by field", async () => {
    const { chain, txs } = deepFrameBlock();
    const store = await engine.attach(createMemoryStore(chain.state.entries));
    await assertSameAsSequential(engine, store, chain.block, txs);
  });

  it("gives the same result in fresh processes", () => {
    const here = runDeepFrameBlock();
    const there = execFileSync(process.execPath, [script], { encoding: "utf8" }).trim();
    assert.equal(there, here);
  });

  it("gives the same result with a warm module cache and warm (tiered-up) code", () => {
    const { chain, txs } = deepFrameBlock();
    const before = new Map(chain.state.entries);
    const first = digest(chain.run(txs));
    for (let i = 0; i < 2; i++) {
      chain.state.entries.clear();
      for (const [k, v] of before) chain.state.entries.set(k, v);
      assert.equal(digest(chain.run(txs)), first);
    }
  });
});

describe("a V8 stack overflow in the parallel engine", () => {
  it("is never a result: the block falls back to sequential, which fails loudly with the VmFault", async () => {
    // The budget moved out of the way (tests only), so V8's own stack runs out first.
    const engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
      workers: 2,
      executor: chainExecutorModule({ stackStart: -1_000_000_000 }),
      minParallelTxs: 0,
      speed: false,
      contention: false,
    });
    try {
      const chain = new TestChain(2);
      const [deep] = deployShape(chain, { kind: "minimal", size: 0 });
      const store = await engine.attach(createMemoryStore(chain.state.entries));
      const txs = [runTx(account(1), [deep as Address], 1), runTx(account(2), [deep as Address], 10_000_000)];
      await assert.rejects(engine.executeBlock(store, txs, chain.block), (e: unknown) => {
        assert.equal((e as { name?: string }).name, "VmFault");
        assert.equal((e as { code?: string }).code, "STACK_OVERFLOW");
        return true;
      });
    } finally {
      await engine.close();
    }
  });
});
