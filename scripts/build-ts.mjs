// `npm run build:ts`: the TypeScript compiler with a progress line on stderr, so that the
// first `npm start` on a fresh clone does not sit silent for minutes on a loaded machine.
// It says when it starts, every 20 s while it runs, and how long it took; tsc's own
// diagnostics pass through, and its exit code is this script's.
//
// When no input changed since its last successful run (no file or folder under src/, test/
// or bench/, nor tsconfig.json, newer than its stamp, and the installed packages the same by
// content: a no-op `npm install` rewrites node_modules/.package-lock.json without changing
// it, so its hash is kept in the stamp rather than its time compared), it does not
// start tsc at all: an incremental tsc that emits nothing still parses every file (~6 s of
// CPU, half a minute on a loaded machine), which every `npm start` paid. Any argument (say
// --force) always runs tsc.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const STAMP = "dist/.build-ts-stamp";
const INPUTS = ["src", "test", "bench", "tsconfig.json"];
/** Compared by content: `npm install` rewrites them even when nothing changed. */
const PACKAGES = ["package.json", "node_modules/.package-lock.json"];

/** A hash of the installed packages' description (a missing file hashes as absent). */
function packagesHash() {
  const hash = createHash("sha256");
  for (const p of PACKAGES) hash.update(existsSync(p) ? readFileSync(p) : "absent").update("\0");
  return hash.digest("hex");
}

/** The newest modification time (ms) among `path` and, for a folder, everything below it. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true }))
    latest = Math.max(latest, newest(join(path, entry.name)));
  return latest;
}

const extra = process.argv.slice(2);
if (extra.length === 0 && existsSync(STAMP)) {
  const built = statSync(STAMP).mtimeMs;
  const stamped = readFileSync(STAMP, "utf8").split("\n")[1] ?? "";
  if (INPUTS.every((p) => newest(p) <= built) && stamped === packagesHash()) {
    process.stderr.write("TypeScript up to date (nothing changed since the last build)\n");
    process.exit(0);
  }
}

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
const startedAt = Date.now();
const packagesAtStart = packagesHash();
const child = spawn(process.execPath, [tsc, "-p", "tsconfig.json", ...extra], {
  stdio: "inherit",
});
child.on("exit", (code, signal) => {
  clearInterval(timer);
  if (code === 0) {
    // The stamp's time is when tsc started: a file saved while it ran is newer, so builds again.
    writeFileSync(STAMP, `${new Date(startedAt).toISOString()}\n${packagesAtStart}\n`);
    const at = new Date(startedAt);
    utimesSync(STAMP, at, at);
    process.stderr.write(`compiled TypeScript in ${seconds()} s\n`);
  }
  process.exit(code ?? (signal === null ? 1 : 128));
});
