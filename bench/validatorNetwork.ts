/**
 * A validator network's figures, at 4 validators as real `weft node` processes on loopback
 * (the e2e harness, test/e2e/harness), beside one node alone on the same machine:
 *   - committed TPS and time to finality p50/p90/p99: transactions pre-signed (WUSD transfers,
 *     one nonce key each), sent open-loop at `--rate` per second through the nodes' RPC in
 *     turn for `--seconds`; a transaction's latency is from its send to the first time node 0
 *     reports a head at or past its block (heads polled every 50 ms); TPS is the transactions
 *     committed from the first send until the last of them is committed, over that time;
 *   - the same workload on one node (`weft node --dev off`, a block every `--block-ms`; the
 *     validators wait as long after each block before the next height, Tendermint's
 *     timeout_commit);
 *   - `--max-pace` is passed to the validators as `--consensus-max-pace` (0: no pace, every
 *     height starts at round 0's timeouts) to measure what the pace does to throughput;
 *   - time to recover after each fault of the e2e suite (`perturb`): from the heal (restart,
 *     SIGCONT, links back) until every node passes the highest head at the heal;
 *   - missed blocks per validator right after the load (`weft_validators` on node 0): the
 *     staking contract's count in its current downtime window, and how many of the last
 *     certified blocks (at most 100) each signed of those it was due to, as the chain counts
 *     them (the certificate block h + 1 carries of h, late precommits included:
 *     ARCHITECTURE.md, "Late precommits"). Every validator is healthy here, so each miss is
 *     one a healthy validator would be jailed for at 50 of 100.
 *
 * A transaction is final once its block is committed: consensus has one-block finality
 * (ARCHITECTURE.md, "Consensus"), so time to finality is time to the first head past it.
 * The machine's load average over the run is printed with the figures (they mean little on a
 * loaded machine: quote it).
 *
 *   node dist/bench/validatorNetwork.js [--rate 200] [--seconds 30] [--block-ms 1000] [--faults on] [--single on] [--max-pace 4]
 *
 * Prints tables, writes bench/results/validator-network.json, validator-network-finality.svg
 * and (with faults) validator-network.svg.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "../src/codec/address.js";
import { launchNode } from "../src/node/launch.js";
import { ChainChecker, headOf, rpcBatch, sleep, waitForProgress } from "../test/e2e/harness/chainView.js";
import { Cluster, ClusterNode } from "../test/e2e/harness/cluster.js";
import { describeFault, type Fault, type FaultOutcome, perturb } from "../test/e2e/harness/faults.js";
import { LoadGenerator, TxLedger } from "../test/e2e/harness/txLoad.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node dist/bench/validatorNetwork.js [--rate 200] [--seconds 30] [--block-ms 1000] [--faults on] [--single on] [--max-pace 4]",
  {
    options: {
      rate: { type: "string", default: "200" },
      seconds: { type: "string", default: "30" },
      "block-ms": { type: "string", default: "1000" },
      faults: { type: "string", default: "on" },
      single: { type: "string", default: "on" },
      "max-pace": { type: "string", default: "4" },
    },
  },
);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const BLOCK_MS = Number(args["block-ms"]);
const MAX_PACE = Number(args["max-pace"]);
const TICK_MS = 100;

interface LoadFigures {
  setup: string;
  sent: number;
  /** Acknowledged by the node it was sent to (a hash returned): each one must be committed. */
  acked: number;
  /** Refused at admission (an error answer: the pool full, a rate limit) or the request failed. */
  refused: number;
  /** The refusals by reason (their messages with numbers and hashes blanked). */
  refusals: Record<string, number>;
  committed: number;
  /** Acknowledged, yet not committed when the bench stopped waiting (180 s after the last send). */
  unresolved: number;
  txBytes: number;
  tps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Sends `RATE` tx/s for `SECONDS` to `nodes` in turn, then waits for every one; measures. */
