/**
 * Code deployed earlier in the same parallel block: how often it is prepared (validated,
 * instrumented, probed and compiled: `vm/moduleCache.ts`), and what that costs against
 * what its deployment paid for (one preparation: `GAS.DEPLOY_BYTE`, `GAS.COMPILE_MODULE`).
 * A block deploys `--contracts` distinct copies of a shipped contract
 * (`lib/codeVariants.ts`) from one account, then every other account calls each of them,
 * and the block commits (the main thread then holds each new code: `vm/storedCode.ts`).
 *
 * Each round runs the block twice on fresh engines, alternately: with the executors
 * sharing what they prepare during a block (`vm/modulePeers.ts`, what the node runs) and
 * without. It counts the preparations on the engine's workers and on the main thread, and
 * times the process CPU (every thread's) from the block's start to its commit; medians
 * over `--rounds`, and their ratio, measured in the same run. JSON goes to
 * bench/results/same-block-code-<label>.json.
 *
 *   node dist/bench/sameBlockCode.js [--contracts 16] [--workers 2] [--contract counter] [--rounds 5] [--label current]
 */

import { loadArtifact } from "../src/chain/artifacts.js";
import type { BlockContext } from "../src/chain/blockContext.js";
import { chainExecutorModule, createExecutorFactory } from "../src/chain/executorModule.js";
import { genesisWrites } from "../src/chain/genesis.js";
import type { Receipt } from "../src/chain/receipt.js";
import type { Transaction } from "../src/chain/transaction.js";
import { type Address, contractAddress } from "../src/codec/address.js";
import { keccak256 } from "../src/codec/hash.js";
import { createParallelEngine } from "../src/engine/parallel/index.js";
import { createMemoryStore } from "../src/state/memoryStore.js";
import { compileContract } from "../src/vm/moduleCache.js";
import { benchArgs } from "./lib/args.js";
import { codeVariant } from "./lib/codeVariants.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const usage =
  "node dist/bench/sameBlockCode.js [--contracts 16] [--workers 2] [--contract counter] [--rounds 5] [--label current]";
