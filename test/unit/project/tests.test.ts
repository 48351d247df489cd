/**
 * `weft test`'s compilation of a project's TypeScript tests (src/project/tests.ts): a stack
 * names the real `test/….ts` file and line (not the compiled `build/test/….js` nor a
 * `build/test/….ts` that does not exist), a syntax error is reported against the `.ts` file
 * with line and column, and the node:test arguments (name patterns, what follows `--`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadProject, ProjectError } from "../../../src/project/project.js";
import { nodeTestArgs, prepareTests, splitPassThrough } from "../../../src/project/tests.js";

describe("weft test's TypeScript tests", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "weft-tests-"));
    writeFileSync(join(root, "weft.json"), "{}\n");
    mkdirSync(join(root, "test/deep"), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("maps a stack to the real .ts file and line", () => {
    writeFileSync(
      join(root, "test/deep/throws.test.ts"),
      'const n: number = 1;\ninterface Unused { a: string }\nif (n === 1) throw new Error("boom");\n',
    );
    const [compiled] = prepareTests(loadProject(root), [join(root, "test/deep/throws.test.ts")]);
    assert.ok(compiled?.endsWith(join("build", "test", "deep", "throws.test.js")), compiled);
    const r = spawnSync(process.execPath, ["--enable-source-maps", compiled as string], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.ok(
      r.stderr.includes(`${join(root, "test", "deep", "throws.test.ts")}:3`),
      `the stack names test/deep/throws.test.ts:3:\n${r.stderr}`,
    );
    assert.ok(!r.stderr.includes(join("build", "test", "deep", "throws.test.ts")), r.stderr);
    rmSync(join(root, "test/deep/throws.test.ts"));
  });

  it("reports a syntax error against the .ts file, line and column", () => {
    const file = join(root, "test/bad.test.ts");
    writeFileSync(file, 'import { it } from "node:test";\nconst x: number = ;\nit("x", () => {});\n');
    assert.throws(
      () => prepareTests(loadProject(root)),
      (error: unknown) =>
        error instanceof ProjectError &&
        error.code === "BAD_TEST" &&
        error.message.startsWith(`${file}:2:19: error TS1109: Expression expected`),
    );
    rmSync(file);
  });

  it("passes name patterns and what follows -- to node's test runner", () => {
    assert.deepEqual(nodeTestArgs(["a.js"], ["adds", "resets"], ["--test-only"]), [
      "--enable-source-maps",
      "--test",
      "--test-name-pattern=adds",
      "--test-name-pattern=resets",
      "--test-only",
      "a.js",
    ]);
    const raw = ["node", "weft.js", "test", "t/a.test.ts", "--", "--test-reporter=tap", "x"];
    assert.deepEqual(splitPassThrough(["t/a.test.ts", "--test-reporter=tap", "x"], raw), {
      files: ["t/a.test.ts"],
      passThrough: ["--test-reporter=tap", "x"],
    });
    assert.deepEqual(splitPassThrough(["t/a.test.ts"], raw.slice(0, 4)), {
      files: ["t/a.test.ts"],
      passThrough: [],
    });
  });
});
