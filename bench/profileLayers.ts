/**
 * Where a contract transaction's time goes, by layer: the CPU profile of sequential
 * blocks of one workload, its samples' self time summed per layer.
 *
 *   node dist/bench/profileLayers.js [--workloads token-transfer,amm-swap,defi-mix] [--block 1000] [--blocks 20]
 *                                    [--functions 30]
 *
 * Per workload: one block to warm up, then `--blocks` blocks under V8's sampling profiler
 * (100 µs interval, the `node:inspector` session of this process: building the workload is
 * not in the profile). Layers, by the function a sample is in (its own time, not its
 * callees'):
 *
 * - contract wasm: the contracts' own code (metering included: it is in the bytecode);
 * - host calls: the host functions (`vm/hostFunctions.ts`, `memoryAccess.ts`,
 *   `counters.ts` and its accessor of the gas counter), hashing and signatures they run,
 *   and the wasm↔JS wrappers;
 * - VM frames: frame setup and teardown (`vm/vm.ts`, `callContract.ts`, `instancePool.ts`
 *   with the memory reset, `moduleCache.ts`, `frame.ts`);
 * - state maps and keys: the transaction overlay, the engine's view, the store, state keys
 *   and interned strings (`vm/txState.ts`, `src/engine`, `src/state`);
 * - Buffers and hex: Node's Buffer code and hex conversion (`node:buffer`, `codec/bytes.ts`);
 * - transaction: the chain's part (`src/chain`: checks, fees, receipts) and the ABI codec;
 * - GC: V8's garbage collector;
 * - other: everything else the block runs (the sequential executor's loop, V8 builtins
 *   called from JavaScript that the profile names apart).
 *
 * Only samples inside `executeSequential`, and the collector's, count.
 *
 * Prints one table (percent of samples per layer, per workload) and writes
 * bench/results/profile-layers.json. With `--functions N`, also the N functions with the
 * most self time per workload, with their layer: contract functions are named only when
 * the contracts were built with a name section and the VM keeps it (a profiling build).
 */
import { Session } from "node:inspector/promises";
import type { BlockContext } from "../src/chain/blockContext.js";
import { createChainExecutor } from "../src/chain/executeTransaction.js";
import { executeSequential } from "../src/engine/sequential.js";
import { COUNTER_FUNCTION_PREFIX } from "../src/vm/counters.js";
import { ammSwaps, defiMix, lendingActions, stakingActions } from "./defiWorkloads.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";
import { BENCH_BLOCK, tokenTransfers, type Workload } from "./workloads.js";

const USAGE =
  "node dist/bench/profileLayers.js [--workloads token-transfer,amm-swap,lending,staking,defi-mix] [--block 1000] [--blocks 20] [--functions 30]";
const args = benchArgs(USAGE, {
  options: {
    workloads: { type: "string", default: "token-transfer,amm-swap,defi-mix" },
    block: { type: "string", default: "1000" },
    blocks: { type: "string", default: "20" },
    functions: { type: "string", default: "0" },
  },
});
const blockSize = Number(args.block);
const blocks = Number(args.blocks);
const topFunctions = Number(args.functions);

const WORKLOADS: Record<string, (block: number) => Workload> = {
  "token-transfer": (block) => tokenTransfers(1_000, block),
  "amm-swap": (block) => ammSwaps(10, block),
  lending: (block) => lendingActions(block),
  staking: (block) => stakingActions(block),
  "defi-mix": (block) => defiMix(block),
};

const LAYERS = [
  "contract wasm",
  "host calls",
  "VM frames",
  "state maps and keys",
  "Buffers and hex",
  "transaction",
  "GC",
  "other",
] as const;
type Layer = (typeof LAYERS)[number];

const VM_FRAMES = /\/src\/vm\/(vm|callContract|instancePool|memoryPool|moduleCache|frame|startSnapshot)\.js$/;
const HOST =
  /\/src\/vm\/(hostFunctions|memoryAccess|counters|verifiedSignatures)\.js$|@noble|\/src\/codec\/(hash|signatures)\.js$/;
const STATE = /\/src\/vm\/txState\.js$|\/src\/engine\/|\/src\/state\//;
const BUFFERS = /^node:buffer$|\/src\/codec\/bytes\.js$/;
const TRANSACTION = /\/src\/chain\/|\/src\/codec\/(abi|address)\.js$/;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

