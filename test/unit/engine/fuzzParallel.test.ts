/**
 * Fuzzing the VM under the parallel engine: random valid contracts from a generator of
 * our own (`test/helpers/wasmFuzz.ts`: recursion, wide operand stacks, loops, traps,
 * memory, storage on a few shared keys, events, calls between contracts) are deployed,
 * and blocks of many calls into them run on the parallel engine (workers) and the
 * sequential executor (main thread); every receipt field and the write set must match.
 *
 * The seed is fixed, so CI runs the same few programs every time, in a few seconds.
 * Soak: `WEFT_FUZZ=<rounds> node scripts/run-tests.mjs fuzzParallel` runs that many
 * rounds of new programs (`WEFT_FUZZ_SEED=<n>` moves the starting seed); a failure names
 * the round's seed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";
import { fuzzInput, fuzzProgram, fuzzRng } from "../../helpers/wasmFuzz.js";
import { wat } from "../../helpers/wat.js";

const ROUNDS = Number(process.env.WEFT_FUZZ ?? 1);
const FIRST_SEED = Number(process.env.WEFT_FUZZ_SEED ?? 20_261_206);
const PROGRAMS = 5;
const TXS = 160;

/** Deploys `PROGRAMS` random contracts and builds a block of calls into them. */
function round(seed: number): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const contracts: Address[] = [];
  for (let p = 0; p < PROGRAMS; p++) {
    const code = wat(fuzzProgram(seed * 100 + p));
    const receipt = chain.runOne({
      kind: "deploy",
      from: account(1),
      code,
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 1n,
    });
    if (receipt.contractAddress === undefined) throw new Error(`seed ${seed}: program ${p} did not deploy`);
    contracts.push(receipt.contractAddress);
  }
  const rand = fuzzRng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const txs: Transaction[] = [];
  for (let i = 0; i < TXS; i++) {
    const target = int(PROGRAMS);
    const peer = contracts[(target + 1 + int(PROGRAMS - 1)) % PROGRAMS] as Address;
    const depth = rand() < 0.15 ? int(4000) : int(6);
    txs.push({
      kind: "call",
      from: account(1 + int(8)),
      to: contracts[target] as Address,
      method: "run",
      args: fuzzInput(peer, depth, int(1 << 30)),
      value: 0n,
      gasLimit: 500_000 + int(3_000_000),
      gasPrice: 1n,
    });
  }
  return { chain, txs };
}

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
      const { chain, txs } = round(seed);
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
});
