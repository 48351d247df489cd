/**
 * The token-transfer workload on `@ethereumjs/vm`, for comparison with Weft's sequential
 * executor (`bench/sequential.ts`): the same shape (blocks of 10,000 transfers of 1 unit
 * between random distinct holders, seed 1, each holder funded with 10^20 units), the
 * same token semantics (`token.ts`, hand-assembled), executed one transaction after
 * another with `runTx`.
 *
 *   node dist/bench/evm/run.js [--accounts 10000,100] [--block 10000] [--runs 3] [--quick]
 *
 * Per run: a fresh copy of the funded state (`vm.shallowCopy()`, cold caches), the block
 * executed inside one state checkpoint (timed: "execute"), then the checkpoint committed
 * (the caches written into the Merkle Patricia trie) and the state root computed (timed
 * on top: "execute + state root"). Weft's sequential number excludes its state root.
 * `--quick`: 3 runs with a 500-transaction warm-up (the default also runs 3, after a
 * 2,000-transaction warm-up). Prints a table, writes bench/results/evm.json and evm.svg.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLegacyTxFromRLP, type LegacyTx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { runTx, type VM } from "@ethereumjs/vm";
import { benchArgs } from "../lib/args.js";
import { barChartSvg, writeSvg } from "../lib/plot.js";
import { createRng, machineInfo, median, printTable, writeJson } from "../lib/report.js";
import {
  createTokenChain,
  type EvmAccount,
  evmAccount,
  fundAccounts,
  signedTransfer,
  type TokenChain,
  tokenBalance,
} from "./chain.js";

const args = benchArgs(
  "node dist/bench/evm/run.js [--accounts 10000,100] [--block 10000] [--runs 3] [--quick]",
  {
    options: {
      accounts: { type: "string", default: "10000,100" },
      block: { type: "string", default: "10000" },
      runs: { type: "string", default: "3" },
      quick: { type: "boolean", default: false },
    },
  },
);
const accountCounts = (args.accounts ?? "10000,100").split(",").map(Number);
const blockSize = Number(args.block);
const runs = Number(args.runs);
const quick = args.quick === true;
const warmupTxs = Math.min(blockSize, quick ? 500 : 2_000);
const FUNDING = 10n ** 20n;
const COIN = 10n ** 24n;

export interface EvmRow {
  accounts: number;
  txs: number;
  runs: number;
  /** Execution of the block (median, ms). */
  executeMs: number;
  tps: number;
  usPerTx: number;
  /** Execution plus commit into the trie and the state root (median, ms). */
  withRootMs: number;
  tpsWithRoot: number;
  usPerTxWithRoot: number;
  gasPerTx: number;
}

/** Distinct random (from, to) pairs: the same generator and seed as bench/workloads.ts. */
function pairs(accounts: number, count: number, seed: number): Array<[number, number]> {
  const rng = createRng(seed);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor(rng() * accounts);
    let to = Math.floor(rng() * (accounts - 1));
    if (to >= from) to++;
    out.push([from, to]);
  }
  return out;
}

function vmVersion(): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve("@ethereumjs/vm")));
    for (let up = 0; up < 5; up++, dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@ethereumjs/vm") return pkg.version ?? "unknown";
    }
    return "unknown";
  } catch {
    return "unknown";
  }
}

async function runBlock(vm: VM, txs: readonly LegacyTx[]): Promise<{ gas: bigint; failed: number }> {
  let gas = 0n;
  let failed = 0;
  for (const tx of txs) {
    const result = await runTx(vm, { tx });
    gas += result.totalGasSpent;
    if (result.execResult.exceptionError !== undefined || result.receipt.logs.length !== 1) failed++;
  }
  return { gas, failed };
}

/** Checks a sample of the cached senders against real recovery from the serialized transactions. */
function checkSenders(txs: readonly LegacyTx[], senders: readonly EvmAccount[], chain: TokenChain): void {
  for (let i = 0; i < Math.min(16, txs.length); i++) {
    const tx = txs[i] as LegacyTx;
    const fresh = createLegacyTxFromRLP(tx.serialize(), { common: chain.common });
    if (!fresh.getSenderAddress().equals((senders[i] as EvmAccount).address))
      throw new Error(`transaction ${i}: the signature does not recover its sender`);
  }
}