function layerOf(node: ProfileNode): Layer {
  const { functionName, url } = node.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  // The wrappers between contract and host, and the host's own accessor of the gas counter.
  if (
    functionName.startsWith("wasm-to-js") ||
    functionName.startsWith("js-to-wasm") ||
    functionName.startsWith(COUNTER_FUNCTION_PREFIX)
  )
    return "host calls";
  if (url.startsWith("wasm://")) return "contract wasm";
  if (VM_FRAMES.test(url)) return "VM frames";
  if (HOST.test(url)) return "host calls";
  if (STATE.test(url)) return "state maps and keys";
  if (BUFFERS.test(url) || functionName === "hexSlice" || functionName === "hexWrite")
    return "Buffers and hex";
  if (TRANSACTION.test(url)) return "transaction";
  return "other";
}

async function profileWorkload(
  session: Session,
  name: string,
  make: (block: number) => Workload,
): Promise<{ layers: Record<Layer, number>; functions: Array<[string, Layer, number]> }> {
  const w = make(blockSize);
  const block: BlockContext = BENCH_BLOCK;
  const executor = createChainExecutor(block);
  executeSequential(executor, w.pre, w.txs); // warm-up: compiled, pooled, optimised
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  for (let i = 0; i < blocks; i++) {
    const result = executeSequential(executor, w.pre, w.txs);
    if (result.receipts.length !== w.txs.length) throw new Error(`${name}: block cut short`);
  }
  const { profile } = await session.post("Profiler.stop");
  // Only samples taken while a block ran count (and the collector's, which has no stack):
  // starting the profiler and the loop around the blocks are not the transactions' time.
  const nodes = profile.nodes as ProfileNode[];
  const parent = new Map<number, ProfileNode>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node);
  const inBlock = (node: ProfileNode | undefined): boolean => {
    for (let n = node; n !== undefined; n = parent.get(n.id))
      if (n.callFrame.functionName === "executeSequential") return true;
    return false;
  };
  const layers = new Map<number, Layer>();
  for (const node of nodes) {
    const layer = layerOf(node);
    if (layer === "GC" || inBlock(node)) layers.set(node.id, layer);
  }
  const time = Object.fromEntries(LAYERS.map((l) => [l, 0])) as Record<Layer, number>;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const perFunction = new Map<string, [string, Layer, number]>();
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const layer = layers.get(samples[i] as number);
    if (layer === undefined) continue;
    const dt = deltas[i] ?? 0;
    time[layer] += dt;
    total += dt;
    const frame = (byId.get(samples[i] as number) as ProfileNode).callFrame;
    const where = frame.url.split("/").pop() ?? "";
    const key = `${frame.functionName || "(anonymous)"} ${where}`;
    const entry = perFunction.get(key) ?? [key, layer, 0];
    entry[2] += dt;
    perFunction.set(key, entry);
  }
  for (const l of LAYERS) time[l] = total === 0 ? 0 : (100 * time[l]) / total;
  const functions = [...perFunction.values()]
    .sort((a, b) => b[2] - a[2])
    .slice(0, topFunctions)
    .map(([key, layer, t]): [string, Layer, number] => [key, layer, total === 0 ? 0 : (100 * t) / total]);
  return { layers: time, functions };
}

const names = (args.workloads ?? "").split(",").filter((n) => n !== "");
for (const n of names) {
  if (WORKLOADS[n] === undefined) {
    console.error(`unknown workload ${n}\nusage: ${USAGE}`);
    process.exit(2);
  }
}
const session = new Session();
session.connect();
await session.post("Profiler.enable");
const results: Record<string, Record<Layer, number>> = {};
const functions: Record<string, Array<[string, Layer, number]>> = {};
for (const name of names) {
  const profiled = await profileWorkload(session, name, WORKLOADS[name] as (b: number) => Workload);
  results[name] = profiled.layers;
  functions[name] = profiled.functions;
}
session.disconnect();

console.log(`self time per layer, % of samples (sequential, blocks of ${blockSize}, ${blocks} blocks)`);
printTable(
  ["layer", ...names],
  LAYERS.map((l) => [l, ...names.map((n) => (results[n] as Record<Layer, number>)[l].toFixed(1))]),
);
for (const name of topFunctions > 0 ? names : []) {
  console.log(`\n${name}: the ${topFunctions} functions with the most self time, % of samples`);
  printTable(
    ["function", "layer", "%"],
    (functions[name] ?? []).map(([key, layer, share]) => [key, layer, share.toFixed(1)]),
  );
}
writeJson("bench/results/profile-layers.json", {
  machine: machineInfo(),
  blockSize,
  blocks,
  results,
  functions,
});
