/**
 * What holding every deployed contract's compiled module costs: startup time and memory
 * against the number and size of deployed contracts (`vm/moduleCache.ts`: a node compiles
 * every stored code once when it opens, and its workers adopt the modules).
 *
 *   node --expose-gc dist/bench/codeLoad.js [--counts 250,1000,2000] [--contracts token,lending,large] [--workers 2] [--label current]
 *
 * Each cell runs in a fresh process: N distinct copies of a contract (`lib/codeVariants.ts`:
 * same code, own hash) are compiled the way a node opens (`loadCode`), then handed to
 * `--workers` worker threads, which adopt them (as the engine's, admission's and read-only
 * workers do). Memory is the process's after a full GC: resident set (V8's compiled code
 * lives outside the heap), JS heap and external (array buffers: the static data, the start
 * snapshots). Prints a table and writes bench/results/code-load-<label>.json.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadArtifact } from "../src/chain/artifacts.js";
import { keccak256 } from "../src/codec/hash.js";
import { codeKey } from "../src/state/keys.js";
import { GAS } from "../src/vm/gasSchedule.js";
import { createModuleCache, type ModuleList } from "../src/vm/moduleCache.js";
import { loadCode } from "../src/vm/storedCode.js";
import { benchArgs } from "./lib/args.js";
import { probeModule } from "./lib/calibrationProbes.js";
import { codeVariant } from "./lib/codeVariants.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node --expose-gc dist/bench/codeLoad.js [--counts 250,1000,2000] [--contracts token,lending,large] [--workers 2] [--label current]",
  {
    options: {
      counts: { type: "string", default: "250,1000,2000" },
      contracts: { type: "string", default: "token,lending,large" },
      workers: { type: "string", default: "2" },
      label: { type: "string", default: "current" },
      cell: { type: "string", default: "" },
      worker: { type: "boolean", default: false },
    },
  },
);

interface Cell {
  contract: string;
  count: number;
  codeBytes: number;
  totalMb: number;
  compileMs: number;
  nsPerByte: number;
  rssPerByte: number;
  heapPerByte: number;
  externalPerByte: number;
  adoptMs: number;
  workersRssPerByte: number;
  deployGasM: number;
}

/** `large`: a synthetic contract of ~120 KB (the 122 KiB contracts); otherwise a shipped one. */
function baseCode(contract: string): Uint8Array {
  return contract === "large" ? probeModule("", "", 1_200, 7) : loadArtifact(contract).code;
}

function memory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  gc();
  gc();
  return process.memoryUsage();
}

async function runCell(contract: string, count: number, workers: number): Promise<Cell> {
  const base = baseCode(contract);
  const entries: Array<[string, Uint8Array]> = [];
  for (let i = 0; i < count; i++) {
    const code = codeVariant(base, i + 1);
    entries.push([codeKey(keccak256(code)), code]);
  }
  const bytes = entries.reduce((n, [, c]) => n + c.length, 0);
  const cache = createModuleCache();
  const before = memory();
  const started = performance.now();
  loadCode(cache, entries);
  const compileMs = performance.now() - started;
  const after = memory();
  const held: ModuleList = cache.held();
  const threads = Array.from(
    { length: workers },
    () => new Worker(fileURLToPath(import.meta.url), { argv: ["--worker"] }),
  );
  // Each worker says when it has loaded its modules and listens.
  await Promise.all(threads.map((w) => new Promise((resolve) => w.once("message", resolve))));
  const idle = memory();
  const adoptStart = performance.now();
  await Promise.all(
    threads.map(
      (w) =>
        new Promise((resolve) => {
          w.once("message", resolve);
          w.postMessage(held);
        }),
    ),
  );
  const adoptMs = performance.now() - adoptStart;
  const adopted = memory();
  await Promise.all(threads.map((w) => w.terminate()));
  return {
    contract,
    count,
    codeBytes: base.length,
    totalMb: bytes / 2 ** 20,
    compileMs,
    nsPerByte: (compileMs * 1e6) / bytes,
    rssPerByte: (after.rss - before.rss) / bytes,
    heapPerByte: (after.heapUsed - before.heapUsed) / bytes,
    externalPerByte: (after.external - before.external) / bytes,
    adoptMs,
    workersRssPerByte: (adopted.rss - idle.rss) / bytes,
    deployGasM: (bytes * GAS.DEPLOY_BYTE) / 1e6,
  };
}

if (args.worker) {
  // A worker adopting the main thread's modules, as the node's workers do.
  const { parentPort } = await import("node:worker_threads");
  const cache = createModuleCache();
  parentPort?.on("message", (modules: ModuleList) => {
    cache.adopt(modules);
    parentPort?.postMessage(cache.size);
  });
  parentPort?.postMessage("ready");
} else if (args.cell !== "") {
  const [contract, count] = String(args.cell).split(":");
  const cell = await runCell(contract as string, Number(count), Number(args.workers));
  process.stdout.write(JSON.stringify(cell));
} else {
  const cells: Cell[] = [];
  for (const contract of String(args.contracts).split(",")) {
    for (const count of String(args.counts).split(",").map(Number)) {
      const child = spawnSync(
        process.execPath,
        [
          "--expose-gc",
          fileURLToPath(import.meta.url),
          "--cell",
          `${contract}:${count}`,
          "--workers",
          String(args.workers),
        ],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`cell ${contract}:${count} failed: ${child.stderr}`);
      cells.push(JSON.parse(child.stdout) as Cell);
      process.stderr.write(".");
    }
  }
  process.stderr.write("\n");
  printTable(
    [
      "contract",
      "bytes each",
      "contracts",
      "code MiB",
      "deploy gas (M)",
      "compile at open ms",
      "ns/byte",
      "RSS B/byte",
      "heap B/byte",
      "external B/byte",
      `adopt by ${args.workers} workers ms`,
      "workers' RSS B/byte",
    ],
    cells.map((c) => [
      c.contract,
      c.codeBytes,
      c.count,
      c.totalMb.toFixed(1),
      c.deployGasM.toFixed(0),
      c.compileMs.toFixed(0),
      c.nsPerByte.toFixed(0),
      c.rssPerByte.toFixed(1),
      c.heapPerByte.toFixed(2),
      c.externalPerByte.toFixed(2),
      c.adoptMs.toFixed(0),
      c.workersRssPerByte.toFixed(2),
    ]),
  );
  writeJson(`bench/results/code-load-${args.label}.json`, { machine: machineInfo(), cells });
}
