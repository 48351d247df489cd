/**
 * Cost of the full chain database check (`weft db check`, `--check-db full`) against the
 * check every open does (the stored root node against the head's state root), and of the
 * page walk (`walkLmdbFile`: every page of the data file read with plain reads, before
 * LMDB maps it) in MB/s of wall time and of CPU time (the machine's other load shows in the
 * first only), with the roots-only walk every open does. A chain
 * database on disk gets a block 0 holding N balance-shaped state records (values 16-32
 * bytes) and their Merkle nodes; each run walks its pages (all, then the roots), opens it,
 * then times the root-only check and `checkChainDb` (medians over runs).
 *
 *   node dist/bench/dbCheck.js [--quick] [--runs 3]
 *
 * Full: N = 10k, 100k, 300k. `--quick`: N = 1k, 10k. Prints a table and writes
 * bench/results/dbCheck.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../src/codec/bytes.js";
import { openChainDb } from "../src/node/store/chainDb.js";
import { checkChainDb } from "../src/node/store/checkDb.js";
import { encodeBlock } from "../src/node/store/encodeBlock.js";
import { type BlockHeader, blockHash, hex, txRoot, ZERO_HASH } from "../src/node/store/records.js";
import { walkLmdbFile } from "../src/state/lmdbWalk.js";
import { MerkleTree } from "../src/state/merkle/index.js";
import type { WriteSet } from "../src/state/storage.js";
import { benchArgs } from "./lib/args.js";
import { createRng, machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/dbCheck.js [--quick] [--runs 3]", {
  options: { quick: { type: "boolean", default: false }, runs: { type: "string", default: "3" } },
});
const quick = args.quick === true;
const runs = Number(args.runs);
const sizes = quick ? [1_000, 10_000] : [10_000, 100_000, 300_000];

const rng = createRng(20_261_206);
const randomBytes = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rng() * 256);
  return out;
};

/** Writes block 0 with `n` random balance records into a new chain database in `dir`. */
async function buildDb(dir: string, n: number): Promise<void> {
  const db = openChainDb(dir);
  const writes: WriteSet = new Map();
  while (writes.size < n) writes.set(`01${toHex(randomBytes(20))}`, randomBytes(16 + Math.floor(rng() * 17)));
  const update = new MerkleTree(db.merkle).update(writes);
  const fields: Omit<BlockHeader, "hash"> = {
    number: 0,
    parentHash: ZERO_HASH,
    time: 0,
    chainId: "1337",
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    stateRoot: hex(update.root),
    txRoot: txRoot([]),
    receiptsRoot: ZERO_HASH,
    gasUsed: 0,
    gasLimit: 1_000_000_000,
    txCount: 0,
  };
  const header = { ...fields, hash: blockHash(fields) };
  db.stageBlock(
    encodeBlock({
      block: { header, txHashes: [] },
      rawTxs: [],
      receipts: [],
      merkleWrites: update.nodeWrites,
      meta: { genesis: { chainId: "1337" } },
    }),
  );
  db.state.commit(writes);
  await db.close();
}

const rows: Array<Array<string | number>> = [];
const results: Array<Record<string, number>> = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-dbcheck-"));
  try {
    await buildDb(dir, n);
    const rootOnly: number[] = [];
    const full: number[] = [];
    const walkFull: number[] = [];
    const walkRoots: number[] = [];
    const walkCpu: number[] = [];
    let nodes = 0;
    let walkedMb = 0;
    for (let run = 0; run < runs; run++) {
      let t = performance.now();
      const cpu = process.cpuUsage();
      const walk = walkLmdbFile(dir);
      walkFull.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      walkCpu.push((used.user + used.system) / 1000);
      walkedMb = (walk.pages * walk.pageSize) / 1024 ** 2;
      t = performance.now();
      walkLmdbFile(dir, { depth: "roots" });
      walkRoots.push(performance.now() - t);
      const db = openChainDb(dir, { walk: "none" });
      try {
        t = performance.now();
        const ok = hex(new MerkleTree(db.merkle).root()) === db.head()?.stateRoot;
        rootOnly.push(performance.now() - t);
        t = performance.now();
        const report = checkChainDb(db);
        full.push(performance.now() - t);
        if (!ok || !report.ok)
          throw new Error(`the database of ${n} records does not pass: ${report.problems[0]}`);
        nodes = report.checked.merkleNodes;
      } finally {
        await db.close();
      }
    }
    const fullMs = median(full);
    const rootMs = median(rootOnly);
    const walkMs = median(walkFull);
    const walkRootsMs = median(walkRoots);
    const walkCpuMs = median(walkCpu);
    results.push({
      stateRecords: n,
      merkleNodes: nodes,
      rootOnlyMs: rootMs,
      fullMs,
      usPerRecord: (fullMs * 1000) / n,
      pagesMb: walkedMb,
      pageWalkMs: walkMs,
      pageWalkMbPerS: walkedMb / (walkMs / 1000),
      pageWalkCpuMs: walkCpuMs,
      pageWalkMbPerCpuS: walkedMb / (walkCpuMs / 1000),
      rootsWalkMs: walkRootsMs,
    });
    rows.push([
      n,
      nodes,
      rootMs.toFixed(2),
      fullMs.toFixed(0),
      ((fullMs * 1000) / n).toFixed(1),
      walkedMb.toFixed(1),
      walkMs.toFixed(1),
      (walkedMb / (walkMs / 1000)).toFixed(0),
      (walkedMb / (walkCpuMs / 1000)).toFixed(0),
      walkRootsMs.toFixed(2),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
printTable(
  [
    "state records",
    "merkle nodes",
    "open check ms",
    "full check ms",
    "µs/record",
    "pages MB",
    "page walk ms",
    "walk MB/s",
    "walk MB/cpu-s",
    "roots walk ms",
  ],
  rows,
);
writeJson("bench/results/dbCheck.json", { machine: machineInfo(), runs, results });
