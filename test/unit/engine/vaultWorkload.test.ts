/**
 * The benchmark's option vault workload (bench/vaultWorkload.ts): every deposit, withdrawal
 * initiated, instant withdrawal and completed withdrawal succeeds, with the events each
 * should emit, and the parallel engine (1 and 2 workers) gives the sequential executor's
 * receipts and write set field by field, as the benchmark's own check (`sameResult`) says.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sameResult } from "../../../bench/lib/sameResult.js";
import { vaultDeposits } from "../../../bench/vaultWorkload.js";
import { BENCH_BLOCK } from "../../../bench/workloads.js";
import { optionVaultMetadata } from "../../../src/bindings/optionVault.gen.js";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import { decodeEvent } from "../../../src/codec/metadata.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { assertSameAsSequential, chainEngine } from "../../helpers/parallelChain.js";

describe("bench vault workload", () => {
  it("deposits and withdrawals all succeed, and parallel (1 and 2 workers) = sequential", async () => {
    const w = vaultDeposits(120, 3);
    assert.equal(w.txs.length, 120);
    const sequential = executeSequential(createChainExecutor(BENCH_BLOCK), w.pre, w.txs);
    assert.deepEqual(
      sequential.receipts.filter((r) => r.status !== "success").map((r) => r.output),
      [],
      "every action succeeds",
    );
    const names = sequential.receipts.map((r) => {
      const event = r.events.find((e) => decodeEvent(optionVaultMetadata, e) !== null);
      return event === undefined ? "" : (decodeEvent(optionVaultMetadata, event)?.name ?? "");
    });
    const count = (name: string) => names.filter((n) => n === name).length;
    assert.deepEqual(
      [count("Deposited"), count("WithdrawalInitiated"), count("InstantWithdrawal"), count("Withdrawn")],
      [48, 36, 18, 18],
    );
    for (const workers of [1, 2]) {
      const engine = await chainEngine(workers);
      try {
        const store = await engine.attach(w.pre);
        const parallel = await assertSameAsSequential(engine, store, BENCH_BLOCK, w.txs);
        assert.ok(
          sameResult(parallel, sequential),
          `parallel-${workers} = sequential by the benchmark's check`,
        );
      } finally {
        await engine.close();
      }
    }
  });
});
