/**
 * The speed rule: blocks run the way that has measured cheaper per unit of work, with a
 * periodic probe of the other way; the engine's results are identical either way.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createParallelEngine } from "../../../src/engine/parallel/index.js";
import { SpeedRule } from "../../../src/engine/parallel/speedRule.js";
import { executeSequential } from "../../../src/engine/sequential.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { sortedWrites } from "../../helpers/compare.js";
import {
  executeSynthetic,
  type SyntheticReceipt,
  type SyntheticTx,
  syntheticExecutorModule,
} from "../../helpers/syntheticExecutor.js";

describe("speed rule", () => {
  it("learns both ways twice, then runs the cheaper way with one probe in `probeEvery`", () => {
    const rule = new SpeedRule({ probeEvery: 4, window: 3 });
    const learned: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = rule.choose();
      learned.push(`${c.mode}${c.probe ? "?" : ""}`);
      rule.record(c.mode, c.mode === "parallel" ? 30 : 10, 10); // parallel 3 per unit, sequential 1
    }
    assert.deepEqual(learned, ["parallel?", "sequential?", "parallel?", "sequential?"]);
    const next = Array.from({ length: 8 }, () => rule.choose());
    assert.deepEqual(
      next.map((c) => `${c.mode}${c.probe ? "?" : ""}`),
      [
        "sequential",
        "sequential",
        "sequential",
        "parallel?",
        "sequential",
        "sequential",
        "sequential",
        "parallel?",
      ],
    );
  });

  it("follows a change of workload: a jump in cost has both ways measured afresh", () => {
    const rule = new SpeedRule({ probeEvery: 3, window: 3 });
    for (let i = 0; i < 4; i++) {
      const { mode } = rule.choose();
      rule.record(mode, mode === "parallel" ? 20 : 10, 10); // parallel 2 per unit, sequential 1
    }
    const modes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { mode } = rule.choose();
      modes.push(mode === "parallel" ? "par" : "seq");
      // The workload changed: parallel now costs 0.5 per unit, sequential still 1.
      rule.record(mode, mode === "parallel" ? 5 : 10, 10);
    }
    // Two sequential blocks; the periodic parallel probe finds 0.5 (a jump: both ways are
    // learnt again, alternating); then parallel with a sequential probe every third block.
    assert.deepEqual(modes, [
      "seq",
      "seq",
      "par",
      "seq",
      "par",
      "seq",
      "par",
      "par",
      "seq",
      "par",
      "par",
      "seq",
    ]);
    assert.deepEqual(rule.estimates(), { parallel: 0.5, sequential: 1 });
  });

  it("a pause does not decide: the best recent cost of a mode counts", () => {
    const rule = new SpeedRule({ probeEvery: 8, window: 3 });
    rule.record("parallel", 10, 10); // 1
    rule.record("sequential", 15, 10); // 1.5
    rule.record("parallel", 19, 10); // 1.9: a collection during the block, under the change threshold
    rule.record("sequential", 15, 10);
    assert.deepEqual(rule.estimates(), { parallel: 1, sequential: 1.5 });
    assert.deepEqual(rule.choose(), { mode: "parallel", probe: false });
  });

  it("estimates stay within the costs recorded, and empty blocks are ignored", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.double({ min: 0, max: 1e4, noNaN: true }),
            fc.integer({ min: 0, max: 1e6 }),
          ),
          {
            maxLength: 50,
          },
        ),
        (samples) => {
          const rule = new SpeedRule();
          const seen = { parallel: [] as number[], sequential: [] as number[] };
          for (const [parallel, ms, work] of samples) {
            rule.record(parallel ? "parallel" : "sequential", ms, work);
            if (work > 0) seen[parallel ? "parallel" : "sequential"].push(ms / work);
          }
          const est = rule.estimates();
          for (const mode of ["parallel", "sequential"] as const) {
            const values = seen[mode];
            // After a change of workload a mode may have no recent cost: undefined, never invented.
            if (values.length === 0) assert.equal(est[mode], undefined);
            else if (est[mode] !== undefined) {
              assert.ok((est[mode] as number) >= Math.min(...values) - 1e-9);
              assert.ok((est[mode] as number) <= Math.max(...values) + 1e-9);
            }
          }
        },
      ),
    );
  });

  it("refuses options that make no sense", () => {
    assert.throws(() => new SpeedRule({ probeEvery: 1, window: 3 }), RangeError);
    assert.throws(() => new SpeedRule({ probeEvery: 8, window: 1 }), RangeError);
    assert.throws(() => new SpeedRule({ probeEvery: 8, window: 2.5 }), RangeError);
  });

  it("in the engine: every block identical to sequential whichever way it ran, and the modes say which", async () => {
    const engine = await createParallelEngine<SyntheticTx, SyntheticReceipt, null>({
      workers: 2,
      executor: syntheticExecutorModule,
      minParallelTxs: 0,
      contention: false,
      speed: { probeEvery: 3 },
    });
    try {
      const store = await engine.attach(createMemoryStore());
      const modes: string[] = [];
      for (let b = 0; b < 12; b++) {
        const txs: SyntheticTx[] = Array.from({ length: 200 }, (_, i) => ({
          ops: [
            { op: "read", key: `aa01${((i * 7 + b) % 500).toString(16).padStart(4, "0")}` },
            { op: "write", key: `aa01${((i * 13 + b) % 500).toString(16).padStart(4, "0")}` },
          ],
        }));
        const expected = executeSequential({ execute: executeSynthetic }, store, txs);
        const actual = await engine.executeBlock(store, txs, null);
        assert.deepEqual(actual.receipts, expected.receipts);
        assert.deepEqual(sortedWrites(actual.writeSet), sortedWrites(expected.writeSet));
        store.commit(actual.writeSet);
        modes.push(engine.lastStats?.mode ?? "none");
      }
      assert.deepEqual(
        modes.slice(0, 4),
        ["parallel", "sequential-probe", "parallel", "sequential-probe"],
        "learning: both ways, twice",
      );
      for (const m of modes) assert.match(m, /^(parallel|sequential-slower|sequential-probe)$/);
      // From then on one block in three runs the way that looked slower: both ways keep being measured.
      const rest = modes.slice(4);
      assert.ok(rest.includes("parallel"), `parallel probed again: ${modes.join(",")}`);
      assert.ok(
        rest.some((m) => m.startsWith("sequential")),
        `sequential measured again: ${modes.join(",")}`,
      );
    } finally {
      await engine.close();
    }
  });
});
