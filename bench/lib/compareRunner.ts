/**
 * One build's side of `bench/compare.ts`: a child process that loads the engine, the
 * chain executor and the benchmark workloads from the build whose root it is given
 * (`node compareRunner.js <build root>`), then runs one block at a time when its parent
 * asks. It uses only what every build since `b157a5a` has (`bench/workloads.js`,
 * `bench/defiWorkloads.js`, `createChainExecutor`, `executeSequential`,
 * `createParallelEngine`, `chainExecutorModule`), so an older revision is measured with
 * its own code and contracts and never with this build's options or bench program.
 *
 * Protocol (IPC messages): `{op: "setup", workload, block, accounts, workers}` builds the
 * workload and attaches a parallel engine, answering `{ok: true, txs}`;
 * `{op: "run", executor: "sequential" | "parallel"}` runs the block once, answering
 * `{ok: true, ms, cpuMs, digest}` (`cpuMs`: CPU time of this process, every thread, during
 * the block: what the block cost, less disturbed than `ms` by other processes); `{op: "close"}` ends the process. A failure answers
 * `{ok: false, error}`.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What the runner needs of a build, typed structurally so that any revision fits. */
interface Receiptish {
  status: string;
  gasUsed: number;
  events: Array<{ address: string; topics: string[]; data: Uint8Array }>;
  output: Uint8Array;
}
interface BlockResultish {
  receipts: Receiptish[];
  writeSet: Map<string, Uint8Array | null>;
}
interface Workloadish {
  pre: unknown;
  txs: unknown[];
}
interface Engineish {
  attach(pre: unknown): Promise<unknown>;
  executeBlock(store: unknown, txs: unknown[], config: unknown): Promise<BlockResultish>;
  readonly lastStats: EngineStats | undefined;
  close(): Promise<void>;
}
interface Build {
  BENCH_BLOCK: unknown;
  nativeTransfers(accounts: number, block: number): Workloadish;
  tokenTransfers(accounts: number, block: number): Workloadish;
  ammSwaps(pools: number, block: number): Workloadish;
  lendingActions(block: number): Workloadish;
  stakingActions(block: number): Workloadish;
  defiMix(block: number): Workloadish;
  nftSales(block: number): Workloadish;
  farmHarvests(block: number): Workloadish;
  createChainExecutor(block: unknown): unknown;
  executeSequential(executor: unknown, pre: unknown, txs: unknown[]): BlockResultish;
  createParallelEngine(options: Record<string, unknown>): Promise<Engineish>;
  chainExecutorModule(): unknown;
}

/** The workloads both sides can run, by name. */
export const COMPARE_WORKLOADS = [
  "token-transfer",
  "amm-swap",
  "lending",
  "staking",
  "defi-mix",
  "native-transfer",
  "nft-sale",
  "farm",
] as const;
/** The workloads run when none are named. */
export const DEFAULT_COMPARE_WORKLOADS = ["token-transfer", "amm-swap", "lending", "staking", "defi-mix"];
export type CompareWorkload = (typeof COMPARE_WORKLOADS)[number];

export type RunnerRequest =
  | {
      op: "setup";
      workload: CompareWorkload;
      block: number;
      accounts: number;
      workers: number;
      /** Turn the engine's contention rule off, so that a contended block still runs in parallel and its conflicts show. */
      noContention?: boolean;
    }
  | { op: "run"; executor: "sequential" | "parallel" }
  | { op: "close" };

/**
 * What a block produced, summarised: `results` hashes each receipt's status, output and
 * event data (the amounts a contract computed; not addresses, which follow the contracts'
 * code hashes and so differ between builds), `gas` is the block's total gas and `full`
 * hashes the whole receipts with their gas and the write set (fees follow gas).
 */
export interface Digest {
  /** Statuses and outputs (what each call returned). */
  outputs: string;
  /** Statuses, outputs and event data. */
  results: string;
  full: string;
  gas: number;
  txs: number;
  failed: number;
}

/** The parallel engine's statistics of a block (`BlockStats`, the fields every revision has). */
export interface EngineStats {
  mode: string;
  executions: number;
  validationAborts: number;
  dependencyWaits: number;
}

export type RunnerReply =
  | { ok: true; txs?: number; ms?: number; cpuMs?: number; digest?: Digest; stats?: EngineStats }
  | { ok: false; error: string };

