/**
 * What keeping recent blocks' states costs (`node/store/stateHistory.ts`): blocks of
 * ERC-20-transfer-like write sets (per transaction: the sender's nonce and coin balance, the
 * token's balance slots of sender and recipient; plus the fee recipient's balance once) are
 * committed to two LMDB environments, interleaved block by block: the state alone (as before),
 * and the state with the block's change set recorded and the window pruned (`--keep` blocks).
 * Then reads at a block `--keep / 2` back against reads at the head.
 *
 *   node dist/bench/stateHistory.js [--txs 1000] [--blocks 300] [--keep 128]
 *
 * CPU time of this thread; prints a table, writes bench/results/stateHistory.json.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, open } from "lmdb";
import { type HistoryDbs, readableFrom, recordHistory, valueAt } from "../src/node/store/stateHistory.js";
import type { WriteSet } from "../src/state/storage.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/stateHistory.js [--txs 1000] [--blocks 300] [--keep 128]", {
  options: {
    txs: { type: "string", default: "1000" },
    blocks: { type: "string", default: "300" },
    keep: { type: "string", default: "128" },
  },
});
const txs = Number(args.txs);
const blocks = Number(args.blocks);
const keep = Number(args.keep);
for (const [name, v] of [
  ["txs", txs],
  ["blocks", blocks],
  ["keep", keep],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
}

type Bin = Database<Uint8Array, Uint8Array>;
const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, "0");
const cpuUs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return used.user + used.system;
};

function environment(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `weft-history-${name}-`));
  const env = open<Uint8Array, Uint8Array>({
    path: dir,
    maxDbs: 8,
    keyEncoding: "binary",
    encoding: "binary",
    mapSize: 16 * 1024 ** 3,
  });
  const sub = (n: string) => env.openDB({ name: n, keyEncoding: "binary", encoding: "binary" }) as Bin;
  const dbs: HistoryDbs = {
    state: sub("state"),
    history: sub("changeSets"),
    historyBlocks: sub("changeSetBlocks"),
    meta: sub("meta"),
  };
  return { dir, env, dbs };
}
const plain = environment("plain");
const kept = environment("kept");

const accounts = 4096;
const TOKEN = "ab".repeat(20);
/** Block `n`'s write set: `txs` transfers from rotating senders to fresh and returning recipients. */
function writeSet(n: number): WriteSet {
  const writes: WriteSet = new Map();
  const word = (v: number, bytes: number) => Buffer.from(hex(v, bytes), "hex");
  for (let i = 0; i < txs; i++) {
    const sender = (n * txs + i) % accounts;
    const recipient = (n * 7919 + i * 104729) % (accounts * 4);
    writes.set(`05${hex(sender, 20)}${hex(0, 8)}`, word(n + 1, 8));
    writes.set(`01${hex(sender, 20)}`, word(10 ** 9 - n, 16));
    writes.set(`08${TOKEN}${hex(sender, 32)}`, word(10 ** 6 - n, 12));
    writes.set(`08${TOKEN}${hex(0x100000 + recipient, 32)}`, word(n * 1000 + i, 12));
  }
  writes.set(`01${"fe".repeat(20)}`, word(n * txs, 16));
  return writes;
}

function commit(
  side: typeof plain,
  n: number,
  writes: WriteSet,
  history: boolean,
): { us: number; bytes: number } {
  const from = process.cpuUsage();
  let bytes = 0;
  side.env.transactionSync(() => {
    if (history) bytes = recordHistory(side.dbs, n, writes, keep);
    for (const [k, v] of writes) {
      const key = Buffer.from(k, "hex");
      if (v === null) side.dbs.state.removeSync(key);
      else side.dbs.state.putSync(key, v);
    }
  });
  return { us: cpuUs(from), bytes };
}

const samples = { plain: [] as number[], kept: [] as number[], bytes: [] as number[], keys: [] as number[] };
for (let n = 0; n <= blocks; n++) {
  const writes = writeSet(n);
  const first = n % 2 === 0;
  const a = first ? commit(plain, n, writes, false) : commit(kept, n, writes, true);
  const b = first ? commit(kept, n, writes, true) : commit(plain, n, writes, false);
  // Measured once the window is full (every commit then also prunes a block).
  if (n <= keep) continue;
  samples.plain.push(first ? a.us : b.us);
  const k = first ? b : a;
  samples.kept.push(k.us);
  samples.bytes.push(k.bytes);
  samples.keys.push(writes.size);
}

// Reads: the keys of a block `keep / 2` back, at that block and at the head.
const head = blocks;
const back = head - Math.floor(keep / 2);
if (readableFrom(kept.dbs, head) > back) throw new Error("the block read is not kept: a bug in the history");
const readKeys = [...writeSet(back).keys()];
const headRead = (k: string) => {
  const v = kept.dbs.state.getBinary(Buffer.from(k, "hex"));
  return v === undefined ? undefined : Uint8Array.from(v);
};
const readsHead: number[] = [];
const readsBack: number[] = [];
for (let round = 0; round < 7; round++) {
  let from = process.cpuUsage();
  for (const k of readKeys) headRead(k);
  readsHead.push(cpuUs(from) / readKeys.length);
  from = process.cpuUsage();
  for (const k of readKeys) valueAt(kept.dbs, k, back, head, headRead);
  readsBack.push(cpuUs(from) / readKeys.length);
}

await plain.env.close();
await kept.env.close();
const fileBytes = (dir: string) => statSync(join(dir, "data.mdb")).size;
const plainFile = fileBytes(plain.dir);
const keptFile = fileBytes(kept.dir);
rmSync(plain.dir, { recursive: true, force: true });
rmSync(kept.dir, { recursive: true, force: true });

const perBlockPlain = median(samples.plain);
const perBlockKept = median(samples.kept);
const keys = median(samples.keys);
const result = {
  txs,
  blocks,
  keep,
  keysPerBlock: keys,
  commitUsPlain: perBlockPlain,
  commitUsKept: perBlockKept,
  historyUsPerBlock: perBlockKept - perBlockPlain,
  historyUsPerKey: (perBlockKept - perBlockPlain) / keys,
  historyBytesPerBlock: median(samples.bytes),
  historyBytesPerKey: median(samples.bytes) / keys,
  dataFileBytesPlain: plainFile,
  dataFileBytesKept: keptFile,
  readUsHead: median(readsHead),
  readUsBack: median(readsBack),
};
printTable(
  ["measure", "value"],
  [
    ["changed keys per block", keys],
    ["commit, state only (µs/block)", perBlockPlain.toFixed(0)],
    ["commit with history + pruning (µs/block)", perBlockKept.toFixed(0)],
    [
      "history cost (µs/block, µs/key)",
      `${result.historyUsPerBlock.toFixed(0)}, ${result.historyUsPerKey.toFixed(2)}`,
    ],
    [
      "history records (bytes/block, bytes/key)",
      `${result.historyBytesPerBlock}, ${result.historyBytesPerKey.toFixed(1)}`,
    ],
    [
      `data file after ${blocks} blocks (state only → with ${keep} kept)`,
      `${(plainFile / 2 ** 20).toFixed(1)} → ${(keptFile / 2 ** 20).toFixed(1)} MiB`,
    ],
    [
      `read (µs/key): head → ${head - back} blocks back`,
      `${result.readUsHead.toFixed(2)} → ${result.readUsBack.toFixed(2)}`,
    ],
  ],
);
writeJson("bench/results/stateHistory.json", { machine: machineInfo(), ...result });
