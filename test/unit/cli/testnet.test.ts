/**
 * `weft testnet` with real processes: 4 validator processes decide one chain, each serving
 * JSON-RPC and the explorer on its port; stopping ends every process cleanly (exit 0) and a
 * second start on the same directory resumes the chain (same genesis, keys, heights go on);
 * a lone validator (a network of 1) makes blocks too. Bad input is refused with a typed error
 * before anything is written.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TestnetError } from "../../../src/node/testnet/errors.js";
import { type RunningTestnet, startTestnet, type TestnetOptions } from "../../../src/node/testnet/launch.js";
import { rpc } from "../../../src/sdk/rpcClient.js";
import { runWeft } from "../../helpers/weftCli.js";

const WEFT = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

/** A base port for `n` RPC and `n` p2p ports, varied so parallel runs rarely meet (PORT_IN_USE: another try). */
async function startOn(options: Omit<TestnetOptions, "port">): Promise<RunningTestnet> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      return await startTestnet({ ...options, port, p2pPort: port + 50, blockTimeMs: 200 });
    } catch (error) {
      if (!(error instanceof TestnetError && error.code === "PORT_IN_USE") || attempt > 5) throw error;
    }
  }
}

const heightOf = async (url: string) => rpc<number>(url, "weft_blockNumber");
const hashAt = async (url: string, h: number) =>
  (await rpc<{ hash: string } | null>(url, "weft_getBlockByNumber", [h]))?.hash;

async function heights(net: RunningTestnet): Promise<number[]> {
  return Promise.all(net.members.map((m) => heightOf(m.url)));
}

