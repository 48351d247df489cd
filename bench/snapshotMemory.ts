/**
 * What state sync costs in memory, on both sides.
 *
 * The server: what a state-sync snapshot costs a serving node in memory: the in-memory index
 * (`SubtreeIndex`, how snapshots were served until session 14) against the file spooled to
 * disk (`spoolSnapshot`, `node/stateSyncServe.ts` now). Workload: an LMDB state of `--entries`
 * entries (34-byte keys, values of 100-300 random bytes, as storage slots and balances),
 * written once; then each mode in a process of its own (`--expose-gc`) opens the store,
 * builds the snapshot of it, answers a walk of summaries to depth 8 and the entries of 64
 * subtrees, and reports: the heap still used with the snapshot held (after GC), the peak
 * resident set (`maxRSS`) over the run, the same peak of a process that only opens the store
 * and scans it, and the build's wall time. Both roots are checked equal.
 *
 *
 * The client (a node joining): the same state arriving in verified parts of ~4 MiB (as
 * `streamState` hands them) and installed into a chain database holding its genesis: held in
 * memory until the install (`memory`: the parts' entries, the write set and `MerkleTree.update`'s
 * node writes, written in one transaction, which is how the client did it until session 15)
 * against spooled to disk and installed bucket by bucket (`spool`, `node/stateSyncSpool.ts`). Each
 * reports the heap in use at the install's start (no GC: what the process holds then), the peak
 * resident set, the time from the first part to the install's commit; the installed head's state
 * root is checked against the state's.
 *
 *   node dist/bench/snapshotMemory.js [--entries 500000] [--runs 1]
 *
 * Prints a table, writes bench/results/snapshot-memory.json and .svg.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex } from "../src/codec/bytes.js";
import { seededRandom } from "../src/codec/seededRandom.js";
import { commitGenesis } from "../src/node/chainNode.js";
import { installSpool, StateSyncSpool } from "../src/node/stateSyncSpool.js";
import { openChainDb } from "../src/node/store/chainDb.js";
import { encodeBlock } from "../src/node/store/encodeBlock.js";
import { type BlockHeader, type Hex, hex } from "../src/node/store/records.js";
import { openLmdbStore } from "../src/state/lmdbStore.js";
import { MerkleTree } from "../src/state/merkle/index.js";
import { stateRootFrom } from "../src/state/merkle/rootFromState.js";
import type { SnapshotEntry } from "../src/state/merkle/snapshot.js";
import { buildSnapshot } from "../src/state/merkle/snapshot.js";
import { spoolSnapshot } from "../src/state/merkle/spoolSnapshot.js";
import { childPrefix, ROOT_PREFIX, type SubtreeSource } from "../src/state/merkle/subtrees.js";
import type { WriteSet } from "../src/state/storage.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

type Mode = "scan" | "memory" | "spool";
type ClientMode = "client-memory" | "client-spool";

interface ChildFigures {
  mode: Mode | ClientMode;
  heldHeapMb: number;
  maxRssMb: number;
  buildMs: number;
  root: string;
  walked: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** In a child: open the store, build a snapshot in `mode`, use it, report. */
