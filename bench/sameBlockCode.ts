/**
 * Code deployed earlier in the same parallel block: how often it is compiled, and what that
 * costs against what its deployment paid for (one compile, `GAS.DEPLOY_BYTE` and
 * `GAS.COMPILE_MODULE`). A block deploys `--contracts` distinct copies of a shipped
 * contract (`lib/codeVariants.ts`) from one account, then every other account calls each
 * of them; the engine's workers count their compiles (`BlockStats.workerCounters`), and
 * the node's main thread prepares each committed code once more when the block commits
 * (`vm/storedCode.ts`, not counted here).
 *
 *   node dist/bench/sameBlockCode.js [--contracts 16] [--workers 2] [--contract counter]
 */

import { loadArtifact } from "../src/chain/artifacts.js";
import type { BlockContext } from "../src/chain/blockContext.js";
import { chainExecutorModule } from "../src/chain/executorModule.js";
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

const args = benchArgs(
  "node dist/bench/sameBlockCode.js [--contracts 16] [--workers 2] [--contract counter]",
  {
    options: {
      contracts: { type: "string", default: "16" },
      workers: { type: "string", default: "2" },
      contract: { type: "string", default: "counter" },
    },
  },
);
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
const engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
  workers: Number(args.workers),
  executor: chainExecutorModule(),
  minParallelTxs: 0,
  speed: false,
  contention: false,
});
try {
  const store = await engine.attach(createMemoryStore(genesisWrites({ balances }) as never));
  const base = loadArtifact(String(args.contract)).code;
  const txs: Transaction[] = [];
  const targets: Address[] = [];
  for (let i = 0; i < K; i++) {
    const code = codeVariant(base, 5_000 + i);
    const salt = new Uint8Array(32);
    txs.push({
      kind: "deploy",
      from: account(1),
      code,
      args: new Uint8Array(0),
      salt,
      value: 0n,
      gasLimit: 100_000_000,
      gasPrice: 1n,
    });
    targets.push(contractAddress(account(1), salt, keccak256(code), new Uint8Array(0)));
  }
  for (let a = 2; a <= ACCOUNTS; a++)
    for (const to of targets)
      txs.push({
        kind: "call",
        from: account(a),
        to,
        method: "get",
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 10_000_000,
        gasPrice: 1n,
      });
  const result = await engine.executeBlock(store, txs, block);
  const stats = engine.lastStats;
  const compiles = (stats?.workerCounters ?? []).map((w) => w.compiles ?? 0);
  const deployGas = result.receipts.slice(0, K).reduce((n, r) => n + r.gasUsed, 0) / K;
  const cpu = process.cpuUsage();
  for (let i = 0; i < K; i++) compileContract(codeVariant(base, 9_000 + i));
  const used = process.cpuUsage(cpu);
  const compileMs = (used.user + used.system) / 1000 / K;
  const total = compiles.reduce((a, b) => a + b, 0);
  console.log(
    `${K} deployments of ${args.contract} (${base.length} bytes) in one ${stats?.mode} block, then calls to each from ${ACCOUNTS - 1} accounts`,
  );
  console.log(
    `compiles per worker: ${compiles.join(", ")} (${(total / K).toFixed(2)} per deployment on the engine's workers, +1 on the main thread at commit)`,
  );
  console.log(`one compile: ${compileMs.toFixed(2)} ms CPU; each deployment paid ${deployGas} gas for one`);
} finally {
  await engine.close();
}
