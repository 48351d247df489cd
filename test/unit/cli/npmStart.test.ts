/**
 * `npm start > log` gives one JSON log object per line (issue 14): npm prints none of its
 * own lines ("> weft@0.1.0 start ...", the repository's `.npmrc`), and the start script sends
 * the build's output to stderr. The test runs this repository's start script with its
 * `.npmrc` through npm, in a directory whose `build` script is a stand-in that prints to
 * stdout as the real one does (the real build is `npm run build`'s own concern), and reads
 * the node's stdout from a file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const STAND_IN = "a stand-in for the build, on stdout";

describe("npm start > log", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-npm-start-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("holds only JSON log lines; the build's output goes to stderr", async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      name: string;
      version: string;
      scripts: Record<string, string>;
    };
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: pkg.name,
        version: pkg.version,
        type: "module",
        scripts: { start: pkg.scripts.start, build: `echo '${STAND_IN}'` },
      }),
    );
    copyFileSync(join(REPO, ".npmrc"), join(dir, ".npmrc"));
    symlinkSync(join(REPO, "dist"), join(dir, "dist"));
    const outFile = join(dir, "log");
    const errFile = join(dir, "err");
    const child = spawn(
      NPM,
      ["start", "--", "--data-dir", join(dir, "data"), "--port", "0", "--block-time-ms", "3600000"],
      { cwd: dir, detached: true, stdio: ["ignore", openSync(outFile, "w"), openSync(errFile, "w")] },
    );
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const lines = () =>
      readFileSync(outFile, "utf8")
        .split("\n")
        .filter((l) => l !== "");
    try {
      // Until the node says it started (at most two minutes on a loaded machine).
      for (let i = 0; i < 1200 && !lines().some((l) => l.includes('"node started"')); i++) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    const out = lines();
    assert.ok(
      out.some((l) => l.includes('"node started"')),
      `the node started: ${readFileSync(errFile, "utf8")}`,
    );
    for (const line of out) {
      let entry: unknown;
      assert.doesNotThrow(
        () => {
          entry = JSON.parse(line);
        },
        `not a JSON line in the log: ${JSON.stringify(line)}`,
      );
      assert.equal(typeof (entry as { level?: unknown }).level, "number", line);
    }
    assert.ok(readFileSync(errFile, "utf8").includes(STAND_IN), "the build's output went to stderr");
  });
});
