/**
 * The engine benchmark's sale, vesting and airdrop workloads (bench/saleWorkload.ts,
 * bench/airdropWorkload.ts), small: every transaction succeeds, the parallel engine's block
 * equals the sequential one field by field, and the benchmark's own check (`sameResult`,
 * which fills the table's "= seq" column) agrees, and says no to a result that differs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { airdropClaims } from "../../../bench/airdropWorkload.js";
import { sameResult } from "../../../bench/lib/sameResult.js";
import { saleClaims, salePurchases, vestingReleases } from "../../../bench/saleWorkload.js";
import { BENCH_BLOCK, type Workload } from "../../../bench/workloads.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

describe("bench: sale, vesting and airdrop workloads", () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(async () => {
    await engine.close();
  });

  const workloads: Array<[string, () => Workload]> = [
    ["sale", () => salePurchases(80)],
    ["sale-claim", () => saleClaims(80)],
    ["vesting-release", () => vestingReleases(80)],
    ["airdrop", () => airdropClaims(80, 1, 4, 20)],
  ];
  for (const [name, make] of workloads)
    it(`${name}: every transaction succeeds, in parallel as in sequence`, async () => {
      const w = make();
      assert.equal(w.name, name);
      assert.equal(w.txs.length, 80);
      const sequential = executeSequential(createChainExecutor(BENCH_BLOCK), w.pre, w.txs);
      assert.deepEqual(
        sequential.receipts.filter((r) => r.status !== "success").map((r) => r.status),
        [],
      );
      const store = await engine.attach(w.pre);
      const parallel = await assertSameAsSequential(engine, store, BENCH_BLOCK, w.txs);
      assert.equal(sameResult(parallel, sequential), true);
      const tampered = {
        ...parallel,
        receipts: parallel.receipts.map((r, i) => (i === 5 ? { ...r, gasUsed: r.gasUsed + 1 } : r)),
      };
      assert.equal(sameResult(tampered, sequential), false);
      const fewerWrites = { ...parallel, writeSet: new Map([...parallel.writeSet].slice(1)) };
      assert.equal(sameResult(fewerWrites, sequential), false);
    });
});
