/**
 * A project's deploy, call and tx against a node, as the tutorial's user runs them:
 * `weft deploy` rebuilds a contract whose sources changed (instead of deploying the stale
 * wasm) and registers its metadata with the node; `weft verify` takes a project contract's
 * name; `call`/`tx` take `--network` (and WEFT_NETWORK) and say which deployments file they
 * looked in; a recorded address with no code (a reset chain) or other code is named as such;
 * `tx --value` sends coin with the call; a wrong argument count is said in good English.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient, http } from "../../../src/sdk/client/index.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
/** The package root (dist/test/unit/project → ../../../../). */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const NO_CODE = "0x00000000000000000000000000000000000000c0";

describe("a project's deploy, call and tx", () => {
  let dir: string;
  let app: string;
  let node: NodeProcess;
  const weft = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, "--rpc", node.url, ...args], {
      encoding: "utf8",
      cwd: app,
      env: { ...process.env, WEFT_NETWORK: "", ...env }, // "" = unset: the default, local
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const ok = (args: string[], env: Record<string, string> = {}) => {
    const r = weft(args, env);
    assert.equal(r.code, 0, `weft ${args.join(" ")}: ${r.err}${r.out}`);
    return r.out;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-deploy-flow-"));
    app = join(dir, "app");
    node = await startNodeProcess(join(dir, "data"));
    mkdirSync(join(app, "node_modules/@weft-chain"), { recursive: true });
    symlinkSync(PACKAGE_ROOT, join(app, "node_modules/@weft-chain/weft"), "dir");
    ok(["init", ".", "--weft", `file:${PACKAGE_ROOT}`]);
    ok(["build"]);
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploy rebuilds a contract whose sources changed, says so, and registers its metadata", async () => {
    const first = ok(["deploy", "counter", "60", "--from", "dev0"]);
    assert.doesNotMatch(first, /rebuilt/, "built and unchanged: not rebuilt");
    assert.match(first, /metadata registered/);
    appendFileSync(
      join(app, "contracts/counter/main.ts"),
      "\n/** Added after the first build. */\nexport function seven(): u64 {\n  return 7;\n}\n",
    );
    const second = ok(["--json", "deploy", "counter", "60", "--from", "dev0"]);
    const deployed = JSON.parse(second) as { address: string; rebuilt: boolean; verified: boolean };
    assert.equal(deployed.rebuilt, true);
    assert.equal(deployed.verified, true);
    assert.equal(ok(["call", "counter", "seven"]).trim(), "7", "the new code was deployed");
    const client = createClient({ transport: http(node.url) });
    const registered = await client.request<{ name: string } | null>("weft_getContractMetadata", [
      deployed.address,
    ]);
    assert.equal(registered?.name, "counter", "the explorer's metadata source knows it");
    const verified = ok(["verify", "counter", "build/counter.metadata.json"]);
    assert.match(verified, new RegExp(`verified counter at ${deployed.address}`));
  });

  it("tx --value sends coin with the call; a revert is said once; a wrong argument count is singular", async () => {
    const { address } = JSON.parse(ok(["--json", "deploy", "counter", "60", "--from", "dev0"])) as {
      address: string;
    };
    const sent = ok(["--json", "tx", "counter", "add", "2", "--from", "dev0", "--value", "1.5"]);
    assert.equal((JSON.parse(sent) as { status: string }).status, "success");
    const client = createClient({ transport: http(node.url) });
    const account = await client.getAccount(address as `0x${string}`);
    assert.equal(account.balance, 15n * 10n ** 17n);
    const notOwner = weft(["tx", "counter", "sub", "1", "--from", "dev1"]);
    assert.equal(notOwner.code, 4, notOwner.err);
    const lines = notOwner.err.trimEnd().split("\n");
    assert.match(
      lines[0] ?? "",
      /^weft: transaction would revert: NotOwner \(found by the gas estimate; nothing was sent\)$/,
    );
    assert.equal(lines.filter((l) => l.includes(`${address}.sub`)).length, 1, "the failing call, named once");
    assert.equal(lines.filter((l) => /revert/.test(l)).length, 1, `said once:\n${notOwner.err}`);
    const wrong = weft(["call", "counter", "add"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /counter\.add takes 1 argument, got 0/);
  });

  it("call and tx take --network and WEFT_NETWORK; a name not found names the file looked in", () => {
    const record = (address: string, codeHash: string) => ({
      counter: {
        address,
        codeHash,
        txHash: `0x${"0".repeat(64)}`,
        blockNumber: "3",
        chainId: "1337",
        deployedAt: "2026-01-01T00:00:00.000Z",
      },
    });
    mkdirSync(join(app, "deployments"), { recursive: true });
    writeFileSync(join(app, "deployments/old.json"), JSON.stringify(record(NO_CODE, `0x${"1".repeat(64)}`)));
    const reset = weft(["call", "counter", "get", "--network", "old"]);
    assert.equal(reset.code, 2, reset.err);
    assert.match(
      reset.err,
      new RegExp(`no contract at ${NO_CODE} on the chain at http://127\\.0\\.0\\.1:\\d+`),
    );
    assert.match(
      reset.err,
      /deployments\/old\.json records counter there from another chain or an earlier one/,
    );
    const viaEnv = weft(["tx", "counter", "add", "1", "--from", "dev0"], { WEFT_NETWORK: "old" });
    assert.match(viaEnv.err, /no contract at .* on the chain at /);
    const missing = weft(["call", "nothere", "get"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /deployments\/local\.json/);
  });
});
