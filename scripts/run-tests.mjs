// Runs every compiled test file under dist/test with node's test runner.
// Node 20's `--test` takes explicit files (globs arrive in Node 21), so we list them here.
//
// Two files at a time (`--test-concurrency=2`): most suites wait on child processes, sockets
// or timers, so two share the 2-core CI machine well. The multi-process network suites under
// test/e2e/ run afterwards, one at a time, with the machine to themselves: their fault
// schedules and deadlines assume it. The last line adds both runs up: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
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

const filter = process.argv[2];
const files = findTests("dist/test")
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files found under dist/test${filter ? ` matching ${filter}` : ""}`);
  process.exit(1);
}
const alone = (f) => f.includes(`${join("dist", "test", "e2e")}/`);
const groups = [
  { files: files.filter((f) => !alone(f)), concurrency: 2 },
  { files: files.filter(alone), concurrency: 1 },
].filter((g) => g.files.length > 0);

const scratch = mkdtempSync(join(tmpdir(), "weft-tests-"));
const totals = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
let status = 0;
for (const [i, group] of groups.entries()) {
  const tap = join(scratch, `run${i}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      "--test",
      `--test-concurrency=${group.concurrency}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...group.files,
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0) status = result.status ?? 1;
  let text = "";
  try {
    text = readFileSync(tap, "utf8");
  } catch {
    status ||= 1;
  }
  for (const key of Object.keys(totals)) {
    const match = new RegExp(`^# ${key} (\\d+)$`, "m").exec(text);
    totals[key] += match === null ? 0 : Number(match[1]);
  }
}
rmSync(scratch, { recursive: true, force: true });
const extra = ["skipped", "todo", "cancelled"]
  .filter((k) => totals[k] > 0)
  .map((k) => `, ${totals[k]} ${k}`)
  .join("");
console.log(`\n${totals.pass} passed, ${totals.fail} failed${extra}`);
process.exit(status);
