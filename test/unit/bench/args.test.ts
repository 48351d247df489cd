/** Benchmark programs answer --help with their usage and a bad option with one line and exit code 2. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const program = fileURLToPath(new URL("../../../bench/merkle.js", import.meta.url));
const compare = fileURLToPath(new URL("../../../bench/compare.js", import.meta.url));

describe("benchmark options", () => {
  it("--help prints the usage and exits 0", () => {
    const out = spawnSync(process.execPath, [program, "--help"], { encoding: "utf8" });
    assert.equal(out.status, 0);
    assert.match(out.stdout, /^usage: node dist\/bench\/merkle\.js \[--quick\] \[--runs 5\]/);
  });

  it("an unknown option is named, with the usage, exit code 2 and no stack trace", () => {
    const out = spawnSync(process.execPath, [program, "--bogus"], { encoding: "utf8" });
    assert.equal(out.status, 2);
    assert.match(out.stderr, /Unknown option '--bogus'/);
    assert.match(out.stderr, /usage: /);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  });

  it("compare.js takes --processes and refuses a count that is not a positive integer, before building anything", () => {
    for (const bad of ["0", "-1", "1.5", "two"]) {
      const out = spawnSync(process.execPath, [compare, "--base", "HEAD", `--processes=${bad}`], {
        encoding: "utf8",
      });
      assert.equal(out.status, 2, bad);
      assert.match(out.stderr, /^--processes must be a positive integer, got /, bad);
      assert.match(out.stderr, /usage: .*\[--processes 3\]/, bad);
      assert.doesNotMatch(out.stderr, /\n\s+at /, bad);
    }
  });
});
