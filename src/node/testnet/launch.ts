/**
 * Starting and stopping a local testnet (`weft testnet`): one `weft node` process per
 * validator (`layout.ts` gives each its keys and data directory), validator i serving JSON-RPC
 * and its explorer on `port + i` and peer-to-peer on `p2pPort + i`, all on 127.0.0.1, each
 * dialing every other. Each process's output goes to its `node.log`. `stop` sends SIGTERM to
 * every process and waits for each to exit (SIGKILL after `stopTimeoutMs`): each node flushes
 * its database and keeps its last-signed record, so the next start resumes the chain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { TestnetError } from "./errors.js";
import { checkValidatorCount, openLayout, type TestnetLayout } from "./layout.js";

const CLI = fileURLToPath(new URL("../../cli/weft.js", import.meta.url));

/** A testnet's validators take a snapshot every this many blocks by default (its epoch length). */
export const TESTNET_SNAPSHOT_INTERVAL = 100;

export interface TestnetOptions {
  dir: string;
  validators: number;
  /** Validator i serves JSON-RPC on `port + i`. */
  port: number;
  /** Validator i listens for peers on `p2pPort + i` (default `port + 100`). */
  p2pPort?: number;
  /** The chain id of a new testnet (default 4242); a resumed one keeps its own. */
  chainId?: bigint;
  /** A block per this many ms, with transactions or without (default 1000). */
  blockTimeMs?: number;
  /**
   * Each validator offers a state-sync snapshot every this many blocks (default
   * `TESTNET_SNAPSHOT_INTERVAL`, the testnet's epoch length; 0: none), so that a node joining
   * with `--state-sync on` finds one within minutes, not after the node default's 1,000 blocks.
   */
  snapshotInterval?: number;
  /** Each node must serve within this long (default 120 s). */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface TestnetMember {
  index: number;
  url: string;
  wsUrl: string;
  explorerUrl: string;
  p2p: string;
  child: ChildProcess;
  log: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string | null>;
}

export interface RunningTestnet {
  layout: TestnetLayout;
  members: TestnetMember[];
  /** Stops every validator and waits for each to exit. */
  stop(): Promise<void>;
}

export async function startTestnet(options: TestnetOptions): Promise<RunningTestnet> {
  const n = options.validators;
  checkValidatorCount(n);
  const p2pPort = options.p2pPort ?? options.port + 100;
  checkPorts(options.port, p2pPort, n);
  // Every check that can refuse comes before anything is written (no half-made directory).
  // A testnet already running on the directory first: it holds the ports too, and PORT_IN_USE
  // would not say whose they are.
  refuseIfRunning(join(options.dir, "testnet.pid"));
  for (let i = 0; i < n; i++) {
    await free(options.port + i, `validator ${i}'s JSON-RPC`);
    await free(p2pPort + i, `validator ${i}'s peer-to-peer`);
  }
  const layout = await openLayout(options.dir, n, options.chainId ?? 4242n);
  const pidFile = join(layout.dir, "testnet.pid");
  claim(pidFile);
  const members: TestnetMember[] = [];
  const stop = async () => {
    await Promise.all(members.map((m) => stopChild(m, options.stopTimeoutMs ?? 30_000)));
    rmSync(pidFile, { force: true });
  };
  try {
    const address = (j: number) =>
      `/ip4/127.0.0.1/tcp/${p2pPort + j}/p2p/${layout.members[j]?.peerId as string}`;
    const starting = layout.members.map((m, i) => {
      const peers = layout.members
        .map((_, j) => j)
        .filter((j) => j !== i)
        .map(address);
      const args = [
        CLI,
        "node",
        "--genesis",
        layout.genesisFile,
        "--validator-key",
        m.validatorKey,
        "--data-dir",
        m.dataDir,
        "--node-key",
        m.nodeKey,
        "--host",
        "127.0.0.1",
        "--port",
        String(options.port + i),
        "--p2p-listen",
        `/ip4/127.0.0.1/tcp/${p2pPort + i}`,
        ...(peers.length > 0 ? ["--peers", peers.join(",")] : []),
        "--block-time-ms",
        String(options.blockTimeMs ?? 1000),
        "--snapshot-interval",
        String(options.snapshotInterval ?? TESTNET_SNAPSHOT_INTERVAL),
        "--workers",
        "1",
        "--admission-workers",
        "0",
        "--rpc-call-workers",
        "0",
      ];
      return launch(i, args, m.log, address(i));
    });
    for (const s of starting) members.push(s.member);
    await Promise.all(starting.map((s) => s.ready(options.startTimeoutMs ?? 120_000)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { layout, members, stop };
}

/** Starts validator `index`'s process; `ready` resolves once it serves RPC. */
function launch(index: number, args: string[], log: string, p2p: string) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const out = createWriteStream(log, { flags: "a" });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => {
      out.end();
      resolve(code ?? signal);
    }),
  );
  const member: TestnetMember = { index, url: "", wsUrl: "", explorerUrl: "", p2p, child, log, exited };
  let started: (() => void) | undefined;
  const serving = new Promise<void>((resolve) => {
    started = resolve;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    out.write(`${line}\n`);
    if (member.url !== "" || !line.includes('"node started"')) return;
    try {
      const entry = JSON.parse(line) as { url?: string; ws?: string };
      member.url = String(entry.url).replace(/\/$/, "");
      member.wsUrl = String(entry.ws);
      member.explorerUrl = `${member.url}/explorer`;
      started?.();
    } catch {
      // not a log line
    }
  });
  const ready = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(startFailed(index, log, `did not serve within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void serving.then(() => {
        clearTimeout(timer);
        resolve();
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(startFailed(index, log, `exited with ${code} before serving`));
      });
    });
  return { member, ready };
}

function startFailed(index: number, log: string, what: string): TestnetError {
  let tail: string[] = [];
  try {
    tail = readFileSync(log, "utf8").trimEnd().split("\n").slice(-8);
  } catch {
    // no log yet
  }
  return new TestnetError("START_FAILED", `validator ${index} ${what} (its log: ${log})`, tail);
}

async function stopChild(m: TestnetMember, timeoutMs: number): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  m.child.kill("SIGTERM");
  const timer = setTimeout(() => m.child.kill("SIGKILL"), timeoutMs);
  await m.exited;
  clearTimeout(timer);
}

function checkPorts(port: number, p2pPort: number, n: number): void {
  for (const [flag, p] of [
    ["--port", port],
    ["--p2p-port", p2pPort],
  ] as const) {
    if (!Number.isSafeInteger(p) || p < 1 || p + n - 1 > 65_535)
      throw new TestnetError("BAD_PORT", `${flag} ${p}: ports ${p} to ${p + n - 1} must lie in 1..65535`);
  }
  if (port < p2pPort + n && p2pPort < port + n)
    throw new TestnetError(
      "BAD_PORT",
      `RPC ports ${port}..${port + n - 1} overlap peer-to-peer ports ${p2pPort}..${p2pPort + n - 1}`,
      ["give --p2p-port a base at least --validators away from --port"],
    );
}

/** Throws PORT_IN_USE unless `port` can be listened on at 127.0.0.1. */
function free(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new TestnetError("PORT_IN_USE", `port ${port} (${what}) is in use on 127.0.0.1: ${error.code}`, [
          "stop what holds it, or pick other ports with --port and --p2p-port",
        ]),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Writes this process's pid into `path`, unless a live `weft testnet` holds it. */
function claim(path: string): void {
  refuseIfRunning(path);
  writeFileSync(path, `${process.pid}\n`);
}

/** Throws ALREADY_RUNNING when the pid in `path` is another live process. */
function refuseIfRunning(path: string): void {
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(path, "utf8").trim());
  } catch {
    holder = undefined;
  }
  if (
    holder !== undefined &&
    Number.isSafeInteger(holder) &&
    holder > 0 &&
    holder !== process.pid &&
    alive(holder)
  )
    throw new TestnetError(
      "ALREADY_RUNNING",
      `a weft testnet (pid ${holder}) is already running on this directory`,
      [`stop it first (kill ${holder}), or give another --dir`],
    );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
