/**
 * Node startup against the number of stored contracts: what opening a node spends on its
 * contract code (`vm/storedCode.ts` `loadCode` over the database's code), before and after
 * the prepared forms (`vm/preparedForm.ts`).
 *
 *   node dist/bench/startupCode.js [--counts 250,1000] [--contracts token,large] [--rounds 5] [--label current]
 *
 * For each contract and count, a chain database in a temporary directory gets N distinct
 * copies of the contract's code in its state (`lib/codeVariants.ts`), then each phase runs
 * in a fresh process (V8 shares compiled code between identical bytes within a process):
 * - `before`: every code prepared (validated, instrumented, probed) and compiled, as
 *   every start did before the forms existed (no form store);
 * - `first start`: the same, keeping each code's prepared form (`prepared/`: what a
 *   node does the first time it meets the code: at commit, or once after an upgrade);
 * - `after`: a restart with the forms kept: each is read, checked and compiled by V8.
 * The median of `--rounds` runs of each phase, wall and CPU time (every thread's: V8
 * compiles on background threads too). Prints a table and writes
 * bench/results/startup-code-<label>.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadArtifact } from "../src/chain/artifacts.js";
import { keccak256 } from "../src/codec/hash.js";
import { openChainDb } from "../src/node/store/chainDb.js";
import { PREPARED_DIR, preparedFiles } from "../src/node/store/preparedFiles.js";
import { codeKey } from "../src/state/keys.js";
import { createModuleCache } from "../src/vm/moduleCache.js";
import { loadCode, storedCode } from "../src/vm/storedCode.js";
import { benchArgs } from "./lib/args.js";
import { probeModule } from "./lib/calibrationProbes.js";
import { codeVariant } from "./lib/codeVariants.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node dist/bench/startupCode.js [--counts 250,1000] [--contracts token,large] [--rounds 5] [--label current]",
  {
    options: {
      counts: { type: "string", default: "250,1000" },
      contracts: { type: "string", default: "token,large" },
      rounds: { type: "string", default: "5" },
      label: { type: "string", default: "current" },
      phase: { type: "string", default: "" },
      dir: { type: "string", default: "" },
    },
  },
);

type Phase = "fill" | "before" | "first" | "after" | "clear";

/** `large`: a synthetic contract of ~120 KB; otherwise a shipped one. */
function baseCode(contract: string): Uint8Array {
  return contract === "large" ? probeModule("", "", 1_200, 7) : loadArtifact(contract).code;
}

/** Runs one phase on the database in `dir`; prints the ms its code loading took. */
async function runPhase(phase: Phase, dir: string, cell: string): Promise<void> {
  const db = openChainDb(dir);
  try {
    if (phase === "fill") {
      const [contract, count] = cell.split(":");
      const base = baseCode(contract as string);
      const writes = new Map<string, Uint8Array | null>();
      for (let i = 0; i < Number(count); i++) {
        const code = codeVariant(base, i + 1);
        writes.set(codeKey(keccak256(code)), code);
      }
      db.state.commit(writes);
      process.stdout.write(JSON.stringify({ ms: 0, bytes: base.length }));
      return;
    }
    if (phase === "clear") {
      rmSync(join(dir, PREPARED_DIR), { recursive: true, force: true });
      process.stdout.write(JSON.stringify({ ms: 0 }));
      return;
    }
    const store = preparedFiles(join(dir, PREPARED_DIR));
    const cache = createModuleCache(phase === "before" ? {} : { preparedStore: store });
    const cpu = process.cpuUsage();
    const started = performance.now();
    loadCode(cache, storedCode(db.state));
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const { compiles, restored } = cache.stats;
    process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, compiles, restored }));
  } finally {
    await db.close();
  }
}

function child(
  phase: Phase,
  dir: string,
  cell: string,
): { ms: number; cpuMs?: number; bytes?: number; compiles?: number; restored?: number } {
  const out = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--phase", phase, "--dir", dir, "--counts", cell],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (out.status !== 0) throw new Error(`${phase} ${cell} failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

if (args.phase !== "") {
  await runPhase(args.phase as Phase, String(args.dir), String(args.counts));
} else {
  const rounds = Number(args.rounds);
  const phases = ["before", "first", "after"] as const;
  const cells: Array<{ contract: string; bytes: number; count: number } & Record<string, number | string>> =
    [];
  for (const contract of String(args.contracts).split(",")) {
    for (const count of String(args.counts).split(",").map(Number)) {
      const dir = mkdtempSync(join(tmpdir(), "weft-startup-"));
      try {
        const cell = `${contract}:${count}`;
        const { bytes } = child("fill", dir, cell);
        const wall: Record<string, number[]> = { before: [], first: [], after: [] };
        const cpu: Record<string, number[]> = { before: [], first: [], after: [] };
        for (let r = 0; r < rounds; r++) {
          for (const phase of phases) {
            if (phase === "first") child("clear", dir, cell);
            const run = child(phase, dir, cell);
            if (phase === "first" && run.compiles !== count)
              throw new Error(`first start prepared ${run.compiles} of ${count}`);
            if (phase === "after" && run.restored !== count)
              throw new Error(`restart restored ${run.restored} of ${count}`);
            wall[phase]?.push(run.ms);
            cpu[phase]?.push(run.cpuMs ?? 0);
          }
          process.stderr.write(".");
        }
        const out: { contract: string; bytes: number; count: number } & Record<string, number | string> = {
          contract,
          bytes: bytes ?? 0,
          count,
        };
        for (const phase of phases) {
          out[`${phase}Ms`] = median(wall[phase] ?? []);
          out[`${phase}CpuMs`] = median(cpu[phase] ?? []);
        }
        cells.push(out);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  process.stderr.write("\n");
  console.log(
    `startup: loading the stored contracts' code, median of ${rounds} fresh processes per phase (wall ms / CPU ms of all threads)`,
  );
  const n = (x: number | string | undefined): number => x as number;
  printTable(
    [
      "contract",
      "bytes each",
      "contracts",
      "before",
      "first start",
      "after",
      "before/after (CPU)",
      "after CPU µs/contract",
    ],
    cells.map((c) => [
      c.contract,
      c.bytes,
      c.count,
      `${n(c.beforeMs).toFixed(0)} / ${n(c.beforeCpuMs).toFixed(0)}`,
      `${n(c.firstMs).toFixed(0)} / ${n(c.firstCpuMs).toFixed(0)}`,
      `${n(c.afterMs).toFixed(0)} / ${n(c.afterCpuMs).toFixed(0)}`,
      `${(n(c.beforeCpuMs) / n(c.afterCpuMs)).toFixed(1)}x`,
      ((n(c.afterCpuMs) * 1000) / c.count).toFixed(0),
    ]),
  );
  writeJson(`bench/results/startup-code-${args.label}.json`, {
    machine: machineInfo(),
    params: { rounds },
    cells,
  });
}
