/**
 * The engine's trace (for the explorer's view of a parallel block): every transaction's
 * final execution appears on some worker, tasks do not overlap on one worker, and a block
 * that conflicts on one hot key names that key. Results still match sequential execution.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import { storageKey } from "../../../src/state/keys.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

describe("engine trace", () => {
  it("records tasks per worker and the hot key behind conflicts", async () => {
    const chain = new TestChain(40);
    const token = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
    const fund: Transaction[] = [];
    for (let i = 2; i <= 40; i++) fund.push(token.tx(account(1), "transfer", [account(i), 1_000n]));
    for (const r of chain.run(fund).receipts) assert.equal(r.status, "success");
    // Everyone pays the same recipient: its balance slot is the hot key.
    const txs: Transaction[] = [];
    for (let i = 2; i <= 40; i++) txs.push(token.tx(account(i), "transfer", [account(99), 1n]));
    const engine = await chainEngine(2, 0, false, true);
    try {
      await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      const trace = engine.lastStats?.trace;
      assert.ok(trace !== undefined, "a parallel block has a trace");
      const executed = new Set(trace.tasks.filter((t) => t.kind === "execute").map((t) => t.tx));
      assert.equal(executed.size, txs.length, "every transaction executed at least once");
      for (const worker of new Set(trace.tasks.map((t) => t.worker))) {
        const mine = trace.tasks.filter((t) => t.worker === worker);
        for (let i = 1; i < mine.length; i++)
          assert.ok(
            (mine[i]?.startUs as number) >= (mine[i - 1]?.endUs as number) - 1,
            "one task at a time per worker",
          );
      }
      assert.ok(trace.tasks.every((t) => t.endUs >= t.startUs && t.startUs >= 0));
      const stats = engine.lastStats;
      if ((stats?.validationAborts ?? 0) + (stats?.dependencyWaits ?? 0) > 0) {
        const hot = trace.conflicts[0]?.key ?? "";
        assert.ok(
          hot.startsWith(storageKey(token.address, new Uint8Array(0))),
          `hot key ${hot} is the token's storage`,
        );
      }
    } finally {
      await engine.close();
    }
  });
});
