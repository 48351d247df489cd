/**
 * What the `weft` command prints and how it fails (issue 14, "a developer's first hour"):
 * contracts named without `--abi`, receipts with their result and events decoded, a
 * proven balance as a number, one rule for amounts, usage errors (exit 2) for bad amounts
 * and addresses, a hint to start a node when none answers; the node's banner, the bots'
 * `--help`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { explorerStaticDir } from "../../../src/node/explorer/index.js";
import { describeCall } from "../../../src/sdk/client/errors.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const BOTS = fileURLToPath(new URL("../../../src/sdk/bots/run.js", import.meta.url));
const TO = "0x00000000000000000000000000000000000000ab";

function run(file: string, args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [file, ...args], { encoding: "utf8", cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("weft CLI output", () => {
  let dir: string;
  let node: NodeProcess;
  const weft = (...args: string[]) => {
    const r = run(CLI, ["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], dir);
    return { ...r, json: () => JSON.parse(r.out) as Record<string, unknown> };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-cli-out-"));
    node = await startNodeProcess(join(dir, "data"));
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("account create a second time says the account exists, sends nothing and exits 2", () => {
    assert.equal(weft("keys", "new", "again").code, 0);
    const first = weft("account", "create", "again", "--from", "dev0");
    assert.equal(first.code, 0, first.err);
    const second = weft("account", "create", "again", "--from", "dev0");
    assert.equal(second.code, 2, second.err);
    assert.match(second.err, /again already has its ed25519 account at 0x[0-9a-f]{40}: nothing sent/);
    assert.match(second.err, /weft send 0x[0-9a-f]{40} <amount> --from dev0/);
  });

  it("a coin send the account cannot afford names the coin transfer, not a call to `address.`", () => {
    assert.equal(weft("keys", "new", "poor").code, 0);
    assert.equal(weft("account", "create", "poor", "--from", "dev0", "--fund", "0.01").code, 0);
    const r = weft("send", TO, "5", "--from", "poor");
    assert.notEqual(r.code, 0);
    assert.match(r.err, /insufficient funds: poor holds 0\.0\d* coin; sending 5 coin with a fee of up to/);
    assert.doesNotMatch(r.err, /0x0+ab\. fails/);
  });

  it("calls and sends to genesis contracts by name, and to deployed shipped code by address, without --abi", () => {
    const byName = weft("--json", "call", "wusd", "decimals");
    assert.equal(byName.code, 0, byName.err);
    assert.equal(byName.json().result, "18");
    const wusd = (weft("--json", "call", "wusd", "symbol").json().result as string) ?? "";
    assert.equal(wusd, "WUSD");
    const deployed = weft("--json", "deploy", "token", "Mine", "MINE", "6", "1000e6", TO, "--from", "dev2");
    assert.equal(deployed.code, 0, deployed.err);
    const token = deployed.json().address as string;
    const supply = weft("--json", "call", token, "totalSupply");
    assert.equal(supply.code, 0, supply.err);
    assert.equal(supply.json().result, "1000000000", "1000e6: the raw integer 1000 × 10^6");
    const unknown = weft("call", TO, "balanceOf", TO);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no metadata known for the contract at 0x0{38}ab\n.*--abi <name>/);
    const notAName = weft("call", "wusdd", "decimals");
    assert.equal(notAName.code, 2);
    assert.match(notAName.err, /neither an address nor a genesis contract\n.*wusd, weth/);
  });

  it("tx --json decodes the return value and the events", () => {
    const sent = weft("--json", "tx", "weth", "transfer", TO, "2e18", "--from", "dev1");
    assert.equal(sent.code, 0, sent.err);
    const receipt = sent.json() as {
      result: unknown;
      output: string;
      events: Array<{ contract: string; event: string; args: Record<string, string> }>;
    };
    assert.equal(receipt.result, true);
    assert.equal(receipt.output, "0x01", "the raw output stays");
    const transfer = receipt.events.find((e) => e.contract === "weth" && e.event === "Transfer");
    assert.ok(transfer, JSON.stringify(receipt.events));
    assert.equal(transfer.args.to, TO);
    assert.equal(transfer.args.amount, (2n * 10n ** 18n).toString());
    const human = weft("tx", "weth", "transfer", TO, "1", "--from", "dev1");
    assert.match(
      human.out,
      /returned true\n {2}event weth\.Transfer\(from: 0x[0-9a-f]{40}, to: 0x0{38}ab, amount: 1\)/,
    );
  });

  it("proof prints a coin balance as a number, not little-endian hex", () => {
    assert.equal(weft("send", TO, "1.25", "--from", "dev0").code, 0);
    const proof = weft("--json", "proof", TO);
    assert.equal(proof.code, 0, proof.err);
    assert.equal(proof.json().balance, (125n * 10n ** 16n).toString());
    const human = weft("proof", TO);
    assert.match(human.out, /balance +1\.25 coin \(1250000000000000000 smallest units\)/);
    assert.match(human.out, /value +0x[0-9a-f]+ \(u128 little-endian\)/);
  });

  it("refuses negative and oversized amounts and out-of-range integers as usage errors (exit 2)", () => {
    const negative = weft("send", TO, "-1", "--from", "dev0");
    assert.equal(negative.code, 2, negative.err);
    assert.match(negative.err, /amount: must not be negative/);
    assert.equal(weft("send", TO, "-5", "--raw", "--from", "dev0").code, 2);
    assert.equal(weft("send", TO, `${2n ** 128n}`, "--raw", "--from", "dev0").code, 2);
    assert.equal(weft("transfer", "wusd", TO, "-3", "--from", "dev0").code, 2);
    const u8 = weft("deploy", "token", "A", "A", "300", "1", TO, "--from", "dev0");
    assert.equal(u8.code, 2);
    assert.match(u8.err, /argument decimals_?: 300 is out of range for u8 \(0 to 255\)/);
    const fraction = weft("tx", "wusd", "transfer", TO, "1.5", "--from", "dev0");
    assert.equal(fraction.code, 2);
    assert.match(fraction.err, /expected an integer \(u128\) such as 1000 or 1000e6/);
    const json = weft("--json", "send", TO, "-1", "--from", "dev0");
    assert.equal(JSON.parse(json.err).error.exitCode, 2);
  });

  it("account show of a malformed address says so, not 'no key named'", () => {
    const shown = weft("account", "show", "0xabc");
    assert.equal(shown.code, 2);
    assert.match(shown.err, /0xabc is not an address: an address is 0x \+ 40 hex digits/);
    assert.doesNotMatch(shown.err, /no key named/);
  });

  it("the node's banner shows the explorer and metrics URLs and what to do next; logs are JSON off a terminal", async () => {
    // The banner is on stderr, read apart from the "node started" log line: wait until it is all here.
    for (let i = 0; i < 100 && !node.stderr.join("\n").includes("weft call wusd balanceOf"); i++)
      await new Promise((r) => setTimeout(r, 50));
    const banner = node.stderr.join("\n");
    const url = node.url.replace(/\/$/, "");
    assert.ok(banner.includes(`explorer   ${url}/explorer`), banner);
    assert.ok(banner.includes(`metrics    ${url}/metrics`), banner);
    assert.match(banner, /Next, in another terminal:\n {2}alias weft="node .*dist\/src\/cli\/weft\.js"/);
    assert.ok(banner.includes(`export WEFT_RPC=${url}`), banner);
    assert.match(banner, /weft call wusd balanceOf 0x[0-9a-f]{40}/);
    assert.ok(node.logs.length > 0 && node.logs.every((l) => typeof l.level === "number"));
    assert.ok(!banner.includes('"level"'), "no JSON log line on the banner's stream");
  });
});

describe("weft CLI without a node", () => {
  it("says how to start one when none answers", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = run(CLI, ["--rpc", url, "account", "show", "dev0"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot reach the node/);
    assert.match(
      r.err,
      /start one in another terminal with: npx weft node \(npm start in the Weft repository\)/,
    );
    assert.match(r.err, /--rpc <url> or WEFT_RPC=<url>/);
  });
});

describe("messages for people", () => {
  it("a coin send is described as a coin transfer, not as a call with an empty method", () => {
    assert.equal(describeCall({ target: TO, method: "", value: 5n }), `coin transfer of 5 to ${TO}`);
    assert.equal(describeCall({ target: TO, method: "transfer" }), `${TO}.transfer`);
  });

  it("weft --help says to start a node, the rule for amounts and the exit codes", () => {
    const help = run(CLI, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /Start a node first \(npx weft node; npm start in the Weft repository\)/);
    assert.match(help.out, /Amounts: send, transfer and --fund take whole coin or tokens/);
    assert.match(help.out, /Exit codes: 0 done, 1 failed, 2 bad usage/);
  });

  it("the explorer lists a coin send as coin to its recipient, not as an empty method", async () => {
    const dir = explorerStaticDir();
    assert.ok(dir !== undefined);
    const values = (await import(pathToFileURL(join(dir, "values.js")).href)) as {
      callSummary(registry: unknown, calls: unknown[]): { text: string };
    };
    const registry = { label: () => ({ name: "dev1" }) };
    const coin = values.callSummary(registry, [{ target: TO, method: "", value: "5", args: "0x" }]).text;
    assert.match(coin, /coin <span class="muted">→ dev1<\/span>/);
    assert.doesNotMatch(coin, /dev1\.</);
    const call = values.callSummary(registry, [
      { target: TO, method: "transfer", value: "0", args: "0x" },
    ]).text;
    assert.match(call, /dev1\.<\/span>transfer/);
  });

  it("the bots' --help lists the commands and options, not a source file", () => {
    const help = run(BOTS, ["--help"]);
    assert.equal(help.code, 0);
    assert.doesNotMatch(help.out, /src\/sdk\/bots\/run\.ts|see the top of/);
    for (const word of ["backtest", "live", "generate", "--series", "--nudge", "--levels", "npm run bots --"])
      assert.ok(help.out.includes(word), word);
    const bad = run(BOTS, ["frobnicate"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown command frobnicate/);
    assert.equal(run(BOTS, ["--bogus"]).code, 2);
  });

  it("npm run bots -- --help answers without the build check (no npm on PATH: a build would fail)", () => {
    const script = fileURLToPath(new URL("../../../../scripts/bots.mjs", import.meta.url));
    const help = spawnSync(process.execPath, [script, "--help"], {
      encoding: "utf8",
      env: { ...process.env, PATH: "" },
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: npm run bots -- <command>/);
  });
});
