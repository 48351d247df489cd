/**
 * The parallel engine on real chain blocks (VM contracts): each case the engine must
 * handle, then random blocks, always compared with the sequential executor field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { BlockContext } from "../../../src/chain/blockContext.js";
import { chainExecutorModule, createExecutorFactory } from "../../../src/chain/executorModule.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { createParallelEngine } from "../../../src/engine/parallel/index.js";
import { createSequentialExecutor } from "../../../src/engine/sequential.js";
import type { BlockExecutor } from "../../../src/engine/types.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";
import { sortedWrites } from "../../helpers/compare.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { mixedBlock } from "../../helpers/mixedBlock.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";

const engines = new Map<number, ChainEngine>();

function setup(): { chain: TestChain; token: Contract; probe: Contract; other: Contract } {
  const chain = new TestChain(10);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 9n, account(1)]);
  const probe = chain.deploy("probe");
  const other = chain.deploy("probe", [], account(2));
  for (let i = 2; i <= 10; i++) chain.runOne(token.tx(account(1), "transfer", [account(i), 10_000n]));
  return { chain, token, probe, other };
}

async function check(workers: number, chain: TestChain, txs: Transaction[]) {
  const engine = engines.get(workers) as ChainEngine;
  const store = await attachChain(engine, chain);
  const result = await assertSameAsSequential(engine, store, chain.block, txs);
  assert.equal(engine.lastStats?.mode, "parallel");
  return { result, stats: engine.lastStats };
}

describe("parallel engine vs sequential (chain blocks)", () => {
  before(async () => {
    for (const workers of [1, 2, 3]) engines.set(workers, await chainEngine(workers));
  });
  after(async () => {
    for (const engine of engines.values()) await engine.close();
  });

  for (const workers of [1, 2, 3]) {
    it(`the mixed block (every VM outcome) with ${workers} worker(s)`, async () => {
      const { chain, txs } = mixedBlock();
      const { result } = await check(workers, chain, txs);
      assert.deepEqual([...new Set(result.receipts.map((r) => r.status))].sort(), [
        "invalid",
        "outOfGas",
        "revert",
        "success",
      ]);
    });
  }

  it("inner and outer reverts, out of gas and cross-contract calls", async () => {
    const { chain, token, probe, other } = setup();
    const transferArgs = encodeAbi(["address", "u128"], [account(5), 3n]);
    const refuseArgs = encodeAbi(["string", "string", "u32"], ["k", "v", 1]);
    const txs: Transaction[] = [];
    for (let i = 0; i < 12; i++) {
      txs.push(probe.tx(account(3), "callAndCatch", [other.address, "setThenRefuse", refuseArgs, 0n, 0n]));
      txs.push(other.tx(account(4), "setThenRefuse", [`k${i}`, "v", i]));
      txs.push(probe.tx(account(5), "spin", [], { gasLimit: 60_000 }));
      txs.push(
        probe.tx(account(6), "forward", [token.address, "balanceOf", encodeAbi(["address"], [account(6)])]),
      );
      txs.push(probe.tx(account(7), "callAndCatch", [token.address, "transfer", transferArgs, 0n, 0n]));
      txs.push(token.tx(account(8), "transfer", [account(9), 1n]));
    }
    await check(2, chain, txs);
  });

  it("a contract deployed earlier in the block and called later in it", async () => {
    const { chain } = setup();
    const probe = loadArtifact("probe");
    const txs: Transaction[] = [];
    const addresses: Address[] = [];
    for (let i = 0; i < 4; i++) {
      const salt = new Uint8Array(32).fill(i + 1);
      addresses.push(contractAddress(account(3), salt, keccak256(probe.code), new Uint8Array(0)));
      // Calls before the deployment fail (NoSuchContract); after, they work.
      txs.push(call(addresses[i] as Address, "set", ["early", "x"]));
      txs.push(chain.deployTx(probe, [], account(3), salt));
      for (let k = 0; k < 5; k++) txs.push(call(addresses[i] as Address, "set", [`k${k}`, `v${i}`]));
      txs.push(call(addresses[i] as Address, "get", ["k4"]));
    }
    const { result } = await check(2, chain, txs);
    assert.equal(result.receipts[0]?.status, "revert");
    assert.equal(result.receipts.at(-1)?.status, "success");

    function call(to: Address, method: string, args: unknown[]): Transaction {
      return {
        kind: "call",
        from: account(4),
        to,
        method,
        args: encodeCall(probe.metadata, method, args),
        value: 0n,
        gasLimit: 2_000_000,
        gasPrice: 1n,
      };
    }
  });

  it("reads of keys that an earlier transaction deletes", async () => {
    const { chain, probe } = setup();
    chain.run([probe.tx(account(1), "set", ["gone", "here"]), probe.tx(account(1), "set", ["kept", "here"])]);
    const txs: Transaction[] = [];
    for (let i = 0; i < 10; i++) {
      txs.push(probe.tx(account(2 + (i % 5)), "has", ["gone"]));
      if (i === 4) txs.push(probe.tx(account(7), "remove", ["gone"]));
      txs.push(probe.tx(account(2 + (i % 5)), "get", ["gone"]));
      if (i === 7) txs.push(probe.tx(account(8), "set", ["gone", "back"]));
    }
    const { result } = await check(2, chain, txs);
    assert.ok(result.writeSet.size > 0);
  });

  it("hot keys: every transaction pays the fee recipient, some read its balance", async () => {
    const chain = new TestChain(6);
    // The fee recipient holds coin and spends it mid-block: its balance is read and written.
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: FEE_RECIPIENT,
      amount: 10n ** 18n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    const txs: Transaction[] = [];
    for (let i = 0; i < 60; i++) {
      txs.push({
        kind: "transfer",
        from: account(1 + (i % 5)),
        to: account(2 + (i % 4)),
        amount: 1n,
        gasLimit: 21_000,
        gasPrice: 3n,
      });
      if (i % 15 === 7) {
        txs.push({
          kind: "transfer",
          from: FEE_RECIPIENT,
          to: account(6),
          amount: 5n,
          gasLimit: 21_000,
          gasPrice: 1n,
        });
      }
    }
    await check(2, chain, txs);
  });

  it("dependencies on unfinished earlier transactions (everything conflicts)", async () => {
    const { chain, token } = setup();
    const txs: Transaction[] = [];
    for (let i = 0; i < 150; i++)
      txs.push(token.tx(account(2 + (i % 2)), "transfer", [account(3 - (i % 2)), 1n]));
    for (const workers of [2, 3]) await check(workers, chain, txs);
    // With the contention rule on, the block is handed to the sequential executor.
    const ruled = await chainEngine(2, 0, true);
    try {
      const store = await attachChain(ruled, chain);
      // Whether the workers collide is up to the OS scheduler: on a loaded machine one worker
      // may run the whole block alone, without a conflict. So the block is offered a few times
      // (each result still checked against sequential) until the rule sees the contention.
      const tried: string[] = [];
      for (let round = 0; round < 6 && ruled.lastStats?.mode !== "sequential-contended"; round++) {
        await assertSameAsSequential(ruled, store, chain.block, txs);
        tried.push(ruled.lastStats?.mode ?? "");
      }
      assert.equal(ruled.lastStats?.mode, "sequential-contended", tried.join(","));
      assert.ok((ruled.lastStats?.txs ?? 0) > 0);
      const attempt = ruled.lastStats?.attempt;
      assert.ok(attempt !== undefined, "the abandoned parallel attempt is reported");
      assert.ok(attempt.validationAborts + attempt.dependencyWaits > 0, "with the conflicts that ended it");
      // The next block goes straight to the sequential executor; uncontended blocks still do too
      // until the periodic probe, which finds them parallel again.
      const calm = Array.from({ length: 9 }, (_, i) =>
        token.tx(account(2 + i), "transfer", [account(2 + i), 1n]),
      );
      const modes: string[] = [];
      for (let b = 0; b < 9; b++) {
        await assertSameAsSequential(ruled, store, chain.block, calm);
        modes.push(ruled.lastStats?.mode ?? "");
      }
      assert.deepEqual(modes.slice(0, 7), Array(7).fill("sequential-contended"));
      assert.equal(modes[7], "parallel", modes.join(","));
    } finally {
      await ruled.close();
    }
  });

  it("random chain blocks, random worker counts (fast-check)", async () => {
    const { chain, token, probe, other } = setup();
    const accounts = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => account(n));
    const txArb = fc.oneof(
      fc
        .record({ a: fc.nat(8), b: fc.nat(8), n: fc.bigInt(0n, 50n) })
        .map(({ a, b, n }) => token.tx(accounts[a] as Address, "transfer", [accounts[b], n])),
      fc.record({ a: fc.nat(8), b: fc.nat(8), n: fc.bigInt(0n, 10n ** 20n) }).map(
        ({ a, b, n }): Transaction => ({
          kind: "transfer",
          from: accounts[a] as Address,
          to: accounts[b] as Address,
          amount: n,
          gasLimit: 21_000,
          gasPrice: 1n,
        }),
      ),
      fc
        .record({ a: fc.nat(8), k: fc.nat(3), v: fc.string({ maxLength: 4 }) })
        .map(({ a, k, v }) => probe.tx(accounts[a] as Address, "set", [`k${k}`, v])),
      fc
        .record({ a: fc.nat(8), k: fc.nat(3) })
        .map(({ a, k }) => probe.tx(accounts[a] as Address, "remove", [`k${k}`])),
      fc
        .record({ a: fc.nat(8), k: fc.nat(3) })
        .map(({ a, k }) =>
          other.tx(accounts[a] as Address, "forward", [
            probe.address,
            "get",
            encodeAbi(["string"], [`k${k}`]),
          ]),
        ),
      fc
        .record({ a: fc.nat(8), c: fc.nat(5) })
        .map(({ a, c }) => probe.tx(accounts[a] as Address, "setThenRefuse", [`k${c % 4}`, "x", c])),
      fc
        .record({ a: fc.nat(8), b: fc.nat(8) })
        .map(({ a, b }) =>
          other.tx(accounts[a] as Address, "callAndCatch", [
            token.address,
            "transfer",
            encodeAbi(["address", "u128"], [accounts[b], 1n]),
            0n,
            0n,
          ]),
        ),
      fc.nat(8).map((a) => probe.tx(accounts[a] as Address, "spin", [], { gasLimit: 40_000 })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(txArb, { minLength: 1, maxLength: 60 }),
        async (workers, txs) => {
          await check(workers, chain, txs);
        },
      ),
      {
        numRuns: Number(process.env.WEFT_SOAK ?? 0) > 0 ? Math.ceil(Number(process.env.WEFT_SOAK) / 20) : 25,
      },
    );
  });

  it("runs small blocks sequentially by rule, and falls back loudly when shared room runs out", async () => {
    const { chain, token } = setup();
    const txs = Array.from({ length: 40 }, (_, i) =>
      token.tx(account(2 + (i % 8)), "transfer", [account(3 + (i % 7)), 1n]),
    );
    const small = await chainEngine(2, 1_000);
    try {
      await assertSameAsSequential(small, await attachChain(small, chain), chain.block, txs);
      assert.equal(small.lastStats?.mode, "sequential-small");
    } finally {
      await small.close();
    }
    const cramped = await createParallelEngine<Transaction, Receipt, BlockContext>({
      workers: 2,
      executor: chainExecutorModule(),
      minParallelTxs: 0,
      contention: false,
      speed: false,
      capacity: { entries: 16 },
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      await assertSameAsSequential(cramped, await attachChain(cramped, chain), chain.block, txs, {
        fallback: true,
      });
      assert.equal(cramped.lastStats?.mode, "sequential-fallback");
      assert.match(errors.join("\n"), /running the block sequentially instead: .*capacity/);
    } finally {
      console.error = original;
      await cramped.close();
    }
  });
});

describe("one interface for both executors", () => {
  it("the sequential executor and the parallel engine are interchangeable BlockExecutors", async () => {
    const { chain, txs } = mixedBlock();
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const executors: Array<BlockExecutor<Transaction, Receipt, BlockContext>> = [
        createSequentialExecutor(createExecutorFactory().forBlock),
        engine,
      ];
      const [a, b] = await Promise.all(executors.map(async (e) => e.executeBlock(store, txs, chain.block)));
      assert.deepEqual(b?.receipts, a?.receipts);
      assert.deepEqual(sortedWrites(b?.writeSet ?? new Map()), sortedWrites(a?.writeSet ?? new Map()));
    } finally {
      await engine.close();
    }
  });
});