async function measure(accounts: number): Promise<EvmRow> {
  const started = performance.now();
  const chain = await createTokenChain(10n ** 30n);
  const holders = Array.from({ length: accounts }, (_, i) => evmAccount(i));
  await fundAccounts(chain, holders, COIN, FUNDING);
  const plan = pairs(accounts, blockSize, 1);
  const senders = plan.map(([from]) => holders[from] as EvmAccount);
  const txs = plan.map(([from, to]) =>
    signedTransfer(chain, holders[from] as EvmAccount, (holders[to] as EvmAccount).hex, 1n),
  );
  checkSenders(txs, senders, chain);
  console.log(
    `  ${accounts} accounts: setup (keys, funding, ${txs.length} signed transactions) ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // Warm-up on a copy (JIT), discarded.
  {
    const vm = await chain.vm.shallowCopy();
    await vm.stateManager.checkpoint();
    await runBlock(vm, txs.slice(0, warmupTxs));
    await vm.stateManager.revert();
  }
  const execute: number[] = [];
  const withRoot: number[] = [];
  let gas = 0n;
  let last: VM | undefined;
  for (let r = 0; r < runs; r++) {
    const vm = await chain.vm.shallowCopy();
    await vm.stateManager.checkpoint();
    const t0 = performance.now();
    const result = await runBlock(vm, txs);
    const t1 = performance.now();
    await vm.stateManager.commit();
    const root = await vm.stateManager.getStateRoot();
    const t2 = performance.now();
    if (result.failed > 0) throw new Error(`${result.failed} transfers failed`);
    execute.push(t1 - t0);
    withRoot.push(t2 - t0);
    gas = result.gas;
    last = vm;
    console.log(
      `    run ${r + 1}/${runs}: execute ${(t1 - t0).toFixed(0)} ms, + commit and root ${(t2 - t1).toFixed(0)} ms (root ${bytesToHex(root).slice(0, 12)}…)`,
    );
  }
  // The final balances are what the transfers say.
  if (last !== undefined) {
    const expected = new Map<number, bigint>();
    for (const [from, to] of plan) {
      expected.set(from, (expected.get(from) ?? FUNDING) - 1n);
      expected.set(to, (expected.get(to) ?? FUNDING) + 1n);
    }
    const check = { ...chain, vm: last };
    for (const [i, want] of [...expected].slice(0, 20)) {
      const have = await tokenBalance(check, (holders[i] as EvmAccount).hex);
      if (have !== want) throw new Error(`holder ${i}: balance ${have}, expected ${want}`);
    }
  }
  const exec = median(execute);
  const total = median(withRoot);
  const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    accounts,
    txs: txs.length,
    runs,
    executeMs: round(exec, 1),
    tps: Math.round(txs.length / (exec / 1000)),
    usPerTx: round((exec * 1000) / txs.length, 2),
    withRootMs: round(total, 1),
    tpsWithRoot: Math.round(txs.length / (total / 1000)),
    usPerTxWithRoot: round((total * 1000) / txs.length, 2),
    gasPerTx: Number(gas / BigInt(txs.length)),
  };
}

/** Weft's sequential token-transfer TPS for the same shape, when bench/results has it. */
function weftTps(accounts: number): number | undefined {
  for (const file of [`bench/results/sequential-${accounts}.json`, "bench/results/sequential.json"]) {
    if (!existsSync(file)) continue;
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      params?: { accounts?: number; blockSize?: number };
      rows?: Array<{ workload: string; variant: string; tps: number }>;
    };
    if (data.params?.accounts !== accounts || data.params?.blockSize !== blockSize) continue;
    const row = data.rows?.find((r) => r.workload === "token-transfer" && r.variant === "metered");
    if (row !== undefined) return row.tps;
  }
  return undefined;
}

const version = vmVersion();
console.log(
  `EVM token transfers (@ethereumjs/vm ${version}, Prague, MerkleStateManager with caches): blocks of ${blockSize}, accounts ${accountCounts.join(", ")}, median of ${runs}`,
);
const rows: EvmRow[] = [];
for (const accounts of accountCounts) rows.push(await measure(accounts));
printTable(
  ["accounts", "txs", "execute ms", "TPS", "µs/tx", "+root ms", "TPS +root", "µs/tx +root", "gas/tx"],
  rows.map((r) => [
    r.accounts,
    r.txs,
    r.executeMs,
    r.tps,
    r.usPerTx,
    r.withRootMs,
    r.tpsWithRoot,
    r.usPerTxWithRoot,
    r.gasPerTx,
  ]),
);
for (const r of rows) {
  const weft = weftTps(r.accounts);
  if (weft !== undefined)
    console.log(
      `  ${r.accounts} accounts: Weft sequential ${weft} TPS vs EVM ${r.tps} TPS: ${(weft / r.tps).toFixed(1)}x`,
    );
}
writeJson("bench/results/evm.json", {
  machine: machineInfo(),
  params: { accounts: accountCounts, blockSize, runs, warmupTxs, quick },
  vm: {
    package: "@ethereumjs/vm",
    version,
    hardfork: "prague",
    stateManager: "MerkleStateManager with caches (account, storage, code)",
    contract: "bench/evm/token.ts (hand-assembled ERC-20-like token)",
  },
  rows,
});
writeSvg(
  "bench/results/evm.svg",
  barChartSvg(
    `@ethereumjs/vm ${version}: token transfers, blocks of ${blockSize} (median of ${runs})`,
    "tx/s",
    rows.flatMap((r) => [
      { label: `${r.accounts} accounts, execute`, value: r.tps },
      { label: `${r.accounts} accounts, + state root`, value: r.tpsWithRoot },
    ]),
  ),
);
console.log("wrote bench/results/evm.svg");
