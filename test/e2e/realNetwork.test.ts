/**
 * docs/validators.md "A real network", run as written: its `sh` block's commands in order in a
 * fresh directory (the `csv` block above it as `treasury.csv`), each `weft node` started as a
 * process, with free ports in place of the page's and each validator's printed multiaddr in
 * place of `<validator i's multiaddr>`. No development accounts: the operators' accounts are the
 * genesis's `--account`s, and operator op0 signs an unbonding from its own. Then the chain is
 * checked through every node: op0's stake 1 coin lower, the same blocks everywhere.
 *
 * Before `--account` existed the genesis step failed (unknown option), and a network without
 * development accounts had no account that could send anything.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readGenesisFile } from "../../src/chain/genesisFile.js";
import { rpc } from "../../src/sdk/rpcClient.js";
import { docBlock } from "../helpers/docWalkthrough.js";
import { runWeft, WEFT_CLI } from "../helpers/weftCli.js";

const DOC = fileURLToPath(new URL("../../../docs/validators.md", import.meta.url));
const HEADING = "## A real network";

/** The block's commands, backslash continuations joined, each split into words (a `<placeholder>` is one). */
function commands(): string[][] {
  return (
    docBlock(DOC, HEADING, "sh")
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      // A <placeholder> is one word with what it touches, spaces and all.
      .map((line) => [...line.matchAll(/(?:<[^>]*>|[^\s<])+/g)].map((m) => m[0]))
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  multiaddr: string;
  log: string[];
}

/** Starts a `weft node` command; resolves once it serves RPC, with the p2p address it printed. */
function startNode(args: string[], cwd: string): Promise<Started> {
  const child = spawn(process.execPath, [WEFT_CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  let multiaddr: string | undefined;
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) => log.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${log.join("\n")}`)), 300_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      log.push(line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry.msg === "p2p started")
        multiaddr = (entry.addresses as string[]).find((a) => a.startsWith("/ip4/127.0.0.1/"));
      if (entry.msg === "node started") {
        clearTimeout(timer);
        if (multiaddr === undefined) reject(new Error(`no p2p address printed:\n${log.join("\n")}`));
        else resolve({ child, multiaddr, log });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before starting:\n${log.join("\n")}`));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 240_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("docs/validators.md: a real network", { timeout: 900_000 }, () => {
  it("runs as written: genesis accounts, 4 validators over libp2p, an operator signing from its account", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-real-network-"));
    const nodes: Started[] = [];
    try {
      writeFileSync(join(dir, "treasury.csv"), docBlock(DOC, HEADING, "csv"));
      // The page's ports, each replaced by a free one.
      const ports = new Map<string, string>();
      const urls: string[] = [];
      for (const cmd of commands())
        for (const word of cmd)
          for (const m of word.matchAll(/(?:tcp\/|127\.0\.0\.1:)(\d{4,5})|^(\d{4,5})$/g)) {
            const port = (m[1] ?? m[2]) as string;
            if (!ports.has(port)) ports.set(port, String(await freePort()));
          }
      const multiaddrs: string[] = [];
      let op0 = "";
      for (const raw of commands()) {
        assert.equal(raw[0], "weft", `a weft command: ${raw.join(" ")}`);
        const args = raw.slice(1).map((word, i, all) => {
          let w = word.replace(/(tcp\/|127\.0\.0\.1:)(\d{4,5})/g, (_m, pre, p) => `${pre}${ports.get(p)}`);
          if (all[i - 1] === "--port") w = ports.get(w) ?? w;
          w = w.replace(/<validator (\d)'s multiaddr>/g, (_m, n) => multiaddrs[Number(n)] ?? "?");
          return w.replace("<op0's account>", op0);
        });
        if (args[0] === "node") {
          const started = await startNode(args, dir);
          nodes.push(started);
          multiaddrs.push(started.multiaddr);
          const port = args[args.indexOf("--port") + 1] as string;
          urls.push(`http://127.0.0.1:${port}`);
          continue;
        }
        if (args[0] === "validator" && args[1] === "unbond")
          // Consensus runs once all four are up: the unbonding needs committed blocks.
          await Promise.all(
            urls.map((url) =>
              waitFor(`block 2 at ${url}`, async () =>
                (await rpc<number>(url, "weft_blockNumber")) >= 2 ? true : undefined,
              ),
            ),
          );
        const run = await runWeft(args, { cwd: dir });
        assert.equal(run.code, 0, `weft ${args.join(" ")}: ${run.err}${run.out}`);
        if (args[0] === "genesis") {
          const file = readGenesisFile(join(dir, "genesis.json"));
          assert.equal(file.devAccounts, 0, "no development accounts");
          assert.equal(file.accounts?.length, 4);
          op0 = file.network.validators[0]?.operator as string;
          assert.equal(op0, file.accounts?.[0]?.address, "op0 operates validator 0 from its genesis account");
        }
        if (args[0] === "validator" && args[1] === "unbond")
          assert.match(run.out, /unbonding from 0x[0-9a-f]{40}: success/);
        if (args[0] === "validator" && args[1] === "list")
          assert.match(
            run.out,
            new RegExp(`${op0}\\s+999\\s`),
            `op0's stake is 999 as node 3 sees it:\n${run.out}`,
          );
      }
      assert.equal(nodes.length, 4, "the page starts 4 validators");
      assert.ok(op0 !== "", "the page unbonds from op0's account");
      // One chain: every node holds the same block at a height all have passed.
      const height = Math.min(...(await Promise.all(urls.map((u) => rpc<number>(u, "weft_blockNumber")))));
      const hashes = await Promise.all(
        urls.map(
          async (u) =>
            ((await rpc<{ hash: string }>(u, "weft_getBlockByNumber", [height])) as { hash: string }).hash,
        ),
      );
      assert.equal(new Set(hashes).size, 1, `block ${height}: ${hashes.join(" ")}`);
    } finally {
      for (const n of nodes) n.child.kill("SIGTERM");
      await Promise.all(
        nodes.map((n) => new Promise((r) => (n.child.exitCode !== null ? r(null) : n.child.once("exit", r)))),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
