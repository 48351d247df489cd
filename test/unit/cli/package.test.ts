/**
 * The package as a developer gets it (docs/tutorial.md): `npm pack` this repository (its
 * files: the docs it points to included), `npx -p <tarball> weft init my-app` from outside
 * any project (the tarball becomes the project's dependency), `npm install` there, then
 * `weft build`, `weft test` (the scaffold's TypeScript tests, compiled, on the in-process
 * chain), and the deploy script and `weft deploy` against a node started from the installed
 * package, which record deployments/<network>.json and keep a replaced deployment under
 * `previous`; a deployment signed by a key held in an environment variable, not a dev key.
 * Installs from the npm cache (--prefer-offline).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { genesisToJson } from "../../../src/chain/genesisFile.js";
import { networkStakingAddress } from "../../../src/chain/staking/genesisStaking.js";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { CHAIN_ID, networkSpec } from "../../helpers/validatorHosts.js";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NAME = "@weft-chain/weft";
const OFFLINE = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

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
  let tarball: string;
  let weftJs: string;
  let node: NodeProcess | undefined;
  const weft = (...args: string[]) => run(process.execPath, [weftJs, ...args], app);
  const weftWith = (env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, [weftJs, ...args], app, env);

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "weft-package-"));
    app = join(tmp, "my-app");
    weftJs = join(app, "node_modules", NAME, "dist/src/cli/weft.js");
  });
  after(async () => {
    if (node !== undefined) {
      node.child.kill("SIGTERM");
      await node.exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it("packs under its scoped name with the docs it points to", () => {
    const pack = run(NPM, ["pack", "--pack-destination", tmp, "--json", "--loglevel=error"], REPO);
    assert.equal(pack.code, 0, pack.said);
    const [packed] = JSON.parse(pack.out) as [{ name: string; filename: string; files: { path: string }[] }];
    assert.equal(packed.name, NAME);
    tarball = join(tmp, packed.filename);
    const files = new Set(packed.files.map((f) => f.path));
    for (const file of [
      "docs/tutorial.md",
      "docs/sdk.md",
      "docs/host-abi.md",
      "docs/rpc.md",
      "README.md",
      "templates/project/test/counter.test.ts",
      "dist/src/cli/weft.js",
      "contracts/sdk/index.ts",
    ])
      assert.ok(files.has(file), `${file} is in the tarball`);
    assert.ok(
      ![...files].some((f) => f.startsWith("test/") || f.startsWith("dist/test/")),
      "no tests shipped",
    );
  });

  it("npx -p <tarball> weft init my-app, from outside any project, scaffolds a project depending on that tarball", () => {
    const init = run(
      NPM,
      ["exec", "--yes", ...OFFLINE, "--package", tarball, "--", "weft", "init", "my-app"],
      tmp,
    );
    assert.equal(init.code, 0, init.said);
    assert.match(init.out, /created a Weft project/);
    assert.match(init.out, /cd my-app\n\s+npm install\n/, init.said);
    for (const file of [
      "weft.json",
      "README.md",
      ".gitignore",
      "contracts/counter/main.ts",
      "test/counter.test.ts",
      "scripts/deploy.mjs",
    ])
      assert.ok(existsSync(join(app, file)), `${file} written`);
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    assert.equal(pkg.dependencies[NAME], `file:${tarball}`, "the tarball npx ran is the dependency");
    assert.equal(pkg.dependencies.weft, undefined, "not the unrelated registry package weft");
    assert.equal(pkg.scripts.test, "weft test");
    const install = run(NPM, ["install", ...OFFLINE], app);
    assert.equal(install.code, 0, install.said);
    assert.ok(existsSync(weftJs), install.said);
    // The node's weft_verifyEvmSource compiles with solc-js: installed with the package.
    assert.ok(existsSync(join(app, "node_modules", "solc", "soljson.js")), "solc is installed with weft");
    assert.equal(weft("init").code, 2, "a second init refuses to overwrite");
  });

  it("its light-client export loads from the installed package and derives the genesis staking contract", () => {
    const spec = networkSpec(2, { epochLength: 5n });
    writeFileSync(
      join(tmp, "genesis.json"),
      JSON.stringify(genesisToJson({ chainId: CHAIN_ID, genesisTime: 0, network: spec })),
    );
    const script = [
      `import { readFileSync } from "node:fs";`,
      `import { advanceTrustedSet, genesisValidators } from "${NAME}/light-client";`,
      `const g = genesisValidators(readFileSync(${JSON.stringify(join(tmp, "genesis.json"))}, "utf8"));`,
      `if (typeof advanceTrustedSet !== "function") throw new Error("no advanceTrustedSet");`,
      `console.log(JSON.stringify({ staking: g.staking, size: g.set.size, epochLength: g.epochLength }));`,
    ].join("\n");
    const loaded = run(process.execPath, ["--input-type=module", "-e", script], app);
    assert.equal(loaded.code, 0, loaded.said);
    assert.deepEqual(JSON.parse(loaded.out), {
      staking: networkStakingAddress(spec.unbondingSeconds),
      size: 2,
      epochLength: 5,
    });
  });

  it("weft init in a folder of one's own keeps its README and its dependency on the package", () => {
    const mine = join(tmp, "mine");
    mkdirSync(mine);
    writeFileSync(join(mine, "README.md"), "# mine\n");
    writeFileSync(
      join(mine, "package.json"),
      JSON.stringify({ name: "mine", dependencies: { [NAME]: "^0.1.0" } }),
    );
    const outside = run(process.execPath, [weftJs, "build"], mine);
    assert.equal(outside.code, 2, `outside a project there is nothing to build: ${outside.said}`);
    assert.match(outside.err, /weft init/);
    const created = run(process.execPath, [weftJs, "init"], mine);
    assert.equal(created.code, 0, created.said);
    assert.equal(
      readFileSync(join(mine, "README.md"), "utf8"),
      "# mine\n",
      "the folder's own README is kept",
    );
    const pkg = JSON.parse(readFileSync(join(mine, "package.json"), "utf8"));
    assert.equal(pkg.dependencies[NAME], "^0.1.0");
    assert.equal(pkg.type, "module");
  });

  it("builds the contract and passes the scaffold's TypeScript tests on the in-process chain", () => {
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
    assert.ok(existsSync(join(app, "build/test/counter.test.js")), "compiled to build/test");
    // The tests type-check with the tsconfig weft init wrote (what an editor uses); the contracts'
    // tsconfig finds AssemblyScript's types and the SDK through the package's exports.
    const tsc = join(app, "node_modules/typescript/bin/tsc");
    const check = run(process.execPath, [tsc, "--noEmit", "-p", "."], app);
    assert.equal(check.code, 0, check.said);
    const contracts = run(process.execPath, [tsc, "-p", "contracts", "--listFilesOnly"], app);
    for (const file of ["assemblyscript/std/assembly/index.d.ts", `${NAME}/contracts/sdk/index.ts`])
      assert.ok(
        contracts.out.includes(`node_modules/${file}`),
        `${file} in the contracts' program: ${contracts.said}`,
      );
    // Tests chosen by name: --test-name-pattern (alias --grep), or node's own option after --.
    const grep = weft("test", "--grep", "adds");
    assert.match(grep.out, /# pass 1\n[\s\S]*# fail 0/, grep.said);
    const passed = weft("test", "test/counter.test.ts", "--", "--test-name-pattern=cooldown");
    assert.match(passed.out, /ok \d+ - resets only after the cooldown[\s\S]*# pass 1\n/, passed.said);
    // A failing TypeScript test fails the run, its stack naming the .ts line.
    writeFileSync(
      join(app, "test/broken.test.ts"),
      'import assert from "node:assert/strict";\nimport { it } from "node:test";\n\nconst n: number = 1;\nit("fails", () => {\n  assert.equal(n, 2);\n});\n',
    );
    const broken = weft("test", "test/broken.test.ts");
    rmSync(join(app, "test/broken.test.ts"));
    assert.equal(broken.code, 1, broken.said);
    assert.match(broken.out, /# fail 1/, broken.said);
    assert.ok(
      broken.out.includes(`${join(app, "test", "broken.test.ts")}:6`),
      `the stack names the TypeScript file and line: ${broken.said}`,
    );
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
    // Read back later: the receipt by its hash, the event among the contract's past events.
    const hash = /tx (0x[0-9a-f]{64}) in block/.exec(tx.out)?.[1] as string;
    const receipt = weft("--rpc", node.url, "receipt", hash);
    assert.equal(receipt.code, 0, receipt.said);
    assert.match(receipt.out, /^counter\.add: success[\s\S]*event counter\.Counted/, receipt.said);
    const logs = weft("--rpc", node.url, "logs", "counter", "Counted");
    assert.equal(logs.code, 0, logs.said);
    assert.match(
      logs.out,
      new RegExp(`^\\d+ logs? of counter \\(Counted\\)[\\s\\S]*tx ${hash}: counter\\.Counted\\(`),
      logs.said,
    );
    const read = weft("--rpc", node.url, "call", "counter", "get");
    assert.equal(read.code, 0, read.said);
    assert.equal(read.out.trim(), "5");
  });

  it("a second deployment of a name keeps the first under previous and says so", () => {
    assert.ok(node !== undefined);
    const first = JSON.parse(readFileSync(join(app, "deployments/local.json"), "utf8")).counter;
    const again = weft("--rpc", node.url, "deploy", "counter", "60", "--from", "dev0");
    assert.equal(again.code, 0, again.said);
    assert.match(again.out, new RegExp(`counter was ${first.address} .*kept under "previous"`), again.said);
    const local = JSON.parse(readFileSync(join(app, "deployments/local.json"), "utf8"));
    assert.notEqual(local.counter.address, first.address);
    assert.deepEqual(local.counter.previous, [first], "the earlier record, whole");
    const script = run(NPM, ["run", "deploy"], app, { WEFT_RPC: node.url });
    assert.equal(script.code, 0, script.said);
    assert.match(script.out, new RegExp(`replaces counter at ${local.counter.address}`), script.said);
    const third = JSON.parse(readFileSync(join(app, "deployments/local.json"), "utf8")).counter;
    assert.deepEqual(
      third.previous.map((r: { address: string }) => r.address),
      [local.counter.address, first.address],
      "newest first",
    );
    // The name now means the newest deployment.
    const read = weft("--rpc", node.url, "call", "counter", "get");
    assert.equal(read.out.trim(), "0", read.said);
  });

  it("deploys from a key held in an environment variable (no dev key, nothing secret on the command line)", () => {
    assert.ok(node !== undefined);
    const rpc = node.url;
    const keystore = join(tmp, "keys");
    assert.equal(weft("--rpc", rpc, "--keystore", keystore, "keys", "new", "ops").code, 0);
    const created = weft("--rpc", rpc, "--keystore", keystore, "account", "create", "ops", "--from", "dev0");
    assert.equal(created.code, 0, created.said);
    const ops = JSON.parse(readFileSync(join(keystore, "ops.json"), "utf8")) as {
      secret: string;
      account: string;
    };
    // weft deploy --private-key-env: the account is the factory's account for that key.
    const cli = weftWith(
      { OPS_KEY: `0x${ops.secret}` },
      "--rpc",
      rpc,
      "--json",
      "deploy",
      "counter",
      "60",
      "--private-key-env",
      "OPS_KEY",
      "--network",
      "prod",
    );
    assert.equal(cli.code, 0, cli.said);
    const prod = JSON.parse(readFileSync(join(app, "deployments/prod.json"), "utf8"));
    assert.equal(prod.counter.address, JSON.parse(cli.out).address);
    // The key's account owns it: it may subtract (tx signed the same way), a development account may not.
    const sub = weftWith(
      { OPS_KEY: ops.secret },
      "--rpc",
      rpc,
      "tx",
      prod.counter.address,
      "sub",
      "0",
      "--private-key-env",
      "OPS_KEY",
    );
    assert.equal(sub.code, 0, sub.said);
    const notOwner = weft("--rpc", rpc, "tx", prod.counter.address, "sub", "0", "--from", "dev0");
    assert.equal(notOwner.code, 4, notOwner.said);
    assert.match(notOwner.said, /NotOwner/);
    // The deploy script reads WEFT_PRIVATE_KEY.
    const script = run(NPM, ["run", "deploy"], app, {
      WEFT_RPC: rpc,
      WEFT_NETWORK: "prod2",
      WEFT_PRIVATE_KEY: ops.secret,
    });
    assert.equal(script.code, 0, script.said);
    assert.ok(existsSync(join(app, "deployments/prod2.json")), script.said);
    // A bad key is a usage error that does not echo the variable's content; a key with no account is named.
    const bad = weftWith({ WEFT_PRIVATE_KEY: "not-a-key-at-all" }, "--rpc", rpc, "deploy", "counter", "60");
    assert.equal(bad.code, 2, bad.said);
    assert.match(bad.err, /WEFT_PRIVATE_KEY does not hold a private key/);
    assert.doesNotMatch(bad.err, /not-a-key-at-all/);
    const stranger = weftWith(
      { K: "11".repeat(32) },
      "--rpc",
      rpc,
      "deploy",
      "counter",
      "60",
      "--private-key-env",
      "K",
    );
    assert.equal(stranger.code, 2, stranger.said);
    assert.match(stranger.err, /no account at 0x[0-9a-f]{40} for this key/);
    const strangerScript = run(NPM, ["run", "deploy"], app, {
      WEFT_RPC: rpc,
      WEFT_PRIVATE_KEY: "11".repeat(32),
    });
    assert.equal(strangerScript.code, 1, strangerScript.said);
    assert.match(
      strangerScript.err,
      /no account at 0x[0-9a-f]{40}[\s\S]*set WEFT_ACCOUNT/,
      strangerScript.said,
    );
    const unset = weft("--rpc", rpc, "deploy", "counter", "60", "--private-key-env", "NOT_SET_ANYWHERE");
    assert.equal(unset.code, 2, unset.said);
    assert.match(unset.err, /NOT_SET_ANYWHERE is not set/);
  });
});
