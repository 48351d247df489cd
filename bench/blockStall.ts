/**
 * Does block work hold up the node? A `weft node` (`--dev off`, blocks of `--txs`) is sent
 * `--blocks` blocks' worth of pre-signed WUSD transfers from `--senders` dev accounts (few
 * senders: long nonce chains that conflict, blocks the engine runs sequentially; many: blocks
 * it runs in parallel), in batches; while it admits, executes, roots and commits them,
 * `GET /health` and `weft_status` are timed back to back (`--gap-ms` apart) and the node's
 * own event-loop delay is read from `/metrics` (prom-client's `nodejs_eventloop_lag_max_seconds`,
 * the longest delay since the previous read) every 500 ms. The idle figures come first.
 *
 * With `--before <weft.js of an older build>`, that build runs the same transactions in the
 * same run, first (the pair interleaved `--pairs` times).
 *
 *   node dist/bench/blockStall.js [--txs 500] [--blocks 6] [--senders 64] [--gap-ms 20]
 *     [--pairs 1] [--before <weft.js>] [--cpu-prof <dir>]
 *
 * `--cpu-prof <dir>` writes this build's node's main-thread CPU profile into `<dir>`
 * (`lib/profiledCli.ts`).
 * Prints a table and writes bench/results/blockStall.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GenesisInfo } from "../src/node/genesis/genesis.js";
import { launchNode } from "../src/node/launch.js";
import { rpc } from "../src/sdk/rpcClient.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { recipientsFrom, wusdTransferSigner } from "./lib/wusdTransfers.js";

const USAGE =
  "node dist/bench/blockStall.js [--txs 500] [--blocks 6] [--senders 64] [--gap-ms 20] [--pairs 1] [--before <weft.js>] [--cpu-prof <dir>]";
const args = benchArgs(USAGE, {
  options: {
    txs: { type: "string", default: "500" },
    blocks: { type: "string", default: "6" },
    senders: { type: "string", default: "64" },
    "gap-ms": { type: "string", default: "20" },
    pairs: { type: "string", default: "1" },
    before: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});
const blockTxs = Number(args.txs);
const blocks = Number(args.blocks);
const senderCount = Number(args.senders);
const gapMs = Number(args["gap-ms"]);
const pairs = Number(args.pairs);
const BATCH = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;

/** A fresh recipient per transfer (no two transfers credit the same balance). */
const recipient = recipientsFrom(0x2000000);

/** Times one request repeatedly (`gapMs` apart) until `done()`. */
async function sample(request: () => Promise<unknown>, done: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!done()) {
    const started = performance.now();
    await request();
    samples.push(performance.now() - started);
    await sleep(gapMs);
  }
  return samples;
}

/** The longest event-loop delay the node saw since the last read, ms (prom-client's gauge). */
async function lagMaxMs(url: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", url))).text();
  const line = text.split("\n").find((l) => l.startsWith("weft_process_nodejs_eventloop_lag_max_seconds"));
  return line === undefined ? Number.NaN : Number(line.split(" ").at(-1)) * 1000;
}

interface Window {
  health: number[];
  status: number[];
  lag: number[];
}

/** Samples /health, weft_status and the event-loop lag while `work` runs. */
async function measure(url: string, work: Promise<unknown>): Promise<Window> {
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  const isDone = () => done;
  const lag: number[] = [];
  await lagMaxMs(url); // resets the node's histogram
  const lagLoop = (async () => {
    while (!done) {
      await sleep(500);
      lag.push(await lagMaxMs(url));
    }
  })();
  const [health, status] = await Promise.all([
    sample(() => fetch(new URL("/health", url)).then((r) => r.text()), isDone),
    sample(() => rpc(url, "weft_status"), isDone),
  ]);
  await Promise.all([finished, lagLoop]);
  return { health, status, lag };
}

interface Row {
  build: string;
  pair: number;
  load: string;
  idle: Window;
  busy: Window;
  committed: number;
  blocks: Array<{ number: number; txs: number; mode: string; executeMs: number; stateRootMs: number }>;
}

