/**
 * Determinism: the same block gives the same receipts, gas and write set across runs
 * in one process (cold and warm module caches) and across fresh processes.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { digest, mixedBlock, runMixedBlock } from "../../helpers/mixedBlock.js";

const script = fileURLToPath(new URL("../../helpers/mixedBlock.js", import.meta.url));

describe("determinism", () => {
  it("the mixed block covers every outcome", () => {
    const { chain, txs } = mixedBlock();
    const statuses = new Set(chain.run(txs).receipts.map((r) => r.status));
    assert.deepEqual([...statuses].sort(), ["invalid", "outOfGas", "revert", "success"]);
  });

  it("gives the same result on every run in one process", () => {
    const first = runMixedBlock();
    assert.equal(runMixedBlock(), first);
    // The same block again on the same chain object's executor (warm module cache).
    const { chain, txs } = mixedBlock();
    const before = new Map(chain.state.entries);
    const a = digest(chain.run(txs));
    chain.state.entries.clear();
    for (const [k, v] of before) chain.state.entries.set(k, v);
    assert.equal(digest(chain.run(txs)), a);
    assert.equal(a, first);
  });

  it("gives the same result in fresh processes", () => {
    const here = runMixedBlock();
    for (let i = 0; i < 2; i++) {
      const there = execFileSync(process.execPath, [script], { encoding: "utf8" }).trim();
      assert.equal(there, here);
    }
  });
});
