/**
 * The end-to-end load program: starts a node (or uses `--url`), pre-signs token transfers
 * from the dev accounts, sends them over JSON-RPC (HTTP batches) at increasing offered
 * rates from a sender process of its own (`lib/loadSender.ts`: keep-alive connections, the
 * batches' bodies ready before the clock starts), and reports per rate the committed TPS
 * and submit-to-commit latency p50/p99
 * (commit = the block's `newHeads` notification over WebSocket), beside the ed25519
 * verification ceiling measured in the same run on this machine (one core, and a pool of
 * one worker per core).
 *
 *   node dist/bench/load.js [--rates 250,500,1000,2000,4000] [--seconds 4] [--accounts 256]
 *
 * Prints a table, writes bench/results/load.json and load.svg.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import type { GenesisInfo } from "../src/node/genesis/genesis.js";
import { launchNode } from "../src/node/launch.js";
import { rpc } from "../src/sdk/rpcClient.js";
import { benchArgs } from "./lib/args.js";
import { now, type SenderReport, type SendPlan } from "./lib/loadSender.js";
import { lineChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";
import { ed25519Case, verifyRateOneCore, verifyRatePool } from "./lib/signatureCeiling.js";
import { recipientsFrom, wusdTransferSigner } from "./lib/wusdTransfers.js";

const args = benchArgs(
  "node dist/bench/load.js [--rates 250,500,1000,2000,4000] [--seconds 4] [--accounts 256] [--url http://host:port --ws ws://host:port]",
  {
    options: {
      rates: { type: "string", default: "250,500,1000,2000,4000" },
      seconds: { type: "string", default: "4" },
      accounts: { type: "string", default: "256" },
      url: { type: "string" },
      ws: { type: "string" },
    },
  },
);
const rates = (args.rates as string).split(",").map(Number);
const seconds = Number(args.seconds);
const accounts = Number(args.accounts);
const cores = availableParallelism();
const TICK_MS = 20;
/** A fresh recipient per transfer (token balances of distinct recipients do not conflict). */
const recipient = recipientsFrom(0x1000000);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

// 1. The ceiling, before the node starts (so that it has the machine to itself).
const message = new Uint8Array(32).fill(7);
const sigCase = ed25519Case(200, message);
const oneCore = verifyRateOneCore(sigCase, 5).perSecond;
const pool = await verifyRatePool(sigCase, cores, 5);
console.log(
  `ed25519 verification ceiling: ${Math.round(oneCore)}/s on 1 core, ${Math.round(pool)}/s on ${cores} workers`,
);

// 2. The node.
let dir: string | undefined;
let url = args.url as string | undefined;
let wsUrl = args.ws as string | undefined;
let stop: () => Promise<void> = async () => {};
if (url === undefined) {
  dir = mkdtempSync(join(tmpdir(), "weft-load-"));
  const node = await launchNode(dir, [
    "--port",
    "0",
    "--dev-accounts",
    String(accounts),
    "--block-time-ms",
    "200",
    // Measures the block timer's batching, not dev mode's block per arrival.
    "--dev",
    "off",
  ]);
  url = node.url;
  wsUrl = node.wsUrl;
  // Whatever happens below (an exception included), the node does not outlive this program.
  process.on("exit", () => node.child.kill("SIGKILL"));
  stop = async () => {
    node.child.kill("SIGTERM");
    await node.exited;
  };
}
const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
// The gas limit a wallet would sign with: the node's estimate (with its margin) for one transfer.
// Block selection reserves each transaction's limit, so an oversized one shrinks blocks.
const transfers = await wusdTransferSigner(url, genesis, accounts, recipient(999_999_999));
const { senders, gasLimit } = transfers;

// 3. Commit times from newHeads, and how the engine ran each block (transactions per mode).
const committedAt = new Map<string, number>();
let modeTxs = new Map<string, number>();
const ws = new WebSocket(wsUrl as string);
// The sender, in its own process (started now, so that it is ready before the first rate).
const sender = fork(new URL("./lib/loadSender.js", import.meta.url), [], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
process.on("exit", () => sender.kill("SIGKILL"));
/** Runs one plan on the sender; calls `onReport` for each report until the last. */
function runOnSender(plan: SendPlan, onReport: (r: SenderReport) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const listen = (r: SenderReport) => {
      onReport(r);
      if (r.type === "done") {
        sender.off("message", listen);
        sender.off("exit", fail);
        resolve();
      }
    };
    const fail = (code: number | null) => reject(new Error(`the load sender exited with ${code}`));
    sender.on("message", listen);
    sender.once("exit", fail);
    sender.send(plan);
  });
}
await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
const blockQueue: number[] = [];
ws.on("message", (data) => {
  const m = JSON.parse(String(data)) as { params?: { result: { number: number } } };
  if (m.params !== undefined) {
    const at = now();
    const n = m.params.result.number;
    blockQueue.push(n);
    const record = (attempt: number): void => {
      rpc<{ transactions: string[]; execution: { mode: string } | null }>(
        url as string,
        "weft_getBlockByNumber",
        [n],
      ).then(
        (b) => {
          for (const h of b.transactions) committedAt.set(h, at);
          const mode = b.execution?.mode ?? "none";
          modeTxs.set(mode, (modeTxs.get(mode) ?? 0) + b.transactions.length);
        },
        (error: unknown) => {
          if (attempt < 5) setTimeout(() => record(attempt + 1), 50);
          else console.error(`block ${n}: ${String(error)}`);
        },
      );
    };
    record(0);
  }
});
ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "weft_subscribe", params: ["newHeads"] }));