async function runBuild(build: string, cli: string | undefined, pair: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "weft-block-stall-"));
  const profile = args["cpu-prof"] !== undefined && cli === undefined;
  const env = profile
    ? { ...process.env, WEFT_CPU_PROF: join(args["cpu-prof"] as string, `node-${pair}.cpuprofile`) }
    : process.env;
  const node = await launchNode(
    dir,
    [
      "--port",
      "0",
      "--dev",
      "off",
      "--dev-accounts",
      String(senderCount),
      "--max-block-txs",
      String(blockTxs),
      "--block-time-ms",
      "1000",
    ],
    120_000,
    profile ? fileURLToPath(new URL("./lib/profiledCli.js", import.meta.url)) : cli,
    env,
  );
  console.error(`${build}: node at ${node.url}`);
  try {
    const url = node.url;
    const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
    const transfers = await wusdTransferSigner(url, genesis, senderCount, recipient(999_999_999));
    const raws = transfers.sign(blockTxs * blocks, recipient);
    const idle = await measure(url, sleep(2_000));
    const startHead = (await rpc<{ number: number }>(url, "weft_getBlockByNumber", ["latest"])).number;
    const load = loadavg()[0]?.toFixed(0) ?? "?";
    const last = raws.at(-1)?.hash as string;
    const refused = new Map<string, number>();
    const work = (async () => {
      for (let at = 0; at < raws.length; at += BATCH) {
        const body = raws
          .slice(at, at + BATCH)
          .map((r, k) => ({ jsonrpc: "2.0", id: k, method: "weft_sendRawTransaction", params: [r.hex] }));
        const answers = (await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }).then((r) => r.json())) as Array<{ error?: { message: string } }>;
        for (const a of answers)
          if (a.error !== undefined) refused.set(a.error.message, (refused.get(a.error.message) ?? 0) + 1);
      }
      if (refused.size > 0) throw new Error(`transactions refused: ${JSON.stringify([...refused])}`);
      const deadline = performance.now() + 600_000;
      while (performance.now() < deadline) {
        const receipt = await rpc<unknown>(url, "weft_getReceipt", [last]);
        if (receipt !== null) return;
        await sleep(200);
      }
      throw new Error("the last transaction was not committed within 600 s");
    })();
    const busy = await measure(url, work);
    const headNow = (await rpc<{ number: number }>(url, "weft_getBlockByNumber", ["latest"])).number;
    const made: Row["blocks"] = [];
    let committed = 0;
    for (let n = startHead + 1; n <= headNow; n++) {
      const b = await rpc<{
        transactions: string[];
        execution: { mode: string; executeMs: number; stateRootMs: number } | null;
      }>(url, "weft_getBlockByNumber", [n]);
      committed += b.transactions.length;
      made.push({
        number: n,
        txs: b.transactions.length,
        mode: b.execution?.mode ?? "none",
        executeMs: Math.round(b.execution?.executeMs ?? 0),
        stateRootMs: Math.round(b.execution?.stateRootMs ?? 0),
      });
    }
    return { build, pair, load, idle, busy, committed, blocks: made };
  } catch (error) {
    // The node's own last words, when it is the node that failed.
    console.error(`${build}: the node's stderr (last 40 lines):\n${node.stderr.slice(-40).join("\n")}`);
    throw error;
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Row[] = [];
for (let pair = 0; pair < pairs; pair++) {
  if (args.before !== undefined) runs.push(await runBuild("before", args.before, pair));
  runs.push(await runBuild("this build", undefined, pair));
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
console.log(
  `\n/health and weft_status latency (ms) and the node's longest event-loop delay while it admits and commits ${blocks} blocks of ${blockTxs} WUSD transfers from ${senderCount} senders\n`,
);
printTable(
  [
    "build",
    "load",
    "idle health med",
    "health med",
    "p90",
    "max",
    "status med",
    "p90",
    "max",
    "loop delay max",
    "samples",
    "committed",
    "blocks (modes)",
  ],
  runs.map((r) => [
    r.build,
    r.load,
    r.idle.health.length === 0 ? "-" : median(r.idle.health).toFixed(1),
    f(median(r.busy.health)),
    f(quantile(r.busy.health, 0.9)),
    f(Math.max(...r.busy.health)),
    f(median(r.busy.status)),
    f(quantile(r.busy.status, 0.9)),
    f(Math.max(...r.busy.status)),
    f(Math.max(...r.busy.lag)),
    r.busy.health.length,
    r.committed,
    `${r.blocks.length} (${[...new Set(r.blocks.map((b) => b.mode))].join(", ")})`,
  ]),
);
writeJson("bench/results/blockStall.json", {
  command: `${USAGE.split(" [")[0]} --txs ${blockTxs} --blocks ${blocks} --senders ${senderCount} --gap-ms ${gapMs} --pairs ${pairs}${args.before === undefined ? "" : ` --before ${args.before}`}`,
  machine: machineInfo(),
  runs: runs.map((r) => ({
    build: r.build,
    pair: r.pair,
    load: r.load,
    committed: r.committed,
    blocks: r.blocks,
    idleHealthMedianMs: median(r.idle.health),
    healthMs: {
      median: median(r.busy.health),
      p90: quantile(r.busy.health, 0.9),
      max: Math.max(...r.busy.health),
    },
    statusMs: {
      median: median(r.busy.status),
      p90: quantile(r.busy.status, 0.9),
      max: Math.max(...r.busy.status),
    },
    eventLoopDelayMaxMs: Math.max(...r.busy.lag),
  })),
});
