/** `weft bench <name>` and `weft load`: run the benchmark programs (their tables, JSON and plots). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { EXIT, UsageError } from "../output.js";

const BENCHES = ["sequential", "engine", "signatures", "merkle", "mempool", "load", "report"] as const;

function run(name: string, args: string[]): void {
  const script = fileURLToPath(new URL(`../../../bench/${name}.js`, import.meta.url));
  if (!existsSync(script))
    throw new UsageError(`benchmark ${name} is not built (${script})`, ["build with: npm run build"]);
  const result = spawnSync(process.execPath, [script, ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exitCode = EXIT.failed;
}

export function addBenchCommands(program: Command): void {
  program
    .command("bench <name> [args...]")
    .description(
      `run a benchmark: ${BENCHES.join(", ")} (extra args go to it, e.g. weft bench engine -- --quick)`,
    )
    .allowUnknownOption()
    .action((name: string, args: string[]) => {
      if (!(BENCHES as readonly string[]).includes(name))
        throw new UsageError(`no benchmark named ${name}`, [`benchmarks: ${BENCHES.join(", ")}`]);
      run(name, args);
    });
  program
    .command("load [args...]")
    .description("the end-to-end load program: a node under increasing RPC load (same as weft bench load)")
    .allowUnknownOption()
    .action((args: string[]) => run("load", args));
}