interface Row {
  offered: number;
  sent: number;
  rejected: number;
  committed: number;
  tps: number;
  p50: number;
  p99: number;
  ofCeiling: number;
  /** Committed transactions by the engine mode of their block (parallel, sequential-small, ...). */
  modes: Record<string, number>;
}
console.log(`gas limit per transfer: ${gasLimit} (weft_estimateGas)`);
const rows: Row[] = [];
for (const rate of rates) {
  const total = rate * seconds;
  const raws = transfers.sign(total, (i) => recipient(rows.length * 1_000_000 + i));
  const submittedAt = new Map<string, number>();
  const reasons = new Map<string, number>();
  modeTxs = new Map();
  let transportErrors = 0;
  let rejected = 0;
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const batches: Array<typeof raws> = [];
  for (let at = 0; at < raws.length; at += perTick) batches.push(raws.slice(at, at + perTick));
  const bodies = batches.map((batch) =>
    JSON.stringify(
      batch.map((r, k) => ({ jsonrpc: "2.0", id: k, method: "weft_sendRawTransaction", params: [r.hex] })),
    ),
  );
  let started = Number.POSITIVE_INFINITY;
  let sendEnd = 0;
  await runOnSender({ url: url as string, tickMs: TICK_MS, bodies, connections: 64 }, (r) => {
    if (r.type === "sent") {
      started = Math.min(started, r.at);
      for (const tx of batches[r.batch] ?? []) submittedAt.set(tx.hash, r.at);
    } else if (r.type === "answered") {
      if (r.transportError !== undefined) {
        transportErrors++;
        if (transportErrors === 1) console.error(`send failed: ${r.transportError}`);
      }
      for (const [why, n] of Object.entries(r.rejected)) {
        rejected += n;
        reasons.set(why, (reasons.get(why) ?? 0) + n);
      }
    } else sendEnd = r.at;
  });
  const deadline = performance.now() + 30_000;
  while (
    performance.now() < deadline &&
    raws.filter((r) => committedAt.has(r.hash)).length + rejected < raws.length
  )
    await new Promise((r) => setTimeout(r, 50));
  const latencies: number[] = [];
  let last = started;
  for (const r of raws) {
    const c = committedAt.get(r.hash);
    if (c === undefined) continue;
    latencies.push(c - (submittedAt.get(r.hash) as number));
    last = Math.max(last, c);
  }
  latencies.sort((a, b) => a - b);
  const tps = latencies.length / ((last - started) / 1000);
  rows.push({
    offered: rate,
    sent: Math.round(raws.length / ((sendEnd - started) / 1000)),
    rejected,
    committed: latencies.length,
    tps: Math.round(tps),
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    ofCeiling: Math.round((tps / pool) * 1000) / 10,
    modes: Object.fromEntries(modeTxs),
  });
  const why = [...reasons].map(([r, n]) => `${r} ×${n}`).join(", ");
  const modes = [...modeTxs].map(([m, n]) => `${m} ${n}`).join(", ");
  console.log(
    `offered ${rate}/s: committed ${latencies.length}/${raws.length}, ${Math.round(tps)} TPS (transactions by block mode: ${modes})${why ? `; rejected: ${why}` : ""}`,
  );
}
ws.close();
sender.disconnect();
await stop();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });

console.log(
  `\nend-to-end load: token transfers from ${senders.length} accounts, ${seconds} s per rate, ${cores} cores`,
);
printTable(
  ["offered tx/s", "sent tx/s", "rejected", "committed", "committed TPS", "p50 ms", "p99 ms", "% of ceiling"],
  rows.map((r) => [r.offered, r.sent, r.rejected, r.committed, r.tps, r.p50, r.p99, `${r.ofCeiling}%`]),
);
console.log(
  `ceiling (ed25519 verify, ${cores} workers): ${Math.round(pool)}/s; 1 core: ${Math.round(oneCore)}/s`,
);
writeJson("bench/results/load.json", {
  machine: machineInfo(),
  params: { rates, seconds, accounts: senders.length },
  ceiling: { oneCore: Math.round(oneCore), pool: Math.round(pool), workers: cores },
  rows,
});
writeSvg(
  "bench/results/load.svg",
  lineChartSvg("End-to-end committed TPS vs offered rate", "offered tx/s", "tx/s", [
    { label: "committed TPS", points: rows.map((r) => ({ x: r.offered, y: r.tps })) },
    { label: "verify ceiling", points: rows.map((r) => ({ x: r.offered, y: pool })) },
  ]),
);
console.log("wrote bench/results/load.json and load.svg");