const args = benchArgs(usage, {
  options: {
    contracts: { type: "string", default: "16" },
    workers: { type: "string", default: "2" },
    contract: { type: "string", default: "counter" },
    rounds: { type: "string", default: "5" },
    label: { type: "string", default: "current" },
  },
});
const K = Number(args.contracts);
const ACCOUNTS = 8;
const account = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}`;
const block: BlockContext = {
  height: 7n,
  time: 1_700_000_000n,
  chainId: 1337n,
  feeRecipient: account(0xfee),
};

const balances: Array<[Address, bigint]> = [];
for (let i = 1; i <= ACCOUNTS; i++) balances.push([account(i), 10n ** 30n]);
const base = loadArtifact(String(args.contract)).code;
const ROUNDS = Number(args.rounds);

interface Run {
  cpuMs: number;
  workerCompiles: number;
  mainCompiles: number;
  shared: number;
  deployGas: number;
}

/** One block of K deployments and their calls, on a fresh engine, committed. */
async function runBlock(share: boolean, salt: number): Promise<Run> {
  const options = { shareModules: share };
  const local = createExecutorFactory(options);
  const engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
    workers: Number(args.workers),
    executor: chainExecutorModule(options),
    local,
    minParallelTxs: 0,
    speed: false,
    contention: false,
  });
  try {
    const store = await engine.attach(createMemoryStore(genesisWrites({ balances }) as never));
    const txs: Transaction[] = [];
    const targets: Address[] = [];
    for (let i = 0; i < K; i++) {
      const code = codeVariant(base, salt + i);
      const deploySalt = new Uint8Array(32);
      txs.push({
        kind: "deploy",
        from: account(1),
        code,
        args: new Uint8Array(0),
        salt: deploySalt,
        value: 0n,
        gasLimit: 100_000_000,
        gasPrice: 1n,
      });
      targets.push(contractAddress(account(1), deploySalt, keccak256(code), new Uint8Array(0)));
    }
    for (let a = 2; a <= ACCOUNTS; a++)
      for (const to of targets)
        txs.push({
          kind: "call",
          from: account(a),
          to,
          method: "total",
          args: new Uint8Array(0),
          value: 0n,
          gasLimit: 10_000_000,
          gasPrice: 1n,
        });
    const mainBefore = local.counters?.().compiles ?? 0;
    const cpu = process.cpuUsage();
    const result = await engine.executeBlock(store, txs, block);
    store.commit(result.writeSet);
    const used = process.cpuUsage(cpu);
    const stats = engine.lastStats;
    if (stats?.mode !== "parallel") throw new Error(`the block ran ${stats?.mode}, not in parallel`);
    const failed = result.receipts.filter((r) => r.status !== "success").length;
    if (failed > 0)
      throw new Error(
        `${failed} transactions failed: ${JSON.stringify(
          result.receipts.find((r) => r.status !== "success"),
          (_k, v) => (typeof v === "bigint" ? String(v) : v),
        )}`,
      );
    const counters = stats.workerCounters ?? [];
    return {
      cpuMs: (used.user + used.system) / 1000,
      workerCompiles: counters.reduce((n, w) => n + (w.compiles ?? 0), 0),
      mainCompiles: (local.counters?.().compiles ?? 0) - mainBefore,
      shared: counters.reduce((n, w) => n + (w.shared ?? 0), 0),
      deployGas: result.receipts.slice(0, K).reduce((n, r) => n + r.gasUsed, 0) / K,
    };
  } finally {
    await engine.close();
  }
}

const runs: Record<"shared" | "unshared", Run[]> = { shared: [], unshared: [] };
let salt = 5_000;
for (let r = 0; r < ROUNDS; r++) {
  for (const share of r % 2 === 0 ? [true, false] : [false, true]) {
    runs[share ? "shared" : "unshared"].push(await runBlock(share, salt));
    salt += K;
  }
}
const cpu = process.cpuUsage();
for (let i = 0; i < K; i++) compileContract(codeVariant(base, 900_000 + i));
const used = process.cpuUsage(cpu);
const compileMs = (used.user + used.system) / 1000 / K;

const summary = (list: Run[]) => ({
  cpuMs: median(list.map((r) => r.cpuMs)),
  workerCompiles: median(list.map((r) => r.workerCompiles)),
  mainCompiles: median(list.map((r) => r.mainCompiles)),
  shared: median(list.map((r) => r.shared)),
  deployGas: list[0]?.deployGas ?? 0,
});
const shared = summary(runs.shared);
const unshared = summary(runs.unshared);
console.log(
  `${K} deployments of ${args.contract} (${base.length} bytes) in one parallel block on ${args.workers} workers, then calls to each from ${ACCOUNTS - 1} accounts, committed; medians of ${ROUNDS} rounds`,
);
printTable(
  [
    "executors",
    "preparations on workers",
    "at commit",
    "per deployment",
    "taken from a peer",
    "block+commit CPU ms",
  ],
  [
    [
      "sharing",
      shared.workerCompiles,
      shared.mainCompiles,
      ((shared.workerCompiles + shared.mainCompiles) / K).toFixed(2),
      shared.shared,
      shared.cpuMs.toFixed(1),
    ],
    [
      "not sharing",
      unshared.workerCompiles,
      unshared.mainCompiles,
      ((unshared.workerCompiles + unshared.mainCompiles) / K).toFixed(2),
      unshared.shared,
      unshared.cpuMs.toFixed(1),
    ],
  ],
);
console.log(
  `CPU sharing / not sharing: ${(shared.cpuMs / unshared.cpuMs).toFixed(2)}; one preparation: ${compileMs.toFixed(2)} ms CPU; each deployment paid ${shared.deployGas} gas for one (the same with and without sharing: ${shared.deployGas === unshared.deployGas})`,
);
writeJson(`bench/results/same-block-code-${args.label}.json`, {
  machine: machineInfo(),
  contracts: K,
  workers: Number(args.workers),
  contract: args.contract,
  rounds: ROUNDS,
  compileMs,
  shared,
  unshared,
  runs,
});
