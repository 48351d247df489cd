/**
 * What a state-sync snapshot costs a serving node in memory: the in-memory index
 * (`SubtreeIndex`, how snapshots were served until session 14) against the file spooled to
 * disk (`spoolSnapshot`, `node/stateSyncServe.ts` now). Workload: an LMDB state of `--entries`
 * entries (34-byte keys, values of 100-300 random bytes, as storage slots and balances),
 * written once; then each mode in a process of its own (`--expose-gc`) opens the store,
 * builds the snapshot of it, answers a walk of summaries to depth 8 and the entries of 64
 * subtrees, and reports: the heap still used with the snapshot held (after GC), the peak
 * resident set (`maxRSS`) over the run, the same peak of a process that only opens the store
 * and scans it, and the build's wall time. Both roots are checked equal.
 *
 *   node dist/bench/snapshotMemory.js [--entries 500000] [--runs 1]
 *
 * Prints a table, writes bench/results/snapshot-memory.json and .svg.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex } from "../src/codec/bytes.js";
import { seededRandom } from "../src/codec/seededRandom.js";
import { openLmdbStore } from "../src/state/lmdbStore.js";
import { buildSnapshot } from "../src/state/merkle/snapshot.js";
import { spoolSnapshot } from "../src/state/merkle/spooledSnapshot.js";
import { childPrefix, ROOT_PREFIX, type SubtreeSource } from "../src/state/merkle/subtrees.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

type Mode = "scan" | "memory" | "spool";

interface ChildFigures {
  mode: Mode;
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

if (process.argv[2] === "--child") {
  await child(process.argv[3] as Mode, process.argv[4] as string, process.argv[5] as string);
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
  writeJson("bench/results/snapshot-memory.json", {
    machine: machineInfo(),
    options: { entries: ENTRIES, runs: RUNS },
    stateMb: mb(bytes),
    rows,
    runs: results,
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
