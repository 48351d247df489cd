/**
 * The package as a developer gets it: `npm pack` this repository, install the tarball in a
 * fresh folder outside it, `weft init` a project there, then `weft build`, `weft test` (the
 * scaffold's tests on the in-process chain) and the deploy script and `weft deploy` against
 * a node started from the installed package, which record deployments/local.json.
 * The walk of docs/tutorial.md. Installs from the npm cache (--prefer-offline).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  const said = `${cmd} ${args.join(" ")} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`;
  return { code: r.status, out: r.stdout, err: r.stderr, said };
}

describe("the packed weft package in a project outside the repository", () => {
  let tmp: string;
  let app: string;
  let weftJs: string;
  let node: NodeProcess | undefined;
  const weft = (...args: string[]) => run(process.execPath, [weftJs, ...args], app);

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "weft-package-"));
    app = join(tmp, "my-app");
    weftJs = join(app, "node_modules/weft/dist/src/cli/weft.js");
  });
  after(async () => {
    if (node !== undefined) {
      node.child.kill("SIGTERM");
      await node.exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("packs, installs from the tarball and scaffolds a project with weft init", () => {
    const pack = run(NPM, ["pack", "--pack-destination", tmp, "--silent"], REPO);
    assert.equal(pack.code, 0, pack.said);
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball !== undefined, pack.said);
    mkdirSync(app);
    const install = run(
      NPM,
      ["install", join(tmp, tarball), "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
      app,
    );
    assert.equal(install.code, 0, install.said);
    const outside = weft("build");
    assert.equal(outside.code, 2, `outside a project there is nothing to build: ${outside.said}`);
    assert.match(outside.err, /weft init/);
    writeFileSync(join(app, "README.md"), "# mine\n");
    const created = weft("init");
    assert.equal(created.code, 0, created.said);
    assert.match(created.out, /created a Weft project/);
    for (const file of [
      "weft.json",
      "contracts/counter/main.ts",
      "test/counter.test.mjs",
      "scripts/deploy.mjs",
    ])
      assert.ok(existsSync(join(app, file)), `${file} written`);
    assert.equal(readFileSync(join(app, "README.md"), "utf8"), "# mine\n", "the folder's own README is kept");
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    assert.equal(pkg.scripts.test, "weft test");
    assert.match(pkg.dependencies.weft, /^file:/, "the installed tarball stays the dependency");
    assert.equal(weft("init").code, 2, "a second init refuses to overwrite");
  });

  it("builds the contract and passes the scaffold's tests on the in-process chain", () => {
    const build = weft("build");
    assert.equal(build.code, 0, build.said);
    assert.ok(existsSync(join(app, "build/counter.wasm")), build.said);
    const meta = JSON.parse(readFileSync(join(app, "build/counter.metadata.json"), "utf8"));
    assert.deepEqual(
      meta.errors.map((e: { name: string }) => e.name),
      ["NotOwner", "Underflow", "TooSoon"],
    );
    const test = run(NPM, ["test"], app);
    assert.equal(test.code, 0, test.said);
    assert.match(test.out, /# pass 3/, test.said);
    assert.match(test.out, /# fail 0/, test.said);
  });

  it("deploys with the deploy script and weft deploy against a node from the package, recording both", async () => {
    // No node yet: the script says so in two lines, no stack trace.
    const down = run(NPM, ["run", "deploy"], app, { WEFT_RPC: "http://127.0.0.1:1" });
    assert.equal(down.code, 1, down.said);
    assert.match(down.said, /deploy failed: .*cannot reach the node/);
    assert.match(down.said, /is a node running at http:\/\/127\.0\.0\.1:1\? start one with: npx weft node/);
    assert.doesNotMatch(down.said, /\n\s+at /);
    node = await launchNode(
      join(tmp, "data"),
      ["--port", "0", "--block-time-ms", "100", "--dev-accounts", "2"],
      120_000,
      weftJs,
    );
    const script = run(NPM, ["run", "deploy"], app, { WEFT_RPC: node.url });
    assert.equal(script.code, 0, script.said);
    const recorded = JSON.parse(readFileSync(join(app, "deployments/local.json"), "utf8"));
    assert.match(recorded.counter.address, /^0x[0-9a-f]{40}$/);
    assert.match(recorded.counter.codeHash, /^0x[0-9a-f]{64}$/);
    assert.match(recorded.counter.txHash, /^0x[0-9a-f]{64}$/);
    const cli = weft(
      "--rpc",
      node.url,
      "--json",
      "deploy",
      "counter",
      "60",
      "--from",
      "dev1",
      "--network",
      "devnet",
    );
    assert.equal(cli.code, 0, cli.said);
    const out = JSON.parse(cli.out);
    const devnet = JSON.parse(readFileSync(join(app, "deployments/devnet.json"), "utf8"));
    assert.equal(devnet.counter.address, out.address);
    assert.equal(devnet.counter.codeHash, recorded.counter.codeHash, "the same code");
    assert.notEqual(out.address, recorded.counter.address);
    // The project's contracts by name (deployments/local.json) and decoded by their built metadata.
    const tx = weft("--rpc", node.url, "tx", "counter", "add", "5", "--from", "dev0");
    assert.equal(tx.code, 0, tx.said);
    assert.match(tx.out, /counter\.add: success[\s\S]*event counter\.Counted/, tx.said);
    const read = weft("--rpc", node.url, "call", "counter", "get");
    assert.equal(read.code, 0, read.said);
    assert.equal(read.out.trim(), "5");
  });
});
