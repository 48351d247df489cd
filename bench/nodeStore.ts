/**
 * Two of the node's store costs, each measured both ways in one process, interleaved round
 * by round (so a machine other work shares slows both sides alike), CPU time of this thread:
 *
 * - **State reads**: the reads of a block of WUSD-transfer-like transactions (per
 *   transaction: 8 reads of keys every block touches, such as the senders' nonces, the
 *   token's code and balances, and 2 of keys no block wrote before, a new recipient's)
 *   through `lmdbStorage` without and with its value cache (`state/valueCache.ts`).
 * - **Index records**: one block's log and account index written to LMDB inside a
 *   transaction, as one key per entry (the layout before) or one record per key and
 *   block (`node/store/indexGroups.ts`), for the logs and parties of WUSD transfers
 *   (one Transfer log with 3 topics; parties: the sender and the token).
 *
 *   node dist/bench/nodeStore.js [--txs 3000] [--rounds 7] [--accounts 256]
 *
 * Prints a table, writes bench/results/nodeStore.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { addressToBytes } from "../src/codec/address.js";
import { fromHex } from "../src/codec/bytes.js";
import { accountIndexRecords } from "../src/node/store/accountIndex.js";
import { addLogEntries } from "../src/node/store/encodeBlock.js";
import { IndexGroups } from "../src/node/store/indexGroups.js";
import type { LogJson } from "../src/node/store/records.js";
import { lmdbStorage } from "../src/state/lmdbStore.js";
import type { WriteSet } from "../src/state/storage.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/nodeStore.js [--txs 3000] [--rounds 7] [--accounts 256]", {
  options: {
    txs: { type: "string", default: "3000" },
    rounds: { type: "string", default: "7" },
    accounts: { type: "string", default: "256" },
  },
});
const txs = Number(args.txs);
const rounds = Number(args.rounds);
const accounts = Number(args.accounts);
for (const [name, v] of [
  ["txs", txs],
  ["rounds", rounds],
  ["accounts", accounts],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
}

const dir = mkdtempSync(join(tmpdir(), "weft-nodestore-"));
const env = open<Uint8Array, Uint8Array>({
  path: dir,
  maxDbs: 8,
  keyEncoding: "binary",
  encoding: "binary",
  mapSize: 8 * 1024 ** 3,
});
const sub = (name: string) => env.openDB({ name, keyEncoding: "binary", encoding: "binary" });
const cpuUs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return used.user + used.system;
};
const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, "0");

// --- State reads ---------------------------------------------------------------------------
const stateDb = sub("state");
const cached = lmdbStorage(stateDb, "cached", { cacheEntries: 100_000 });
const plain = lmdbStorage(stateDb, "plain");
/** Keys every block reads: 256 senders' nonces and balances, the token's code hash and 4 slots. */
const hot: string[] = [];
for (let a = 0; a < accounts; a++) hot.push(`05${hex(a, 20)}00`, `01${hex(a, 20)}`);
for (let s = 0; s < 4; s++) hot.push(`03${"ab".repeat(20)}${hex(s, 32)}`);
hot.push(`02${"ab".repeat(20)}`);
// Committed through the cached store, as the node commits through its own handle.
const genesis: WriteSet = new Map(hot.map((k) => [k, new Uint8Array(16).fill(1)]));
for (let i = 0; i < 50_000; i++) genesis.set(`01${hex(0x100000 + i, 20)}`, new Uint8Array(16).fill(2));
cached.commit(genesis);

/** CPU µs per transaction of one block's reads through `store` (recipients of round `round`). */
function readBlock(store: typeof plain, round: number, side: number): number {
  const from = process.cpuUsage();
  for (let i = 0; i < txs; i++) {
    for (let r = 0; r < 8; r++) store.get(hot[(i * 8 + r * 37) % hot.length] as string);
    const fresh = `01${hex(0x9000000 + (round * 2 + side) * txs + i, 20)}`;
    store.get(fresh);
    store.get(fresh);
  }
  return cpuUs(from) / txs;
}