async function measureLoad(setup: string, nodes: ClusterNode[], chainId: bigint): Promise<LoadFigures> {
  const [genesis] = await rpcBatch<{ contracts: Record<string, Address> }>((nodes[0] as ClusterNode).url, [
    ["weft_genesis", []],
  ]);
  const ledger = new TxLedger(chainId, genesis?.contracts.wusd as Address);
  const total = RATE * SECONDS;
  const raws = Array.from({ length: total }, () => ledger.make());
  const headSeen = new Map<number, number>();
  let watching = true;
  const watcher = (async () => {
    let last = -1;
    while (watching) {
      const head = await headOf(nodes[0] as ClusterNode).catch(() => last);
      for (let h = last + 1; h <= head; h++) if (last >= 0) headSeen.set(h, Date.now());
      last = Math.max(last, head);
      await sleep(50);
    }
  })();
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const t0 = Date.now();
  const sends: Promise<number>[] = [];
  for (let i = 0, turn = 0; i < total; i += perTick, turn++) {
    const due = t0 + (i / RATE) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    sends.push(ledger.send(nodes[turn % nodes.length] as ClusterNode, raws.slice(i, i + perTick), 60_000));
  }
  await Promise.all(sends);
  const until = Date.now() + 180_000;
  while (ledger.pending().length > 0 && Date.now() < until) {
    await ledger.resolve(nodes[0] as ClusterNode);
    if (ledger.pending().length > 0) await sleep(500);
  }
  await sleep(200);
  watching = false;
  await watcher;
  const done = [...ledger.records.values()].filter((r) => r.committed !== undefined);
  const latencies = done
    .map((r) => (headSeen.get(r.committed?.blockNumber as number) ?? r.committed?.seenAt ?? 0) - r.sentAt)
    .sort((a, b) => a - b);
  const lastCommit = Math.max(...done.map((r) => headSeen.get(r.committed?.blockNumber as number) ?? 0));
  return {
    setup,
    sent: total,
    acked: ledger.records.size,
    refused: ledger.failures,
    refusals: Object.fromEntries(ledger.refusals),
    committed: done.length,
    unresolved: ledger.pending().length,
    txBytes: raws[0]?.length ?? 0,
    tps: Math.round((done.length / Math.max(1, lastCommit - t0)) * 1000),
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
  };
}

