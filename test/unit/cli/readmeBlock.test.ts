/**
 * The README's "Run a block" and "Run a block in parallel" examples, run as written: their
 * `js` blocks are read from README.md, saved as one `.mjs` file in the repository root (the
 * imports name `./dist/...`, as the README says), and run with node. The first must print a
 * successful transfer receipt, the second 200 receipts from a block the engine ran in parallel.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const README = fileURLToPath(new URL("../../../../README.md", import.meta.url));

/** The `js` blocks between "### Run a block" and the next "### " heading after the parallel one. */
function exampleCode(): string {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("### Run a block\n");
  const parallel = text.indexOf("### Run a block in parallel\n");
  assert.ok(start >= 0 && parallel > start, 'README.md lacks the "Run a block" sections');
  const end = text.indexOf("\n### ", parallel + 1);
  const blocks = [...text.slice(start, end).matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 2, "one js block per section");
  return blocks.join("\n");
}

describe("the README's block examples", () => {
  it("run as written: a transfer receipt, then 200 receipts from a parallel block", () => {
    const file = join(dirname(README), `.readme-block-${process.pid}.mjs`);
    writeFileSync(file, exampleCode());
    try {
      const run = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /status: 'success'/);
      // TX_BASE + TRANSFER_TX: a transfer transaction pays for its own time since session 11.
      assert.match(run.stdout, /gasUsed: 10000/);
      assert.match(run.stdout, /^200 parallel$/m);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
