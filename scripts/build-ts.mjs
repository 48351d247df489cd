// `npm run build:ts`: the TypeScript compiler with a progress line on stderr, so that the
// first `npm start` on a fresh clone does not sit silent for minutes on a loaded machine.
// It says when it starts, every 20 s while it runs, and how long it took; tsc's own
// diagnostics pass through, and its exit code is this script's.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 1000);
process.stderr.write(
  "compiling TypeScript (tsc -p tsconfig.json; about a minute, longer on a busy machine)...\n",
);
const timer = setInterval(
  () => process.stderr.write(`  still compiling TypeScript (${seconds()} s)\n`),
  20_000,
);
const child = spawn(process.execPath, [tsc, "-p", "tsconfig.json", ...process.argv.slice(2)], {
  stdio: "inherit",
});
child.on("exit", (code, signal) => {
  clearInterval(timer);
  if (code === 0) process.stderr.write(`compiled TypeScript in ${seconds()} s\n`);
  process.exit(code ?? (signal === null ? 1 : 128));
});
