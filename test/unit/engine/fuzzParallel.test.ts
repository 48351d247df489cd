/**
 * Fuzzing the VM under the parallel engine: random valid contracts from a generator of
 * our own (`test/helpers/wasmFuzz.ts`: recursion, wide operand stacks, loops, traps,
 * memory, storage on a few shared keys, events, calls between contracts) are deployed,
 * and blocks of many calls into them run on the parallel engine (workers) and the
 * sequential executor (main thread); every receipt field and the write set must match.
 * The same blocks run in fresh processes must give the same digest; and on a node,
 * `weft_call` and `weft_estimateGas` must give what the block gives
 * (`test/unit/node/fuzzNode.test.ts`).
 *
 * The seed is fixed, so CI runs the same few programs every time, in a few seconds.
 * Soak: `WEFT_FUZZ=<rounds> node scripts/run-tests.mjs fuzzParallel` runs that many
 * rounds of new programs (`WEFT_FUZZ_SEED=<n>` moves the starting seed); a failure names
 * the round's seed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { fuzzRound, fuzzRoundDigest } from "../../helpers/fuzzBlock.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const ROUNDS = Number(process.env.WEFT_FUZZ ?? 1);
const FIRST_SEED = Number(process.env.WEFT_FUZZ_SEED ?? 20_261_206);
const script = fileURLToPath(new URL("../../helpers/fuzzBlock.js", import.meta.url));
describe(`fuzz: random contracts, parallel against sequential (${ROUNDS} round(s) from seed ${FIRST_SEED})`, () => {
  let engine: ChainEngine;
  before(async () => {
    engine = await chainEngine(2);
  });
  after(() => engine.close());

  it("every round's block gives the sequential result, field by field", async () => {
    const statuses = new Map<string, number>();
    for (let r = 0; r < ROUNDS; r++) {
      const seed = FIRST_SEED + r;
      const { chain, txs } = fuzzRound(seed);
      const store = await engine.attach(createMemoryStore(chain.state.entries));
      try {
        const result = await assertSameAsSequential(engine, store, chain.block, txs);
        for (const receipt of result.receipts)
          statuses.set(receipt.status, (statuses.get(receipt.status) ?? 0) + 1);
      } catch (error) {
        throw new Error(`fuzz round with seed ${seed} differs: ${(error as Error).message}`);
      }
    }
    // The programs do something: some calls succeed, some fail.
    assert.ok((statuses.get("success") ?? 0) > 0, `statuses ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get("revert") ?? 0) + (statuses.get("outOfGas") ?? 0) > 0);
  });

  it("every round's block gives the same digest in a fresh process", () => {
    for (let r = 0; r < ROUNDS; r++) {
      const seed = FIRST_SEED + r;
      const there = execFileSync(process.execPath, [script, String(seed)], { encoding: "utf8" }).trim();
      assert.equal(there, fuzzRoundDigest(seed), `fuzz round with seed ${seed}: a fresh process differs`);
    }
  });
});