// --- Index records ---------------------------------------------------------------------------
const TOKEN = `0x${"ab".repeat(20)}` as const;
const TRANSFER = `0x${"dd".repeat(32)}`;
const logs: LogJson[] = [];
const parties: string[][] = [];
for (let i = 0; i < txs; i++) {
  const from = `0x${hex(i % accounts, 20)}` as const;
  const to = `0x${hex(0x2000000 + i, 20)}`;
  logs.push({
    address: TOKEN,
    topics: [TRANSFER, `0x${"00".repeat(12)}${from.slice(2)}`, `0x${"00".repeat(12)}${to.slice(2)}`],
    data: "0x01",
    blockNumber: 1,
    txHash: `0x${"00".repeat(32)}`,
    txIndex: i,
    logIndex: 0,
  });
  parties.push([from, TOKEN]);
}
const indexDbs = { address: sub("logsByAddress"), topic: sub("logsByTopic"), account: sub("txsByAccount") };
type Put = [Uint8Array, Uint8Array];
/** One block's index records (grouped), built as the node builds them. */
function grouped(block: number): { address: Put[]; topic: Put[]; account: Put[] } {
  const byAddress = new IndexGroups(2);
  const byTopic = new IndexGroups(2);
  for (const log of logs) addLogEntries(byAddress, byTopic, log);
  return {
    address: byAddress.records(block),
    topic: byTopic.records(block),
    account: accountIndexRecords(block, parties),
  };
}
/** The same entries as one key each, built as the node built them before: key ‖ block ‖ position, empty value. */
function perEntry(block: number): { address: Put[]; topic: Put[]; account: Put[] } {
  const empty = new Uint8Array(0);
  const key = (prefix: Uint8Array, ...words: number[]): Put => {
    const k = new Uint8Array(prefix.length + 8 + 4 * words.length);
    k.set(prefix);
    const view = new DataView(k.buffer);
    view.setBigUint64(prefix.length, BigInt(block));
    for (const [j, w] of words.entries()) view.setUint32(prefix.length + 8 + 4 * j, w);
    return [k, empty];
  };
  const out = { address: [] as Put[], topic: [] as Put[], account: [] as Put[] };
  for (const log of logs) {
    out.address.push(key(addressToBytes(log.address), log.txIndex, log.logIndex));
    for (const topic of log.topics) out.topic.push(key(fromHex(topic.slice(2)), log.txIndex, log.logIndex));
  }
  parties.forEach((who, i) => {
    for (const address of who) out.account.push(key(addressToBytes(address as `0x${string}`), i));
  });
  return out;
}
let block = 1;
const counts = { perEntry: 0, grouped: 0 };
/** CPU µs per transaction of building and writing one block's index (the LMDB commit included). */
function writeIndex(layout: "perEntry" | "grouped"): number {
  const n = block++;
  const from = process.cpuUsage();
  const puts = layout === "grouped" ? grouped(n) : perEntry(n);
  env.transactionSync(() => {
    for (const [key, value] of puts.address) indexDbs.address.putSync(key, value);
    for (const [key, value] of puts.topic) indexDbs.topic.putSync(key, value);
    for (const [key, value] of puts.account) indexDbs.account.putSync(key, value);
  });
  counts[layout] = puts.address.length + puts.topic.length + puts.account.length;
  return cpuUs(from) / txs;
}

const samples = {
  readsPlain: [] as number[],
  readsCached: [] as number[],
  perEntry: [] as number[],
  grouped: [] as number[],
};
for (let round = 0; round <= rounds; round++) {
  // Alternate which side goes first.
  const first = round % 2 === 0;
  const a = first ? readBlock(plain, round, 0) : readBlock(cached, round, 1);
  const b = first ? readBlock(cached, round, 1) : readBlock(plain, round, 0);
  const c = first ? writeIndex("perEntry") : writeIndex("grouped");
  const d = first ? writeIndex("grouped") : writeIndex("perEntry");
  if (round === 0) continue; // warm-up
  samples.readsPlain.push(first ? a : b);
  samples.readsCached.push(first ? b : a);
  samples.perEntry.push(first ? c : d);
  samples.grouped.push(first ? d : c);
}
cached.close();
await env.close();
rmSync(dir, { recursive: true, force: true });

const row = (what: string, before: number[], after: number[], note: string) => {
  const b = median(before);
  const a = median(after);
  return { what, beforeUs: b, afterUs: a, ratio: a / b, note };
};
const rows = [
  row(
    "state reads, 10 per tx (LMDB → value cache)",
    samples.readsPlain,
    samples.readsCached,
    "80% of reads hot",
  ),
  row(
    "log and account index (one key per entry → per key and block)",
    samples.perEntry,
    samples.grouped,
    `${counts.perEntry} → ${counts.grouped} records per block`,
  ),
];
console.log(
  `node store costs: blocks of ${txs} WUSD-like transfers from ${accounts} senders, CPU µs per transaction, medians of ${rounds} interleaved rounds`,
);
printTable(
  ["what", "before", "after", "after/before", ""],
  rows.map((r) => [r.what, r.beforeUs.toFixed(2), r.afterUs.toFixed(2), r.ratio.toFixed(2), r.note]),
);
writeJson("bench/results/nodeStore.json", {
  machine: machineInfo(),
  params: { txs, rounds, accounts },
  rows,
  samples,
  records: counts,
});
