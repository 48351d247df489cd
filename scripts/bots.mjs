// `npm run bots -- <command> ...`: builds (contracts and TypeScript, each only what changed),
// then runs the bots' command line (dist/src/sdk/bots/run.js). `--help` / `-h` is answered at
// once from the built command line when there is one, without the build check first.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = fileURLToPath(new URL("../dist/src/sdk/bots/run.js", import.meta.url));
const args = process.argv.slice(2);
const help = args.some((a) => a === "--help" || a === "-h");

if (!(help && existsSync(run))) {
  // The build's progress goes to stderr, so that a bot's output on stdout stays clean.
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const built = spawnSync(npm, ["run", "build"], { cwd: root, stdio: ["ignore", 2, 2] });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const bot = spawnSync(process.execPath, [run, ...args], { stdio: "inherit" });
process.exit(bot.status ?? (bot.signal === null ? 1 : 128));
