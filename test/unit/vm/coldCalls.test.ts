/**
 * Cold and warm calls (EIP-2929-style): the first frame of a contract in a transaction pays
 * `coldCallGas` (an instance made for it, pinned until the transaction ends), later frames
 * of it pay `GAS.CALL` alone, and a transaction never instantiates a contract twice. On
 * 22a5829 every call paid the same flat price, and a transaction cycling through more
 * contracts than the instance pool kept (16 MiB) instantiated on every call: 300 distinct
 * callees ran at 5-7 ns/gas, 20-30x the calibration's median.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { executeTransaction } from "../../../src/chain/executeTransaction.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeError } from "../../../src/codec/abi.js";
import { coldCallGas } from "../../../src/vm/callContract.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { MAX_TX_CONTRACT_PAGES } from "../../../src/vm/limits.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { createVm } from "../../../src/vm/vm.js";
import { CYCLE_CALLER, cycleCallee, cycleTx, deploySalted } from "../../helpers/callCycle.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

/** A distinct callee (`k` makes its code unique) with `pages` of memory and `noop`. */
const callee = (k: number, pages = 1): Uint8Array => cycleCallee({ k, pages });
const deploy = deploySalted;
const cycle = cycleTx;

describe("cold and warm calls", () => {
  const chain = new TestChain(8);
  const caller = deploy(chain, CYCLE_CALLER);
  /** 300 distinct one-page callees: more than the instance pool keeps between transactions (256). */
  const callees = Array.from({ length: 300 }, (_, k) => deploy(chain, callee(k + 1)));
  const cold = coldCallGas(compileContract(callee(1)));
  const gasOf = (tx: Transaction) => {
    const receipt = chain.runOne(tx);
    assert.equal(receipt.status, "success", receipt.invalidReason);
    return receipt.gasUsed;
  };

  it("the first call of a contract in a transaction pays the cold price, later ones only the warm", () => {
    const few = callees.slice(0, 20);
    // Same input (and so the same intrinsic gas) for every lap count.
    const laps = [0, 1, 2, 3].map((n) => gasOf(cycle(account(2), caller, few, n)));
    const [lap0, lap1, lap2, lap3] = laps as [number, number, number, number];
    assert.equal(lap3 - lap2, lap2 - lap1, "every warm lap costs the same");
    assert.equal(
      lap1 - lap0 - (lap2 - lap1),
      few.length * cold,
      "each first call pays exactly the cold price more",
    );
    const warmCall = (lap2 - lap1) / few.length;
    assert.ok(cold >= GAS.COLD_CALL + GAS.COLD_PAGE, `cold price ${cold}`);
    assert.ok(warmCall < cold / 4, `a warm call (${warmCall}) is far cheaper than the cold price (${cold})`);
    assert.ok(
      warmCall >= GAS.CALL + GAS.MEMORY_PAGE,
      `a warm call still pays CALL and its memory: ${warmCall}`,
    );
    // Each transaction starts cold again: the price depends on its own history only.
    assert.equal(gasOf(cycle(account(3), caller, few, 1)), lap1);
    // On 22a5829 a first call and a later one cost the same: lap1 - lap0 = lap2 - lap1.
  });

  it("a transaction never instantiates a contract twice, however many it cycles through", () => {
    const vm = createVm();
    vm.cache.beginBlock(); // as an executor does: the block's modules stay compiled
    const view = { read: (key: string) => chain.state.get(key) };
    const run = (tx: Transaction) => executeTransaction(vm, chain.block, view, tx).receipt;
    // A first transaction over all of them: the pool keeps 256 one-page instances after it.
    assert.equal(run(cycle(account(4), caller, callees, 1)).status, "success");
    const before = vm.instances.created;
    // Three laps: the first may instantiate each callee once (the caller is pooled), the
    // next two reuse the instances pinned for the transaction (on 22a5829: 900 instances).
    const receipt = run(cycle(account(4), caller, callees, 3));
    assert.equal(receipt.status, "success");
    const created = vm.instances.created - before;
    assert.ok(created <= callees.length, `${created} instances for ${callees.length} contracts, 3 laps`);
    // The gas does not depend on what the pool held: the same on a VM that held nothing.
    const fresh = executeTransaction(createVm(), chain.block, view, cycle(account(4), caller, callees, 3));
    assert.deepEqual(fresh.receipt, receipt);
  });

  it("refuses a frame past MAX_TX_CONTRACT_PAGES of distinct contracts' memory in one transaction", () => {
    // The caller's 2 pages count too.
    const fit = Math.floor((MAX_TX_CONTRACT_PAGES - 2) / 64);
    const big = Array.from({ length: fit + 1 }, (_, k) => deploy(chain, callee(10_000 + k, 64)));
    const within = gasOf(cycle(account(5), caller, big.slice(0, fit), 2));
    assert.ok(within > fit * GAS.COLD_PAGE * 64, "each 64-page contract paid its pages cold");
    const receipt = chain.runOne(cycle(account(5), caller, big, 1));
    assert.equal(receipt.status, "revert");
    const error = decodeError(receipt.output, ["string"]);
    assert.equal(error?.name, "LimitExceeded");
    assert.match(String(error?.args[0]), /more than 2048 pages/);
  });

  describe("parallel = sequential", () => {
    let engine: ChainEngine;
    before(async () => {
      engine = await chainEngine(2);
    });
    after(() => engine.close());

    it("a block whose transactions cycle through many contracts in different orders", async () => {
      const txs: Transaction[] = [];
      for (let t = 0; t < 24; t++) {
        // Overlapping windows of the 300 callees, some repeated within the transaction.
        const start = (t * 37) % 250;
        const window = callees.slice(start, start + 40 + (t % 3) * 5);
        if (t % 2 === 1) window.reverse();
        txs.push(cycle(account((t % 8) + 1), caller, window, 1 + (t % 3)));
      }
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.ok(result.receipts.every((r) => r.status === "success"));
      // Transactions over the same window and laps pay the same, whatever ran before them.
      const byShape = new Map<string, number>();
      txs.forEach((tx, i) => {
        const key = tx.kind === "call" ? Buffer.from(tx.args).toString("hex") : "";
        const gas = result.receipts[i]?.gasUsed as number;
        if (byShape.has(key)) assert.equal(byShape.get(key), gas);
        byShape.set(key, gas);
      });
    });
  });
});
