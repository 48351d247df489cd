/**
 * A validator network of real `weft node` processes on loopback, as an operator runs one
 * (docs/validators.md): `weft genesis new` writes the genesis and the validators' BLS key
 * files, then each validator is `weft node --genesis <file> --validator-key <file>
 * --p2p-listen <multiaddr> --peers <multiaddrs>` with its own data directory, RPC port and
 * p2p port. Every link between two nodes is a `LinkProxy` the harness can cut.
 *
 * The harness does to the processes what an operator's bad day does: SIGKILL, SIGSTOP and
 * SIGCONT, SIGTERM and start again, a partition. It never reaches into a node.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { loadOrCreateNodeKey } from "../../../src/net/nodeKey.js";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { LinkProxy } from "./linkProxy.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

export type NodeState = "running" | "paused" | "down";

export interface ClusterOptions {
  /** A directory of its own: genesis.json and one directory per node. */
  root: string;
  validators: number;
  chainId?: bigint;
  /** Full nodes after the validators (no key, not in the genesis; every validator's peer all the same). */
  fullNodes?: number;
  /** Extra `weft genesis new` flags, e.g. `--epoch-length 5`. */
  genesisArgs?: string[];
  /** Extra `weft node` flags for every node. */
  nodeArgs?: string[];
  /** Environment per node index, e.g. a byzantine mode for one (`WEFT_TEST_MISBEHAVE`). */
  env?: (index: number) => NodeJS.ProcessEnv | undefined;
}

export class ClusterNode {
  process: NodeProcess | undefined;
  state: NodeState = "down";
  /** Start count: 1 after the first start, 2 after a restart, ... */
  starts = 0;
  /** Ms the last start took, from spawn to serving RPC with consensus started, and when it began. */
  lastStartMs = 0;
  lastStart = 0;
  constructor(
    readonly index: number,
    readonly dir: string,
    readonly validatorKey: string | undefined,
    readonly peerId: string,
    readonly p2pPort: number,
  ) {}

  get url(): string {
    if (this.process === undefined) throw new Error(`node ${this.index} is not running`);
    return this.process.url;
  }

  get pid(): number {
    const pid = this.process?.child.pid;
    if (pid === undefined) throw new Error(`node ${this.index} has no process`);
    return pid;
  }
}

export class Cluster {
  /** `links.get(from)?.get(to)`: the proxy node `from` dials to reach node `to`. */
  private readonly links = new Map<number, Map<number, LinkProxy>>();
  private readonly downListeners: Array<(index: number) => void> = [];

  private constructor(
    readonly options: ClusterOptions,
    readonly genesisFile: string,
    readonly chainId: bigint,
    readonly nodes: ClusterNode[],
  ) {}