async function child(mode: Mode, storeDir: string, spoolDir: string): Promise<void> {
  const store = openLmdbStore(storeDir);
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  let root = "";
  let index: SubtreeSource | undefined;
  let held: unknown;
  if (mode === "scan") {
    let n = 0;
    for (const _ of store.iterate("")) n++;
    root = String(n);
  } else if (mode === "memory") {
    const snapshot = buildSnapshot(store.iterate(""));
    root = toHex(snapshot.root);
    index = snapshot.index;
    held = snapshot;
  } else {
    const snapshot = await spoolSnapshot(store.iterate(""), { dir: spoolDir, height: 1 });
    if (snapshot === undefined) throw new Error("spool cancelled");
    root = toHex(snapshot.root);
    index = snapshot;
    held = snapshot;
  }
  const buildMs = performance.now() - t0;
  let walked = 0;
  if (index !== undefined) {
    const top = index.summaries(ROOT_PREFIX, 8);
    walked += top.length;
    for (let i = 0; i < 256; i += 4) walked += index.entries(childPrefix(ROOT_PREFIX, 8, i)).length;
  }
  gc?.();
  gc?.();
  const heldHeap = process.memoryUsage().heapUsed;
  const figures: ChildFigures = {
    mode,
    heldHeapMb: mb(heldHeap),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    buildMs: Math.round(buildMs),
    root,
    walked,
  };
  if (held === undefined && mode !== "scan") throw new Error("nothing held");
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

/** Parts of about `bytes` each, from a scan of the store (what `streamState` hands over, verified). */
function* partsOf(store: ReturnType<typeof openLmdbStore>, bytes = 4 * 2 ** 20): Generator<SnapshotEntry[]> {
  let part: SnapshotEntry[] = [];
  let size = 0;
  for (const entry of store.iterate("")) {
    part.push(entry);
    size += entry[0].length / 2 + entry[1].length;
    if (size >= bytes) {
      yield part;
      part = [];
      size = 0;
    }
  }
  if (part.length > 0) yield part;
}

/** In a child: receive the state in parts into the chain database in `chainDir` (genesis only), install it, report. */
async function clientChild(
  mode: ClientMode,
  storeDir: string,
  chainDir: string,
  stateRoot: string,
): Promise<void> {
  const store = openLmdbStore(storeDir);
  const db = openChainDb(chainDir);
  const genesis = db.head() as BlockHeader;
  const header: BlockHeader = {
    ...genesis,
    number: 9,
    stateRoot: stateRoot as Hex,
    parentHash: genesis.hash,
  };
  const block = encodeBlock({
    block: { header, txHashes: [] },
    rawTxs: [],
    receipts: [],
    merkleWrites: new Map(),
    meta: {},
  });
  const t0 = performance.now();
  let heapAtInstall = 0;
  if (mode === "client-memory") {
    const entries: SnapshotEntry[] = [];
    for (const part of partsOf(store)) entries.push(...part);
    const writes: WriteSet = new Map();
    for (const [key] of db.state.iterate("")) writes.set(key, null);
    for (const [key, value] of entries) writes.set(key, value);
    const update = new MerkleTree(db.merkle).update(writes);
    if (hex(update.root) !== stateRoot) throw new Error(`root ${hex(update.root)}, not ${stateRoot}`);
    heapAtInstall = process.memoryUsage().heapUsed;
    db.installSynced(block, (put) => {
      for (const [key, value] of writes) if (value !== null) put.state(Buffer.from(key, "hex"), value);
      for (const [id, record] of update.nodeWrites) if (record !== null) put.node(id, record);
    });
  } else {
    const spool = new StateSyncSpool(join(chainDir, "state-sync-spool"));
    for (const part of partsOf(store)) spool.add(part);
    heapAtInstall = process.memoryUsage().heapUsed;
    installSpool(db, spool, block, stateRoot);
    spool.remove();
  }
  const ms = performance.now() - t0;
  if (db.head()?.stateRoot !== stateRoot) throw new Error("the installed head is not the state's");
  const figures: ChildFigures = {
    mode,
    heldHeapMb: mb(heapAtInstall),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    buildMs: Math.round(ms),
    root: stateRoot,
    walked: 0,
  };
  await db.close();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

if (process.argv[2] === "--child") {
  await child(process.argv[3] as Mode, process.argv[4] as string, process.argv[5] as string);
}
if (process.argv[2] === "--client") {
  await clientChild(
    process.argv[3] as ClientMode,
    process.argv[4] as string,
    process.argv[5] as string,
    process.argv[6] as string,
  );
}

const args = benchArgs("node dist/bench/snapshotMemory.js [--entries 500000] [--runs 1]", {
  options: {
    entries: { type: "string", default: "500000" },
    runs: { type: "string", default: "1" },
  },
});
const ENTRIES = Number(args.entries);
const RUNS = Number(args.runs);

const root = mkdtempSync(join(tmpdir(), "weft-snapmem-"));
try {
  const storeDir = join(root, "state");
  const store = openLmdbStore(storeDir);
  const random = seededRandom(20261207);
  let bytes = 0;
  for (let start = 0; start < ENTRIES; start += 50_000) {
    const writes = new Map<string, Uint8Array>();
    for (let i = start; i < Math.min(ENTRIES, start + 50_000); i++) {
      const key = `05${i.toString(16).padStart(64, "0")}00`;
      const value = new Uint8Array(100 + Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
      bytes += key.length / 2 + value.length;
      writes.set(key, value);
    }
    store.commit(writes);
  }
  store.close();
  const self = fileURLToPath(import.meta.url);
  const runMode = (mode: Mode): ChildFigures => {
    const out = spawnSync(
      process.execPath,
      ["--expose-gc", self, "--child", mode, storeDir, join(root, `spool-${mode}`)],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    if (out.status !== 0) throw new Error(`${mode} failed: ${out.stderr}`);
    rmSync(join(root, `spool-${mode}`), { recursive: true, force: true });
    return JSON.parse(out.stdout.trim().split("\n").at(-1) as string) as ChildFigures;
  };
  const results: Record<Mode, ChildFigures[]> = { scan: [], memory: [], spool: [] };
  for (let r = 0; r < RUNS; r++)
    for (const mode of ["scan", "memory", "spool"] as const) results[mode].push(runMode(mode));
  const rootOf = (m: Mode) => results[m][0]?.root;
  if (rootOf("memory") !== rootOf("spool"))
    throw new Error(`roots differ: ${rootOf("memory")} vs ${rootOf("spool")}`);
  const row = (m: Mode) => {
    const list = results[m];
    return {
      mode: m,
      heldHeapMb: median(list.map((f) => f.heldHeapMb)),
      maxRssMb: median(list.map((f) => f.maxRssMb)),
      buildMs: median(list.map((f) => f.buildMs)),
    };
  };
  const rows = (["scan", "memory", "spool"] as const).map(row);
  const label = { scan: "open + scan only", memory: "in memory (SubtreeIndex)", spool: "spooled to disk" };
  console.log(`\nstate: ${ENTRIES} entries, ${mb(bytes)} MB of keys and values; medians of ${RUNS} run(s)\n`);
  printTable(
    ["snapshot", "heap held after GC (MB)", "peak RSS (MB)", "build ms"],
    rows.map((r) => [label[r.mode], r.heldHeapMb, r.maxRssMb, r.buildMs]),
  );
  // The client: a chain database with its genesis (the DeFi suite), copied for each run.
  const genesisDir = join(root, "genesis-chain");
  const genesisDb = openChainDb(genesisDir);
  commitGenesis(genesisDb, {
    dataDir: genesisDir,
    chainId: 4242n,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    devAccounts: 4,
    workers: 1,
    blockTimeMs: 600_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    genesisTime: 1_700_000_000,
  });
  await genesisDb.close();
  const reopened = openLmdbStore(storeDir);
  const stateRoot = hex(stateRootFrom(reopened.iterate("")));
  reopened.close();
  const runClient = (mode: ClientMode): ChildFigures => {
    const chainDir = join(root, `chain-${mode}`);
    cpSync(genesisDir, chainDir, { recursive: true });
    const out = spawnSync(process.execPath, [self, "--client", mode, storeDir, chainDir, stateRoot], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    rmSync(chainDir, { recursive: true, force: true });
    if (out.status !== 0) throw new Error(`${mode} failed: ${out.stderr}`);
    return JSON.parse(out.stdout.trim().split("\n").at(-1) as string) as ChildFigures;
  };
  const clientResults: Record<ClientMode, ChildFigures[]> = { "client-memory": [], "client-spool": [] };
  for (let r = 0; r < RUNS; r++)
    for (const mode of ["client-memory", "client-spool"] as const) clientResults[mode].push(runClient(mode));
  const clientRows = (["client-memory", "client-spool"] as const).map((m) => {
    const list = clientResults[m];
    return {
      mode: m,
      heapAtInstallMb: median(list.map((f) => f.heldHeapMb)),
      maxRssMb: median(list.map((f) => f.maxRssMb)),
      fetchToInstallMs: median(list.map((f) => f.buildMs)),
    };
  });
  const clientLabel = { "client-memory": "held in memory (before)", "client-spool": "spooled to disk" };
  console.log("\nthe client: parts of ~4 MiB received, then installed into a genesis chain\n");
  printTable(
    ["client", "heap at install (MB)", "peak RSS (MB)", "parts to commit ms"],
    clientRows.map((r) => [clientLabel[r.mode], r.heapAtInstallMb, r.maxRssMb, r.fetchToInstallMs]),
  );
  writeJson("bench/results/snapshot-memory.json", {
    machine: machineInfo(),
    options: { entries: ENTRIES, runs: RUNS },
    stateMb: mb(bytes),
    rows,
    runs: results,
    client: { rows: clientRows, runs: clientResults },
  });
  writeSvg(
    "bench/results/snapshot-memory.svg",
    barChartSvg(`snapshot of ${ENTRIES} entries: heap held while served (MB)`, "MB", [
      ...rows.map((r) => ({ label: label[r.mode], value: r.heldHeapMb })),
    ]),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(0);