async function waitForHeight(net: RunningTestnet, height: number): Promise<void> {
  const until = Date.now() + 90_000;
  let seen: number[] = [];
  while (Date.now() < until) {
    seen = await heights(net);
    if (seen.every((h) => h >= height)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not every validator reached ${height} within 90 s: ${seen}`);
}

describe("weft testnet", () => {
  it("4 validator processes decide one chain, stop cleanly and resume on the same directory", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "weft-testnet-")), "net");
    let net: RunningTestnet | undefined;
    let passed = false;
    try {
      net = await startOn({ dir, validators: 4 });
      assert.equal(new Set(net.members.map((m) => m.url)).size, 4);
      await waitForHeight(net, 3);
      for (const m of net.members) {
        const page = await fetch(m.explorerUrl);
        assert.equal(page.status, 200, `${m.explorerUrl} serves`);
        await page.arrayBuffer();
      }
      const hashes = await Promise.all(net.members.map((m) => hashAt(m.url, 3)));
      assert.equal(new Set(hashes).size, 1, `one block at 3: ${hashes}`);
      const before = await heights(net);
      await net.stop();
      for (const m of net.members) assert.equal(await m.exited, 0, `validator ${m.index} exited cleanly`);
      assert.equal(existsSync(join(dir, "testnet.pid")), false);

      net = await startOn({ dir, validators: 4 });
      const resumed = await heights(net);
      assert.ok(
        resumed.every((h, i) => h >= (before[i] as number)),
        `resumed at ${resumed}, stopped at ${before}`,
      );
      const top = Math.max(...before) + 2;
      await waitForHeight(net, top);
      const again = await Promise.all(net.members.map((m) => hashAt(m.url, 3)));
      assert.deepEqual(again, hashes, "the same chain after the restart");
      const last = await Promise.all(net.members.map((m) => hashAt(m.url, top)));
      assert.equal(new Set(last).size, 1, `one block at ${top}`);
      passed = true;
    } finally {
      await net?.stop();
      // A failed run keeps the validators' logs for a look.
      if (passed) rmSync(join(dir, ".."), { recursive: true, force: true });
      else process.stderr.write(`testnet logs kept in ${dir}\n`);
    }
  });

  it("a lone validator makes blocks, and offers state-sync snapshots at the testnet's interval", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "weft-testnet-")), "one");
    let net: RunningTestnet | undefined;
    try {
      // A node's own default is a snapshot every 1,000 blocks: a node joining a young testnet
      // with --state-sync on found none and exited (NO_SNAPSHOT). The testnet passes its interval.
      net = await startOn({ dir, validators: 1, snapshotInterval: 4 });
      await waitForHeight(net, 9);
      const snapshots = join(dir, "validator-0", "data", "snapshots");
      const until = Date.now() + 60_000;
      while (
        !(
          existsSync(snapshots) &&
          readdirSync(snapshots).some((f) => f === "snapshot-8.bin" || f === "snapshot-4.bin")
        )
      ) {
        assert.ok(Date.now() < until, `no snapshot at 4 or 8 in ${snapshots}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await net?.stop();
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });

  it("the CLI prints its banner, with the full-node join line, on stdout (logs on stderr)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-testnet-cli-"));
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const child = spawn(
      process.execPath,
      [
        WEFT,
        "testnet",
        "--validators",
        "1",
        "--dir",
        join(dir, "net"),
        "--port",
        `${port}`,
        "--p2p-port",
        `${port + 50}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (
        !out.includes("Ctrl-C stops every validator") &&
        Date.now() < deadline &&
        child.exitCode === null
      )
        await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /Weft testnet: 1 validators/, `stdout: ${out}\nstderr: ${err}`);
      assert.match(out, /A full node joins with/);
      assert.match(out, /weft node --genesis .*genesis\.json/);
      assert.match(out, /keys are published, so this network is for testing only/);
      assert.doesNotMatch(err, /Weft testnet:|A full node joins/, "no banner on stderr");
    } finally {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bad input: a typed error, and nothing written", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-testnet-bad-"));
    const refused = async (options: Partial<TestnetOptions>, code: string) => {
      await assert.rejects(
        startTestnet({ dir: join(root, "new"), validators: 4, port: 21_000, ...options }),
        (e: unknown) => e instanceof TestnetError && e.code === code,
        code,
      );
    };
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, "127.0.0.1", resolve));
    try {
      await refused({ validators: 0 }, "BAD_VALIDATORS");
      await refused({ validators: 1000 }, "BAD_VALIDATORS");
      await refused({ port: 65_534 }, "BAD_PORT");
      await refused({ port: 21_000, p2pPort: 21_002 }, "BAD_PORT");
      const port = (held.address() as { port: number }).port;
      await refused({ port, p2pPort: port > 30_000 ? port - 10_000 : port + 10_000 }, "PORT_IN_USE");
      assert.equal(existsSync(join(root, "new")), false, "nothing written for refused input");
      mkdirSync(join(root, "other"));
      writeFileSync(join(root, "other", "notes.txt"), "mine");
      await refused({ dir: join(root, "other"), port: 21_100 }, "DIR_NOT_TESTNET");
      assert.deepEqual(readdirSync(join(root, "other")), ["notes.txt"]);
      // A testnet running on the directory holds its ports too: ALREADY_RUNNING, not PORT_IN_USE.
      mkdirSync(join(root, "running"));
      writeFileSync(join(root, "running", "testnet.pid"), `${process.ppid}\n`);
      await refused(
        { dir: join(root, "running"), port, p2pPort: port > 30_000 ? port - 10_000 : port + 10_000 },
        "ALREADY_RUNNING",
      );
      writeFileSync(join(root, "file"), "");
      await refused({ dir: join(root, "file", "net"), port: 21_100 }, "DIR_UNWRITABLE");
      // The CLI: exit 2, the code and what to do.
      const cli = await runWeft(["testnet", "--validators", "0", "--dir", join(root, "cli")]);
      assert.equal(cli.code, 2);
      assert.match(cli.err, /BAD_VALIDATORS: --validators must be an integer from 1 to 16, got 0/);
    } finally {
      held.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
