/**
 * State Merkle tree cost: build a tree of N balance-shaped keys, then apply blocks of
 * random writes (75% updates of existing keys, 25% inserts of new keys, values 16–32
 * bytes) and time `MerkleTree.update` alone (node writes are applied to the memory store
 * between blocks, outside the timing).
 *
 *   node dist/bench/merkle.js [--quick] [--runs 5]
 *
 * Full: N = 10k, 100k, 1M; blocks of 1,000 and 10,000. `--quick`: N = 1k, 10k; blocks of
 * 100 and 1,000. Prints a table, writes bench/results/merkle.json and merkle.svg (µs per
 * write against N).
 */
import { toHex } from "../src/codec/bytes.js";
import { MemoryNodeStore, MerkleTree, verifyProof } from "../src/state/merkle/index.js";
import type { WriteSet } from "../src/state/storage.js";
import { benchArgs } from "./lib/args.js";
import { lineChartSvg, writeSvg } from "./lib/plot.js";
import { createRng, machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/merkle.js [--quick] [--runs 5]", {
  options: { quick: { type: "boolean", default: false }, runs: { type: "string", default: "5" } },
});
const quick = args.quick === true;
const runs = Number(args.runs);
const sizes = quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000];
const blockSizes = quick ? [100, 1_000] : [1_000, 10_000];
const UPDATE_SHARE = 0.75;

const rng = createRng(20_251_125);
const randomBytes = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rng() * 256);
  return out;
};
const randomValue = (): Uint8Array => randomBytes(16 + Math.floor(rng() * 17));
const randomBalanceKey = (): string => `01${toHex(randomBytes(20))}`;

interface Row {
  keys: number;
  block: number;
  hashesPerWrite: number;
  nodeHashesPerWrite: number;
  nodeWritesPerBlock: number;
  msPerBlock: number;
  usPerWrite: number;
}

interface Built {
  tree: MerkleTree;
  store: MemoryNodeStore;
  keys: string[];
  buildMs: number;
  lastBlock?: WriteSet;
}

/** Builds a tree of `n` keys in one batch and commits it to a memory store. */
function build(n: number): Built {
  const keys: string[] = [];
  const writes: WriteSet = new Map();
  while (writes.size < n) {
    const key = randomBalanceKey();
    writes.set(key, randomValue());
    keys.push(key);
  }
  const store = new MemoryNodeStore();
  const tree = new MerkleTree(store);
  const start = performance.now();
  const result = tree.update(writes);
  const buildMs = performance.now() - start;
  store.apply(result.nodeWrites);
  tree.commit(result);
  return { tree, store, keys, buildMs };
}

/** A block of `size` writes: updates of existing keys and inserts of new ones. */
function randomBlock(keys: string[], size: number): WriteSet {
  const writes: WriteSet = new Map();
  while (writes.size < size) {
    if (rng() < UPDATE_SHARE) {
      writes.set(keys[Math.floor(rng() * keys.length)] as string, randomValue());
    } else {
      const key = randomBalanceKey();
      writes.set(key, randomValue());
      keys.push(key);
    }
  }
  return writes;
}

/** Sanity check: a key of the last block proves its value, a fresh key proves absence. */
function checkProofs(built: Built): void {
  const [key, value] = [...(built.lastBlock ?? [])][0] ?? [];
  const root = built.tree.root();
  if (
    key === undefined ||
    !(value instanceof Uint8Array) ||
    !verifyProof(root, key, value, built.tree.prove(key))
  ) {
    throw new Error("inclusion proof of a written key does not verify");
  }
  const absent = randomBalanceKey();
  if (!verifyProof(root, absent, undefined, built.tree.prove(absent))) {
    throw new Error("absence proof of a fresh key does not verify");
  }
}

/** Applies `runs` + 1 blocks (the first one warms up and is not counted); medians per block. */
function measure(built: Built, block: number): Row {
  const times: number[] = [];
  const hashes: number[] = [];
  const nodeHashes: number[] = [];
  const nodeWrites: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    const writes = randomBlock(built.keys, block);
    built.lastBlock = writes;
    const start = performance.now();
    const result = built.tree.update(writes);
    const ms = performance.now() - start;
    built.store.apply(result.nodeWrites);
    built.tree.commit(result);
    if (r === 0) continue;
    times.push(ms);
    hashes.push(result.hashes);
    nodeHashes.push(result.nodeHashes);
    nodeWrites.push(result.nodeWrites.size);
  }
  const ms = median(times);
  return {
    keys: 0,
    block,
    hashesPerWrite: Math.round((median(hashes) / block) * 100) / 100,
    nodeHashesPerWrite: Math.round((median(nodeHashes) / block) * 100) / 100,
    nodeWritesPerBlock: median(nodeWrites),
    msPerBlock: Math.round(ms * 10) / 10,
    usPerWrite: Math.round(((ms * 1000) / block) * 10) / 10,
  };
}

console.log(
  `merkle benchmark: N = ${sizes.join(", ")}; blocks of ${blockSizes.join(", ")}; ` +
    `${UPDATE_SHARE * 100}% updates; median of ${runs}`,
);
const rows: Row[] = [];
const builds: Array<{ keys: number; buildMs: number; usPerKey: number; nodes: number }> = [];
for (const n of sizes) {
  const built = build(n);
  builds.push({
    keys: n,
    buildMs: Math.round(built.buildMs),
    usPerKey: Math.round(((built.buildMs * 1000) / n) * 10) / 10,
    nodes: built.store.size,
  });
  for (const block of blockSizes) rows.push({ ...measure(built, block), keys: n });
  checkProofs(built);
}

printTable(
  ["keys", "block", "hashes/write", "node hashes/write", "node writes/block", "ms/block", "µs/write"],
  rows.map((r) => [
    r.keys.toLocaleString("en-US"),
    r.block.toLocaleString("en-US"),
    r.hashesPerWrite,
    r.nodeHashesPerWrite,
    r.nodeWritesPerBlock,
    r.msPerBlock,
    r.usPerWrite,
  ]),
);
console.log("\nbuild from scratch (one batch):");
printTable(
  ["keys", "ms", "µs/key", "stored nodes"],
  builds.map((b) => [b.keys.toLocaleString("en-US"), b.buildMs, b.usPerKey, b.nodes]),
);
writeJson("bench/results/merkle.json", {
  machine: machineInfo(),
  params: { quick, runs, sizes, blockSizes, updateShare: UPDATE_SHARE, hash: "sha256 (node:crypto)" },
  rows,
  builds,
});
writeSvg(
  "bench/results/merkle.svg",
  lineChartSvg(
    `Merkle update cost, ${UPDATE_SHARE * 100}% updates (median of ${runs})`,
    "keys in the tree",
    "µs per write",
    blockSizes.map((block) => ({
      label: `blocks of ${block.toLocaleString("en-US")}`,
      points: rows.filter((r) => r.block === block).map((r) => ({ x: r.keys, y: r.usPerWrite })),
    })),
  ),
);
console.log("wrote bench/results/merkle.svg");