async function loadBuild(root: string): Promise<Build> {
  const load = (path: string) => import(pathToFileURL(join(root, "dist", path)).href);
  // Workloads added after a base revision are absent from its tree: asking for one there fails in makeWorkload.
  const loadIfPresent = (path: string) =>
    existsSync(join(root, "dist", path)) ? load(path) : Promise.resolve({});
  const [workloads, defi, nft, farm, chain, sequential, parallel, executorModule] = await Promise.all([
    load("bench/workloads.js"),
    load("bench/defiWorkloads.js"),
    loadIfPresent("bench/nftWorkloads.js"),
    loadIfPresent("bench/farmWorkload.js"),
    load("src/chain/executeTransaction.js"),
    load("src/engine/sequential.js"),
    load("src/engine/parallel/index.js"),
    load("src/chain/executorModule.js"),
  ]);
  return {
    ...workloads,
    ...defi,
    ...nft,
    ...farm,
    ...chain,
    ...sequential,
    ...parallel,
    ...executorModule,
  } as Build;
}

function makeWorkload(build: Build, name: CompareWorkload, block: number, accounts: number): Workloadish {
  const absent = (fn: unknown) => {
    if (typeof fn !== "function") throw new Error(`workload ${name} does not exist in this revision`);
  };
  if (name === "nft-sale") absent(build.nftSales);
  if (name === "farm") absent(build.farmHarvests);
  switch (name) {
    case "token-transfer":
      return build.tokenTransfers(accounts, block);
    case "native-transfer":
      return build.nativeTransfers(accounts, block);
    case "amm-swap":
      return build.ammSwaps(10, block);
    case "lending":
      return build.lendingActions(block);
    case "staking":
      return build.stakingActions(block);
    case "defi-mix":
      return build.defiMix(block);
    case "nft-sale":
      return build.nftSales(block);
    case "farm":
      return build.farmHarvests(block);
  }
}

function digest(result: BlockResultish): Digest {
  const outputs = createHash("sha256");
  const results = createHash("sha256");
  const full = createHash("sha256");
  let gas = 0;
  let failed = 0;
  for (const r of result.receipts) {
    // Contract addresses follow the code hash, which differs between builds: across builds
    // compare what the contracts computed (statuses, outputs, event data), within one build everything.
    const part = [r.status, Buffer.from(r.output).toString("hex")];
    outputs.update(`${part.join(",")};`);
    for (const e of r.events) part.push(Buffer.from(e.data).toString("hex"));
    results.update(`${part.join(",")};`);
    for (const e of r.events) part.push(e.address, ...e.topics);
    full.update(`${part.join(",")},${r.gasUsed};`);
    gas += r.gasUsed;
    if (r.status !== "success") failed++;
  }
  for (const key of [...result.writeSet.keys()].sort()) {
    const value = result.writeSet.get(key);
    full.update(
      `${key}=${value === null || value === undefined ? "-" : Buffer.from(value).toString("hex")};`,
    );
  }
  return {
    outputs: outputs.digest("hex").slice(0, 16),
    results: results.digest("hex").slice(0, 16),
    full: full.digest("hex").slice(0, 16),
    gas,
    txs: result.receipts.length,
    failed,
  };
}

async function serve(root: string): Promise<void> {
  const build = await loadBuild(root);
  let engine: Engineish | undefined;
  let current: { w: Workloadish; store: unknown; executor: unknown } | undefined;
  const reply = (message: RunnerReply) => process.send?.(message);
  process.on("message", async (request: RunnerRequest) => {
    try {
      if (request.op === "close") {
        await engine?.close();
        process.exit(0);
      }
      if (request.op === "setup") {
        engine ??= await build.createParallelEngine({
          workers: request.workers,
          executor: build.chainExecutorModule(),
          minParallelTxs: 0,
          speed: false,
          ...(request.noContention === true ? { contention: false } : {}),
        });
        const w = makeWorkload(build, request.workload, request.block, request.accounts);
        current = {
          w,
          store: await engine.attach(w.pre),
          executor: build.createChainExecutor(build.BENCH_BLOCK),
        };
        reply({ ok: true, txs: w.txs.length });
        return;
      }
      if (current === undefined || engine === undefined) throw new Error("run before setup");
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result =
        request.executor === "sequential"
          ? build.executeSequential(current.executor, current.w.pre, current.w.txs)
          : await engine.executeBlock(current.store, current.w.txs, build.BENCH_BLOCK);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const s = request.executor === "parallel" ? engine.lastStats : undefined;
      const stats =
        s === undefined
          ? undefined
          : {
              mode: s.mode,
              executions: s.executions,
              validationAborts: s.validationAborts,
              dependencyWaits: s.dependencyWaits,
            };
      reply({ ok: true, ms, cpuMs: (used.user + used.system) / 1000, digest: digest(result), stats });
    } catch (error) {
      reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  reply({ ok: true });
}

// Serve only when started as the runner (compare.ts imports this module for its types and names).
const [, entry, root] = process.argv;
if (entry !== undefined && root !== undefined && import.meta.url === pathToFileURL(entry).href)
  await serve(root);
