/**
 * No call compiles a contract. An attacker deploys more contracts than the former module
 * cache held (1,024, least recently used first out) and cycles calls through all of them:
 * before, every call after the first lap missed the cache and compiled, unpaid. Now the
 * node holds the module of every stored code: compiled on its main thread when a block
 * commits the code, or at open after a restart, and adopted by every worker. Calls after
 * that compile nothing, on the main thread (`weft_call`, sequential blocks) or on the
 * engine's workers (parallel blocks), and the parallel blocks equal sequential execution.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { probeModule } from "../../../bench/lib/calibrationProbes.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Call } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { readSequence } from "../../../src/node/producer.js";
import type { CallResult } from "../../../src/node/readOnly/execute.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

/** More than the former cache's capacity (1,024). */
const CONTRACTS = 1_100;
const PER_TX = 16;
const SENDERS = 8;

describe("compiled code is held: calls never compile", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-compile-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const options: ChainNodeOptions = {
    dataDir: dir,
    chainId: 1337n,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    devAccounts: SENDERS,
    workers: 2,
    minParallelTxs: 0,
    blockTimeMs: 1_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 3_000_000_000,
    mempool: { maxPerSender: 1_000, maxNonceGap: 1_000 },
  };
  const codes = Array.from({ length: CONTRACTS }, (_, i) => probeModule("", "", 1, i + 1));
  const targets: Address[] = [];

  const senders: Address[] = [];
  const sequences: bigint[] = [];
  /** Engine workers' counters after each parallel block. */
  let parallelCounters: Array<Array<Record<string, number>>> = [];
  /** The workers' counters after the last parallel block, recorded or not. */
  let lastWorkers: Array<Record<string, number>> = [];

  /** Sends each batch of calls from the dev accounts in turn, then produces blocks until the pool is empty. */
  async function send(node: ChainNode, calls: Call[][], only?: number, record = true): Promise<void> {
    for (const [i, batch] of calls.entries()) {
      const devIndex = only ?? i % SENDERS;
      const sequence = sequences[devIndex] as bigint;
      sequences[devIndex] = sequence + 1n;
      const raw = callsRaw(
        { chainId: 1337n, sender: senders[devIndex] as Address, devIndex, sequence, gasLimit: 200_000_000n },
        batch,
      );
      node.submit(raw);
    }
    while (node.mempool.size > 0) {
      const produced = await node.produceNow();
      assert.ok(produced !== undefined, "a block was produced");
      for (const r of produced.receipts) assert.equal(r.status, "success", JSON.stringify(r));
      if (produced.block.execution?.mode !== "parallel") continue;
      lastWorkers = node.compileStats().workers;
      if (record) parallelCounters.push(lastWorkers);
    }
  }

  const lap = (): Call[][] => {
    const out: Call[][] = [];
    for (let i = 0; i < targets.length; i += PER_TX)
      out.push(
        targets
          .slice(i, i + PER_TX)
          .map((target) => ({ target, method: "noop", args: new Uint8Array(0), value: 0n })),
      );
    return out;
  };

  const callInline = async (node: ChainNode, target: Address): Promise<void> => {
    const outcome = await node.readOnly.run("client", {
      kind: "call",
      caller: senders[0] as Address,
      target,
      method: "noop",
      input: new Uint8Array(0),
      value: 0n,
    });
    assert.ok(outcome.ok && (outcome.result as CallResult).status === "success", JSON.stringify(outcome));
  };

  /**
   * Every parallel block since the last check: the engine's workers compiled nothing more
   * than `baseline` (what they compiled before: deployments they executed, which paid).
   */
  const assertWorkersCompiledNothing = (baseline: number[]): void => {
    assert.ok(parallelCounters.length > 0, "some blocks ran in parallel");
    for (const workers of parallelCounters) {
      assert.deepEqual(
        workers.map((w) => w.compiles),
        baseline,
        `the engine's workers compiled nothing: they adopted the modules (${JSON.stringify(workers)})`,
      );
      assert.ok(
        workers.every((w) => (w.adopted ?? 0) >= CONTRACTS),
        JSON.stringify(workers),
      );
    }
    parallelCounters = [];
  };

  it("deploys more contracts than the former cache held; cycling calls through them compiles nothing", async () => {
    const node = await ChainNode.open(options);
    try {
      for (const a of node.genesis.accounts) {
        senders.push(a.address as Address);
        sequences.push(0n);
      }
      const sender = senders[0] as Address;
      const deploys: Call[][] = [];
      for (let i = 0; i < codes.length; i += PER_TX) {
        deploys.push(
          codes.slice(i, i + PER_TX).map((code) => {
            const salt = new Uint8Array(32);
            targets.push(contractAddress(sender, salt, keccak256(code), new Uint8Array(0)));
            const args = encodeAbi(DEPLOY_ARGS, [code, new Uint8Array(0), salt]);
            return { target: DEPLOY_TARGET, method: DEPLOY_METHOD, args, value: 0n };
          }),
        );
      }
      await send(node, deploys, 0, false);
      // The attack through weft_call (the main thread's VM): a warm-up lap, then two more.
      for (const target of targets) await callInline(node, target);
      const warm = { ...node.vm.cache.stats };
      for (const target of targets) await callInline(node, target);
      for (const target of targets) await callInline(node, target);
      assert.equal(node.vm.cache.stats.misses, warm.misses, "no call missed on the main thread");
      assert.ok(
        node.vm.cache.size > CONTRACTS,
        `${node.vm.cache.size} modules held (genesis and ${CONTRACTS})`,
      );
      // Through blocks on the engine's workers: warm-up laps until a block ran in parallel
      // (after the contended deployments, the contention rule runs blocks sequentially but
      // for a probe every 8 blocks; a lap of 69 transactions is one block since candidates
      // are chosen by count and bytes, so that can take 8 laps), then two more.
      lastWorkers = [];
      for (let laps = 0; laps < 12 && lastWorkers.length === 0; laps++) await send(node, lap());
      assert.ok(lastWorkers.length > 0, "a warm-up lap ran in parallel");
      // What the workers compiled so far (deployments they executed), as of the last block
      // run in parallel.
      const baseline = lastWorkers.map((w) => w.compiles ?? -1);
      parallelCounters = [];
      const main = node.compileStats().main;
      await send(node, lap());
      await send(node, lap());
      const now = node.compileStats();
      assert.equal(now.main.compiles, main.compiles, "no compile on the main thread");
      assert.equal(now.main.misses, main.misses, "no miss on the main thread");
      assertWorkersCompiledNothing(baseline);
    } finally {
      await node.close();
    }
  });

  it("after a restart, compiles at open (from the kept prepared forms), then none on calls", async () => {
    const node = await ChainNode.open(options);
    try {
      const held = node.vm.cache.size;
      assert.ok(held > CONTRACTS, `${held} modules held at open`);
      assert.equal(node.vm.cache.stats.misses, 0);
      for (const target of targets) await callInline(node, target);
      assert.equal(node.vm.cache.stats.misses, 0, "no call compiled after the restart");
      const opened = node.compileStats().main;
      // Each code's prepared form was kept when it committed: V8 compiled it, nothing else did.
      assert.equal(opened.restored, held, "every stored code restored from its prepared form, at open");
      assert.equal(opened.compiles, 0, "no stored code prepared again");
      for (const [i, a] of senders.entries()) sequences[i] = readSequence(node.state, a, 0n);
      parallelCounters = [];
      await send(node, lap());
      const now = node.compileStats();
      assert.equal(now.main.compiles, opened.compiles, "no compile on calls after open");
      assert.equal(now.main.misses, 0);
      assertWorkersCompiledNothing([0, 0]);
    } finally {
      await node.close();
    }
  });

  it("on the engine: workers adopt every module at attach; blocks of calls through all of them equal sequential and compile nothing", async () => {
    const chain = new TestChain(8);
    const addresses: Address[] = [];
    for (const code of codes) {
      const receipt = chain.runOne({
        kind: "deploy",
        from: account(1),
        code,
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 5_000_000,
        gasPrice: 1n,
      });
      assert.equal(receipt.status, "success");
      addresses.push(receipt.contractAddress as Address);
    }
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const block = (lapNumber: number): Transaction[] =>
        addresses.map((to, i) => ({
          kind: "call",
          from: account(1 + ((i + lapNumber) % 8)),
          to,
          method: "noop",
          args: new Uint8Array(0),
          value: 0n,
          gasLimit: 1_000_000,
          gasPrice: 1n,
        }));
      for (const lapNumber of [0, 1, 2]) {
        const result = await assertSameAsSequential(engine, store, chain.block, block(lapNumber));
        store.commit(result.writeSet);
        const stats = engine.lastStats;
        assert.equal(stats?.mode, "parallel");
        assert.deepEqual(
          stats?.workerCounters?.map((w) => w.compiles),
          [0, 0],
          `lap ${lapNumber}: no worker compiled`,
        );
      }
    } finally {
      await engine.close();
    }
  });
});
