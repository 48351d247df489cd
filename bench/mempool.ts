/**
 * Mempool operation costs on a full pool: filling it (add), selecting a block (ready),
 * removing the block's transactions (removeIncluded), dropping stale ones after the chain
 * moves (dropStale), a TTL sweep that drops nothing (prune), and adds into a full pool that
 * each evict the cheapest queue tail.
 *
 *   node dist/bench/mempool.js [--txs 50000] [--senders 5000] [--select 10000] [--runs 5]
 *
 * Prints a table and writes bench/results/mempool.json. Each run builds a fresh pool from
 * the same seeded workload; the first run is a discarded warm-up, the medians of the rest
 * are reported.
 */
import { Mempool, type NextSequence, type PoolTx } from "../src/node/mempool/index.js";
import { benchArgs } from "./lib/args.js";
import { createRng, machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node dist/bench/mempool.js [--txs 50000] [--senders 5000] [--select 10000] [--runs 5]",
  {
    options: {
      txs: { type: "string", default: "50000" },
      senders: { type: "string", default: "5000" },
      select: { type: "string", default: "10000" },
      runs: { type: "string", default: "5" },
    },
  },
);
const txCount = Number(args.txs);
const senders = Number(args.senders);
const select = Number(args.select);
const runs = Number(args.runs);
const extra = Math.min(5_000, txCount);

type Tx = null;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * `txCount` transactions over `senders` senders; every third sender uses two nonce keys.
 * Prices 1..1000, gas 21k..200k, sizes 100..400 bytes; added in shuffled order (sequence
 * gaps are transient and within maxNonceGap).
 */
function workload(seed: number, count: number, tag: number, priceBase: number): PoolTx<Tx>[] {
  const rng = createRng(seed);
  const perSender = Math.ceil(txCount / senders); // `base` sequences stay below this
  const txs: PoolTx<Tx>[] = [];
  for (let i = 0; i < count; i++) {
    const s = i % senders;
    const k = Math.floor(i / senders);
    const twoKeys = s % 3 === 0;
    const nonceKey = twoKeys ? BigInt(k % 2) : 0n;
    const sequence = BigInt(twoKeys ? k >> 1 : k) + BigInt(tag === 0 ? 0 : perSender);
    txs.push({
      hash: `0x${hex(tag, 2)}${hex(i, 62)}`,
      sender: `0x${hex(s, 40)}`,
      nonceKey,
      sequence,
      price: BigInt(priceBase + 1 + Math.floor(rng() * 1000)),
      gasLimit: 21_000 + Math.floor(rng() * 179_000),
      size: 100 + Math.floor(rng() * 300),
      tx: null,
      receivedAt: i,
    });
  }
  for (let i = txs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [txs[i], txs[j]] = [txs[j] as PoolTx<Tx>, txs[i] as PoolTx<Tx>];
  }
  return txs;
}

interface Row {
  operation: string;
  ops: number;
  medianMs: number;
  usPerOp: number;
  opsPerSecond: number;
}

const base = workload(1, txCount, 0, 0);
const more = workload(2, extra, 1, 1000); // pays more than anything in `base`: always evicts
const samples = new Map<string, { ops: number; ms: number[] }>();

function time(name: string, ops: number, fn: () => void, keep: boolean): void {
  const start = performance.now();
  fn();
  const ms = performance.now() - start;
  if (!keep) return;
  const entry = samples.get(name) ?? { ops, ms: [] };
  entry.ms.push(ms);
  samples.set(name, entry);
}

for (let r = 0; r < runs + 1; r++) {
  const keep = r > 0;
  const pool = new Mempool<Tx>({ maxTransactions: txCount });
  const chainNext = new Map<string, bigint>();
  const next: NextSequence = (sender, key) => chainNext.get(`${sender}/${key}`) ?? 0n;
  time(
    `add (fill to ${txCount})`,
    base.length,
    () => {
      for (const tx of base) pool.add(tx, 0n);
    },
    keep,
  );
  if (pool.size !== txCount) throw new Error(`pool holds ${pool.size}, expected ${txCount}`);

  let block: PoolTx<Tx>[] = [];
  time(
    `ready (${select} of ${txCount})`,
    select,
    () => {
      block = pool.ready(next, { maxGas: Number.MAX_SAFE_INTEGER, maxCount: select });
    },
    keep,
  );
  if (block.length !== select) throw new Error(`ready selected ${block.length}, expected ${select}`);

  time(
    `removeIncluded (${select})`,
    select,
    () => {
      pool.removeIncluded(block.map((t) => t.hash));
    },
    keep,
  );
  for (const t of block) chainNext.set(`${t.sender}/${t.nonceKey}`, t.sequence + 1n);

  // Another node's block used the next sequence of every fifth sender's key 0.
  for (let s = 0; s < senders; s += 5) {
    const key = `0x${hex(s, 40)}/0`;
    chainNext.set(key, (chainNext.get(key) ?? 0n) + 1n);
  }
  let stale = 0;
  time(
    `dropStale (scan ${pool.size})`,
    pool.size,
    () => {
      stale = pool.dropStale(next).length;
    },
    keep,
  );
  if (stale === 0) throw new Error("dropStale dropped nothing");

  time(
    `prune (scan ${pool.size}, none expired)`,
    pool.size,
    () => {
      pool.prune(txCount);
    },
    keep,
  );

  // A second pool filled to the limit: every further add evicts one cheap tail.
  const full = new Mempool<Tx>({ maxTransactions: txCount });
  for (const tx of base) full.add(tx, 0n);
  let evicted = 0;
  time(
    `add to full pool (evicts)`,
    more.length,
    () => {
      for (const tx of more) {
        evicted += full.add(tx, 0n).evicted.length;
      }
    },
    keep,
  );
  if (evicted !== more.length)
    throw new Error(`${evicted} evictions for ${more.length} adds into the full pool`);
}

const rows: Row[] = [...samples].map(([operation, { ops, ms }]) => {
  const m = median(ms);
  return {
    operation,
    ops,
    medianMs: Math.round(m * 100) / 100,
    usPerOp: Math.round(((m * 1000) / ops) * 100) / 100,
    opsPerSecond: Math.round(ops / (m / 1000)),
  };
});

console.log(`mempool benchmark: ${txCount} txs over ${senders} senders, median of ${runs} runs`);
printTable(
  ["operation", "ops", "median ms", "µs/op", "ops/s"],
  rows.map((r) => [r.operation, r.ops, r.medianMs, r.usPerOp, r.opsPerSecond]),
);
writeJson("bench/results/mempool.json", {
  machine: machineInfo(),
  params: { txs: txCount, senders, select, runs },
  rows,
});
