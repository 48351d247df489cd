// Runs every compiled test file under dist/test with node's test runner, one `node --test`
// process a file, so that no file can hold up the run: a file past its time limit is killed
// with every process it started, reported by name with what it printed, and counted failed.
//
// Two files at a time: most suites wait on child processes, sockets or timers, so two share
// the 2-core CI machine well. Files start longest first (their times in test/durations.json,
// from an earlier whole run; a file not listed there counts as DEFAULT_S), so that no long file
// starts last and keeps one slot busy after the other has run out of work. The multi-process network suites under test/e2e/ run
// afterwards, one at a time, with the machine to themselves: their fault schedules and
// deadlines assume it. Each file's output is printed whole when it ends. A file that fails
// runs once more, alone (at most five files): passing then, it is counted by that run and
// listed as flaky. The last line adds every file up: `N passed, N failed`.
//
//   node scripts/run-tests.mjs [filter]
//   A whole run (no filter) writes every file's time to dist/test-durations.json: copy it over
//   test/durations.json when files were added or got slower, to keep the order right.
//   WEFT_TEST_FILE_TIMEOUT_S   a file's limit in seconds (default 600)
//   WEFT_TEST_CONCURRENCY      files at a time outside test/e2e (default 2)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

/** A test file's name in test/durations.json: its path under dist/test, without `.test.js`. */
const key = (file) => file.slice(join("dist", "test").length + 1, -".test.js".length);
/** Seconds a file not in test/durations.json (a new one) is expected to take: a little over the median (2 s). */
const DEFAULT_S = 4;
let known = {};
try {
  known = JSON.parse(readFileSync("test/durations.json", "utf8"));
} catch {} // no times: every file counts as DEFAULT_S, and the order is the path's
const expected = (file) => known[key(file)] ?? DEFAULT_S;

const filter = process.argv[2];
const files = findTests("dist/test")
  .filter((f) => !filter || f.includes(filter))
  .sort((a, b) => expected(b) - expected(a) || (a < b ? -1 : a > b ? 1 : 0));
if (files.length === 0) {
  console.error(`no test files found under dist/test${filter ? ` matching ${filter}` : ""}`);
  process.exit(1);
}
const fileTimeoutMs = Number(process.env.WEFT_TEST_FILE_TIMEOUT_S ?? 600) * 1000;
const concurrency = Number(process.env.WEFT_TEST_CONCURRENCY ?? 2);
const alone = (f) => f.includes(`${join("dist", "test", "e2e")}/`);
const groups = [
  { files: files.filter((f) => !alone(f)), concurrency },
  { files: files.filter(alone), concurrency: 1 },
].filter((g) => g.files.length > 0);

const scratch = mkdtempSync(join(tmpdir(), "weft-tests-"));
const totals = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
const timedOut = [];
/** Files that failed their first run, with that run's counts. */
const failed = [];
const durations = [];
/** Past this many failed files the run is broken, not flaky: none is run again. */
const MAX_RETRIES = 5;

/** Runs one file; resolves with its exit code (null when killed), output and time. */
function runFile(file, tap) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        "--test",
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        "--test-reporter=tap",
        `--test-reporter-destination=${tap}`,
        file,
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid, "SIGKILL"); // the file's process group: every node it started
      } catch {}
    }, fileTimeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: killed ? null : code,
        output: Buffer.concat(chunks).toString(),
        ms: Date.now() - started,
      });
    });
  });
}

/** Runs `file` and prints its output; returns its counts and whether it passed. */
async function runAndCount(file, tag) {
  const tap = join(scratch, `${tag}-${files.indexOf(file)}.tap`);
  const { code, output, ms } = await runFile(file, tap);
  if (tag !== "retry") durations.push({ file, ms });
  process.stdout.write(output);
  let text = "";
  try {
    text = readFileSync(tap, "utf8");
  } catch {}
  const counts = {};
  for (const key of Object.keys(totals)) {
    const match = new RegExp(`^# ${key} (\\d+)$`, "m").exec(text);
    counts[key] = match === null ? 0 : Number(match[1]);
  }
  if (code === null) {
    // Killed before the runner's closing counts: count what it printed, and the file as one failure.
    counts.pass = (text.match(/^ {4}ok \d+/gm) ?? []).length;
    counts.fail = 1;
    timedOut.push(file);
    console.log(
      `\n✖ ${file} did not finish within ${fileTimeoutMs / 1000} s and was killed (output above)\n`,
    );
  } else if (code !== 0 && counts.fail === 0) {
    counts.fail = 1; // exited badly with no failing test: a crash outside any test
    console.log(`\n✖ ${file} exited with code ${code} (output above)\n`);
  }
  return { counts, passed: code === 0 };
}

async function runGroup(group, index) {
  const queue = [...group.files];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const { counts, passed } = await runAndCount(file, index);
      if (passed) for (const key of Object.keys(totals)) totals[key] += counts[key];
      else failed.push({ file, counts });
    }
  };
  await Promise.all(Array.from({ length: group.concurrency }, worker));
}

for (const [i, group] of groups.entries()) await runGroup(group, i);
// A file that failed runs once more, alone on the machine. One that passes then is counted
// by its second run and named below as flaky; one that fails again counts as failed.
const flaky = [];
const failedFiles = [];
if (failed.length > 0 && failed.length <= MAX_RETRIES) {
  console.log(`\nrunning ${failed.length} failed file(s) again, one at a time:\n`);
  for (const { file } of failed) {
    const { counts, passed } = await runAndCount(file, "retry");
    for (const key of Object.keys(totals)) totals[key] += counts[key];
    if (passed) flaky.push(file);
    else failedFiles.push(file);
  }
} else {
  for (const { file, counts } of failed) {
    for (const key of Object.keys(totals)) totals[key] += counts[key];
    failedFiles.push(file);
  }
}
rmSync(scratch, { recursive: true, force: true });
if (!filter) {
  const seconds = Object.fromEntries(
    durations
      .map(({ file, ms }) => [key(file), Math.round(ms / 100) / 10])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  writeFileSync(join("dist", "test-durations.json"), `${JSON.stringify(seconds, null, 2)}\n`);
}

const slowest = durations.sort((a, b) => b.ms - a.ms).slice(0, 10);
console.log("\nslowest files:");
for (const { file, ms } of slowest) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`);
if (flaky.length > 0)
  console.log(
    `\nflaky: failed beside another file, then passed alone:\n${flaky.map((f) => `  ${f}`).join("\n")}`,
  );
if (failedFiles.length > 0)
  console.log(`\nfiles that failed:\n${failedFiles.map((f) => `  ${f}`).join("\n")}`);
if (timedOut.length > 0) console.log(`files killed at the time limit: ${timedOut.join(", ")}`);
const extra = ["skipped", "todo", "cancelled"]
  .filter((k) => totals[k] > 0)
  .map((k) => `, ${totals[k]} ${k}`)
  .join("");
console.log(`\n${totals.pass} passed, ${totals.fail} failed${extra}`);
process.exit(failedFiles.length > 0 ? 1 : 0);
