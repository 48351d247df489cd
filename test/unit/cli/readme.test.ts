/**
 * The README's command-line walkthrough, run as written: the `sh` block after the alias in
 * "### The command line" is read from README.md, and each line runs in bash, verbatim, with
 * `weft` defined as this build's CLI, against a fresh node (WEFT_RPC) from an empty
 * directory (so `./.weft/keys` starts empty). Every line must exit 0; the lines whose
 * outputs the README states are checked for them. Editing the README so that a line no
 * longer works fails this test.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const README = fileURLToPath(new URL("../../../../README.md", import.meta.url));

/** The `sh` blocks of the README's "### The command line" section, in order. */
export function walkthroughBlocks(readme: string): string[][] {
  const start = readme.indexOf("### The command line");
  assert.ok(start >= 0, 'README.md has no "### The command line" section');
  const end = readme.indexOf("\n### ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    (m[1] as string).split("\n").filter((line) => line.trim() !== ""),
  );
}

/** What a line's output must show, for the lines whose results the README states. */
const EXPECTED: Array<[RegExp, RegExp]> = [
  [/^weft keys new alice\b/, /created ed25519 key alice/],
  [/^weft account create alice\b/, /created ed25519 account 0x[0-9a-f]{40} for alice/],
  [/^weft keys new bob\b/, /created secp256k1 key bob/],
  [/^weft account create-multisig team\b/, /created multisig account 0x[0-9a-f]{40} for team/],
  [/^weft send .* 1\.5 /, /sent 1\.5 coin to 0x0{38}ab[\s\S]*: success/],
  [/^weft transfer wusd .* 25 /, /transferred 25 of wusd[\s\S]*event wusd\.Transfer/],
  [/^weft account show alice\b/, /balance +8\.4\d* coin/],
  [/^weft call wusd balanceOf 0x0{38}ab\b/, /^25000000000000000000\n$/],
  [
    /^weft tx weth transfer\b/,
    /weth\.transfer: success[\s\S]*returned true[\s\S]*event weth\.Transfer\(.*amount: 2000000000000000000\)/,
  ],
  [
    /^weft logs weth Transfer\b/,
    /^1 log of weth \(Transfer\)[\s\S]*weth\.Transfer\(.*amount: 2000000000000000000\)/,
  ],
  [/^weft deploy token Mine MINE 6 1000e6\b/, /deployed token at 0x[0-9a-f]{40}/],
  [/^weft proof 0x0{38}ab\b/, /balance +1\.5 coin[\s\S]*verified +yes/],
];

describe("the README's command-line walkthrough", () => {
  let dir: string;
  let node: NodeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-readme-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("defines weft with an alias, then every command line runs as written", () => {
    const blocks = walkthroughBlocks(readFileSync(README, "utf8"));
    assert.equal(blocks.length, 2, "an alias block, then the walkthrough");
    const [alias, walkthrough] = blocks as [string[], string[]];
    assert.match(alias.join("\n"), /^alias weft="node \$PWD\/dist\/src\/cli\/weft\.js"/);
    assert.ok(walkthrough.length >= 10, "the walkthrough has its commands");
    const { WEFT_KEYSTORE: _keys, ...env } = process.env; // keys in ./.weft/keys of the empty directory
    const seen = new Set<RegExp>();
    for (const line of walkthrough) {
      assert.match(line, /^weft /, `every walkthrough line is a weft command: ${line}`);
      const r = spawnSync("bash", ["-c", `weft() { "${process.execPath}" "${CLI}" "$@"; }\n${line}`], {
        cwd: dir,
        encoding: "utf8",
        env: { ...env, WEFT_RPC: node.url },
      });
      assert.equal(r.status, 0, `${line}\nexit ${r.status}\n${r.stdout}\n${r.stderr}`);
      for (const [command, output] of EXPECTED)
        if (command.test(line)) {
          assert.match(r.stdout, output, line);
          seen.add(command);
        }
    }
    const missing = EXPECTED.filter(([command]) => !seen.has(command)).map(([c]) => String(c));
    assert.deepEqual(missing, [], "every checked command is still in the walkthrough");
  });
});