async function singleNode(): Promise<LoadFigures> {
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-single-"));
  const proc = await launchNode(dir, [
    "--port",
    "0",
    "--dev",
    "off",
    "--block-time-ms",
    String(BLOCK_MS),
    "--workers",
    "1",
    "--admission-workers",
    "0",
    "--rpc-call-workers",
    "0",
  ]);
  const node = new ClusterNode(0, dir, undefined, "", 0);
  node.process = proc;
  node.state = "running";
  try {
    const [chainId] = await rpcBatch<string>(proc.url, [["weft_chainId", []]]);
    return await measureLoad(`1 node, a block every ${BLOCK_MS} ms`, [node], BigInt(chainId as string));
  } finally {
    proc.child.kill("SIGKILL");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ValidatorUptime {
  validator: number;
  address: string;
  missedBlocks: number;
  signedBlocks: number;
  expectedBlocks: number;
}

/** Each validator's missed blocks and signed-of-due over the last certified blocks, as node 0 counts them. */
async function validatorUptime(node: ClusterNode): Promise<{ head: number; rows: ValidatorUptime[] }> {
  const [view] = await rpcBatch<{
    head: number;
    validators: Array<{
      address: string;
      setIndex: number | null;
      missedBlocks: number;
      signedBlocks: number;
      expectedBlocks: number;
    }>;
  }>(node.url, [["weft_validators", []]]);
  if (view === undefined) throw new Error("weft_validators gave nothing");
  return {
    head: view.head,
    rows: view.validators.map((v, i) => ({
      validator: v.setIndex ?? i,
      address: v.address,
      missedBlocks: v.missedBlocks,
      signedBlocks: v.signedBlocks,
      expectedBlocks: v.expectedBlocks,
    })),
  };
}

async function network(): Promise<{
  load: LoadFigures;
  uptime: { head: number; rows: ValidatorUptime[] };
  faults: FaultOutcome[];
}> {
  const root = mkdtempSync(join(tmpdir(), "weft-bench-network-"));
  const cluster = await Cluster.create({
    root,
    validators: 4,
    nodeArgs: ["--block-time-ms", String(BLOCK_MS), "--consensus-max-pace", String(MAX_PACE)],
  });
  try {
    await cluster.startAll();
    await waitForProgress(cluster.nodes, 2, "the first blocks", 180_000);
    const load = await measureLoad(
      `4 validators, ${BLOCK_MS} ms after each block, pace at most ${MAX_PACE}`,
      cluster.nodes,
      cluster.chainId,
    );
    const uptime = await validatorUptime(cluster.node(0));
    const faults: FaultOutcome[] = [];
    if (args.faults === "on") {
      const [genesis] = await rpcBatch<{ contracts: Record<string, Address> }>(cluster.node(0).url, [
        ["weft_genesis", []],
      ]);
      const ledger = new TxLedger(cluster.chainId, genesis?.contracts.wusd as Address);
      const background = new LoadGenerator(ledger, () => cluster.nodes, 4, 250);
      background.start();
      const run = { cluster, checker: new ChainChecker(), log: (m: string) => console.log(m) };
      const list: Fault[] = [
        { kind: "kill", node: 1 },
        { kind: "pause", node: 2 },
        {
          kind: "partition",
          groups: [
            [0, 1],
            [2, 3],
          ],
        },
        { kind: "twoDown", nodes: [0, 3] },
        { kind: "restartAll" },
      ];
      for (const f of list) {
        try {
          faults.push(await perturb(run, f));
        } catch (error) {
          // A fault the network did not get through is a figure too (and a bug to look at).
          console.log(String(error));
          faults.push({ fault: describeFault(f), recoveryMs: Number.NaN, startMs: 0, blocksDuringFault: 0 });
          break;
        }
      }
      await background.stop();
    }
    return { load, uptime, faults };
  } finally {
    await cluster.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const loadBefore = loadavg()[0] as number;
const net = await network();
const single = args.single === "on" ? await singleNode() : undefined;
const loadAfter = loadavg()[0] as number;
const setups = [net.load, ...(single === undefined ? [] : [single])];
const workload = `WUSD transfers (${net.load.txBytes} bytes, one nonce key each), ${RATE} tx/s offered open-loop for ${SECONDS} s`;
console.log(`\nworkload: ${workload}`);
console.log(
  `machine load average: ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end\n`,
);
printTable(
  [
    "setup",
    "sent",
    "acked",
    "refused",
    "committed",
    "unresolved",
    "TPS",
    "finality p50 ms",
    "p90 ms",
    "p99 ms",
  ],
  setups.map((f) => [
    f.setup,
    f.sent,
    f.acked,
    f.refused,
    f.committed,
    f.unresolved,
    f.tps,
    f.p50Ms,
    f.p90Ms,
    f.p99Ms,
  ]),
);
for (const f of setups)
  for (const [reason, n] of Object.entries(f.refusals)) console.log(`  ${f.setup}: ${n} refused: ${reason}`);
console.log(`\nmissed blocks per validator after the load (node 0 at block ${net.uptime.head})`);
printTable(
  ["validator", "address", "missed (contract's window)", "signed of due (last certified blocks)"],
  net.uptime.rows.map((r) => [
    r.validator,
    r.address,
    r.missedBlocks,
    `${r.signedBlocks} of ${r.expectedBlocks}`,
  ]),
);
if (net.faults.length > 0) {
  console.log("");
  printTable(
    ["fault", "recovery ms", "of which process start ms", "blocks during the fault"],
    net.faults.map((f) => [f.fault, f.recoveryMs, f.startMs, f.blocksDuringFault]),
  );
}
writeJson("bench/results/validator-network.json", {
  machine: machineInfo(),
  loadAverage: { start: loadBefore, end: loadAfter },
  workload,
  options: { rate: RATE, seconds: SECONDS, blockMs: BLOCK_MS, maxPace: MAX_PACE },
  load: setups,
  missedBlocks: net.uptime,
  faults: net.faults,
  anchors: { cometbftTps: "about 400 tx/s, 1 KiB txs, 200 nodes", cometbftRecovery: "within 20 s" },
});
writeSvg(
  "bench/results/validator-network-finality.svg",
  barChartSvg(`time to finality at ${RATE} tx/s offered (s)`, "s", [
    ...setups.flatMap((f) =>
      (["p50Ms", "p90Ms", "p99Ms"] as const).map((k) => ({
        label: `${f.setup.split(",")[0]} ${k.slice(0, 3)}`,
        value: Math.round(f[k] / 10) / 100,
      })),
    ),
  ]),
);
if (net.faults.length > 0)
  writeSvg(
    "bench/results/validator-network.svg",
    barChartSvg("4 validators: recovery after each fault (s)", "s", [
      ...net.faults.map((f) => ({ label: f.fault, value: Math.round(f.recoveryMs / 100) / 10 })),
    ]),
  );
process.exit(0);