  /** Writes the genesis and keys and opens the links; starts nothing. */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const chainId = options.chainId ?? 4242n;
    const genesisFile = join(options.root, "genesis.json");
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < options.validators + (options.fullNodes ?? 0); i++) {
      const validator = i < options.validators;
      const dir = join(options.root, validator ? `v${i}` : `full${i}`);
      mkdirSync(dir, { recursive: true });
      const key = await loadOrCreateNodeKey(join(dir, "node.key"));
      const peerId = peerIdFromPrivateKey(key as Parameters<typeof peerIdFromPrivateKey>[0]).toString();
      const validatorKey = validator ? join(dir, "validator.key") : undefined;
      nodes.push(new ClusterNode(i, dir, validatorKey, peerId, await freePort()));
    }
    const made = spawnSync(
      process.execPath,
      [
        CLI,
        "genesis",
        "new",
        "--out",
        genesisFile,
        "--chain-id",
        chainId.toString(),
        ...nodes.flatMap((n) => (n.validatorKey === undefined ? [] : ["--validator", n.validatorKey])),
        // A test network: the published development accounts are funded and operate the validators.
        "--dev-accounts",
        ...(options.genesisArgs ?? []),
      ],
      { encoding: "utf8" },
    );
    if (made.status !== 0) throw new Error(`weft genesis new failed: ${made.stderr}`);
    const cluster = new Cluster(options, genesisFile, chainId, nodes);
    // Never leave nodes behind: if this process ends without close(), its nodes end with it.
    process.once("exit", () => {
      for (const n of nodes) n.process?.child.kill("SIGKILL");
    });
    for (const from of nodes) {
      const out = new Map<number, LinkProxy>();
      for (const to of nodes) {
        if (to === from) continue;
        const link = new LinkProxy(to.p2pPort);
        await link.start();
        out.set(to.index, link);
      }
      cluster.links.set(from.index, out);
    }
    return cluster;
  }

  /** Calls `listener` with a node's index whenever the harness takes it down (its memory is gone). */
  onDown(listener: (index: number) => void): void {
    this.downListeners.push(listener);
  }

  node(i: number): ClusterNode {
    const n = this.nodes[i];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  /** Nodes whose process is running (not paused, not down). */
  running(): ClusterNode[] {
    return this.nodes.filter((n) => n.state === "running");
  }

  /** Starts node `i` (again) on its data directory, with `args` after the cluster's; resolves when it serves RPC. */
  async start(i: number, env?: NodeJS.ProcessEnv, args: string[] = []): Promise<ClusterNode> {
    const n = this.node(i);
    if (n.state !== "down") throw new Error(`node ${i} is ${n.state}`);
    const peers = this.nodes
      .filter((m) => m !== n)
      .map((m) => `/ip4/127.0.0.1/tcp/${this.link(i, m.index).port}/p2p/${m.peerId}`);
    const flags = [
      "--genesis",
      this.genesisFile,
      ...(n.validatorKey === undefined ? [] : ["--validator-key", n.validatorKey]),
      "--p2p-listen",
      `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
      "--peers",
      peers.join(","),
      // Only through the links: else a node dials a peer by id at the direct address identify
      // taught it, around the proxy, and a partition leaks (net/peerAllowlist.ts).
      "--peers-only",
      "on",
      "--port",
      "0",
      "--workers",
      "1",
      "--admission-workers",
      "0",
      "--rpc-call-workers",
      "0",
      ...(this.options.nodeArgs ?? []),
      ...args,
    ];
    const extra = env ?? this.options.env?.(i);
    const t0 = Date.now();
    n.lastStart = t0;
    const started = launchNode(
      n.dir,
      flags,
      180_000,
      undefined,
      extra === undefined ? process.env : { ...process.env, ...extra },
    );
    n.process = await started;
    n.lastStartMs = Date.now() - t0;
    n.state = "running";
    n.starts++;
    return n;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => (n.state === "down" ? this.start(n.index) : undefined)));
  }

  /** SIGKILL: no shutdown, whatever was in memory is gone. */
  async kill(i: number): Promise<void> {
    await this.signalAndWait(i, "SIGKILL");
  }

  /** SIGTERM: the node's own orderly shutdown. */
  async stop(i: number): Promise<void> {
    await this.signalAndWait(i, "SIGTERM");
  }

  pause(i: number): void {
    const n = this.node(i);
    process.kill(n.pid, "SIGSTOP");
    n.state = "paused";
  }

  resume(i: number): void {
    const n = this.node(i);
    process.kill(n.pid, "SIGCONT");
    n.state = "running";
  }

  /** Cuts every link between nodes of different groups (both directions); a node in no group is cut from all. */
  partition(groups: number[][]): void {
    const groupOf = (i: number) => groups.findIndex((g) => g.includes(i));
    for (const [from, out] of this.links)
      for (const [to, link] of out) {
        const g = groupOf(from);
        if (g === -1 || g !== groupOf(to)) link.cut();
      }
  }

  heal(): void {
    for (const out of this.links.values()) for (const link of out.values()) link.heal();
  }

  /** Stops every process (SIGCONT first for a paused one) and closes the links. */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.state === "paused") this.resume(n.index);
        if (n.state !== "down") await this.signalAndWait(n.index, "SIGKILL");
      }),
    );
    for (const out of this.links.values()) for (const link of out.values()) await link.close();
  }

  /** Writes the node's log lines so far to `<dir>/node-<start>.log` (kept when a test fails). */
  saveLog(n: ClusterNode): void {
    const p = n.process;
    if (p === undefined) return;
    const lines = [...p.logs.map((l) => JSON.stringify(l)), ...p.stderr];
    writeFileSync(join(n.dir, `node-${n.starts}.log`), `${lines.join("\n")}\n`);
  }

  private link(from: number, to: number): LinkProxy {
    const link = this.links.get(from)?.get(to);
    if (link === undefined) throw new Error(`no link ${from} -> ${to}`);
    return link;
  }

  private async signalAndWait(i: number, signal: NodeJS.Signals): Promise<void> {
    const n = this.node(i);
    const p = n.process;
    if (p === undefined || n.state === "down") throw new Error(`node ${i} is not running`);
    if (n.state === "paused" && signal !== "SIGKILL") process.kill(n.pid, "SIGCONT");
    for (const listener of this.downListeners) listener(i);
    p.child.kill(signal);
    await p.exited;
    this.saveLog(n);
    n.state = "down";
    n.process = undefined;
  }
}

/** A TCP port free on 127.0.0.1 now (the OS's choice for port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
