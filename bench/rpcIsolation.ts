/**
 * Does read-only execution hold up the node? A `weft node` process runs batches of
 * max-gas `weft_call`s (the probe contract's `spin`, which loops until the gas cap),
 * one batch always in flight, while `GET /health` is timed over and over; the same with no
 * calls gives the baseline. The ways of running the calls:
 *
 * - `before`: with `--before <weft.js of an older build>` (e.g. a checkout of b157a5a, built),
 *   that build as it was: each call runs on the main thread as the batch arrives;
 * - `main thread`: `--rpc-call-workers 0` with the time budget off (`--rpc-call-budget-ms`
 *   1,000,000): every call runs on the node's main thread, one per event-loop turn;
 * - `workers`: `--rpc-call-workers 1` (the default on 2 cores), budget off;
 * - `workers + budget`: the defaults (1 worker, 1,000 ms of execution per second per address;
 *   calls beyond it are refused with -32005, counted in the "refused" column).
 *
 * Then the attack of many addresses of one network (`--attack-seconds`, 0 skips it): eight
 * loopback addresses of one /24 (127.0.0.2-9) each keep `--attack-depth` `eth_call`s of an
 * EVM loop that never stops (`JUMPDEST PUSH1 0 JUMP`, gas 0xffffff) in flight, while an
 * honest client of another /24 (127.1.0.1) sends one cheap `weft_call` after another and
 * times each; the defaults (one call worker, the budgets), for this build and for `--before`'s.
 *
 * Then hostile log scans (`--log-seconds`, 0 skips them; `bench/lib/logScanAttack.ts`): a chain
 * of `--flood-txs` transactions of 1,000 events each, and one client keeping a batch of
 * `--log-batch` `eth_getLogs` in flight, each reading every flood log just under the
 * 50,000-read bound and matching none; `/health` timed meanwhile, for this build (scans on
 * the read-only worker, charged to the client's time budget) and `--before`'s.
 *
 *   node dist/bench/rpcIsolation.js [--batch 20] [--seconds 6] [--gap-ms 50] [--before <weft.js>]
 *     [--attack-seconds 30] [--attack-depth 2] [--log-seconds 10] [--log-batch 10] [--flood-txs 48]
 *     [--only health|attack|logs]
 *
 * Prints tables and writes bench/results/rpcIsolation.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadArtifact } from "../src/chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../src/chain/executeEnvelope.js";
import { encodeTx, signingHash, type TxEnvelope } from "../src/chain/tx/envelope.js";
import { encodeAbi } from "../src/codec/abi.js";
import { type Address, contractAddress } from "../src/codec/address.js";
import { toHex } from "../src/codec/bytes.js";
import { keccak256 } from "../src/codec/hash.js";
import { devSigner, type GenesisInfo } from "../src/node/genesis/genesis.js";
import { launchNode } from "../src/node/launch.js";
import { rpc, waitForReceipt } from "../src/sdk/rpcClient.js";
import { benchArgs } from "./lib/args.js";
import { floodChain, loadScans, scanOnce } from "./lib/logScanAttack.js";
import { ATTACKERS, type AttackResult, attackRows, HONEST, honestUnderAttack } from "./lib/networkAttack.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const USAGE =
  "node dist/bench/rpcIsolation.js [--batch 20] [--seconds 6] [--gap-ms 50] [--before <weft.js of an older build>] [--attack-seconds 30] [--attack-depth 2] [--log-seconds 10] [--log-batch 10] [--flood-txs 48] [--only health|attack|logs]";
const args = benchArgs(USAGE, {
  options: {
    batch: { type: "string", default: "20" },
    seconds: { type: "string", default: "6" },
    "gap-ms": { type: "string", default: "50" },
    before: { type: "string" },
    "attack-seconds": { type: "string", default: "30" },
    "attack-depth": { type: "string", default: "2" },
    "log-seconds": { type: "string", default: "10" },
    "log-batch": { type: "string", default: "10" },
    "flood-txs": { type: "string", default: "48" },
    only: { type: "string" },
  },
});
const batchSize = Number(args.batch);
const seconds = Number(args.seconds);
const gapMs = Number(args["gap-ms"]);
const attackSeconds = Number(args["attack-seconds"]);
const attackDepth = Number(args["attack-depth"]);
const logSeconds = Number(args["log-seconds"]);
const logBatch = Number(args["log-batch"]);
const floodTxs = Number(args["flood-txs"]);
const only = args.only;
if (only !== undefined && only !== "health" && only !== "attack" && only !== "logs")
  throw new Error(`--only: health, attack or logs, got ${only}`);

const MODES: Array<{ name: string; flags: string[]; cli?: string }> = [
  ...(args.before === undefined ? [] : [{ name: "before", flags: [], cli: args.before }]),
  { name: "main thread", flags: ["--rpc-call-workers", "0", "--rpc-call-budget-ms", "1000000"] },
  { name: "workers", flags: ["--rpc-call-workers", "1", "--rpc-call-budget-ms", "1000000"] },
  { name: "workers + budget", flags: ["--rpc-call-workers", "1"] },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deploys the probe contract from dev account 0; returns its address. */
async function deployProbe(url: string): Promise<Address> {
  const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
  const sender = genesis.accounts[0]?.address as Address;
  const { code } = loadArtifact("probe");
  const salt = new Uint8Array(32);
  const env: TxEnvelope = {
    chainId: BigInt(genesis.chainId),
    sender,
    nonceKey: 0n,
    nonceSequence: BigInt(await rpc<string>(url, "weft_nextNonce", [sender])),
    gasLimit: 50_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls: [
      {
        target: DEPLOY_TARGET,
        method: DEPLOY_METHOD,
        args: encodeAbi(DEPLOY_ARGS, [code, new Uint8Array(0), salt]),
        value: 0n,
      },
    ],
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(0).sign(signingHash(env));
  const { hash } = await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [`0x${toHex(encodeTx(env))}`]);
  const receipt = await waitForReceipt<{ status: string }>(url, hash);
  if (receipt.status !== "success") throw new Error(`probe deployment: ${receipt.status}`);
  return contractAddress(sender, salt, keccak256(code), new Uint8Array(0));
}

/** Times `GET /health` back to back (with `gapMs` between) until `until` resolves. */
async function sampleHealth(url: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.then(() => {
    done = true;
  });
  const samples: number[] = [];
  const health = new URL("/health", url);
  while (!done) {
    const started = performance.now();
    const res = await fetch(health);
    await res.text();
    samples.push(performance.now() - started);
    await sleep(gapMs);
  }
  return samples;
}

interface Load {
  batches: number;
  served: number;
  refused: number;
  batchMs: number[];
}

/** Keeps one batch of `spin` calls in flight for `ms`. */
async function loadCalls(url: string, probe: Address, ms: number): Promise<Load> {
  const load: Load = { batches: 0, served: 0, refused: 0, batchMs: [] };
  const body = JSON.stringify(
    Array.from({ length: batchSize }, (_, id) => ({
      jsonrpc: "2.0",
      id,
      method: "weft_call",
      params: [{ to: probe, method: "spin" }],
    })),
  );
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const started = performance.now();
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const answers = (await res.json()) as Array<{ result?: { status: string }; error?: { code: number } }>;
    load.batchMs.push(performance.now() - started);
    load.batches++;
    for (const a of answers) {
      if (a.result !== undefined) load.served++;
      else load.refused++;
    }
    if (answers.every((a) => a.error !== undefined)) await sleep(20); // all refused: do not spin
  }
  return load;
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;

const rows: Array<Array<string | number>> = [];
const results: Record<string, unknown>[] = [];
for (const mode of only === "attack" || only === "logs" ? [] : MODES) {
  const dir = mkdtempSync(join(tmpdir(), "weft-rpc-isolation-"));
  const node = await launchNode(
    dir,
    ["--port", "0", "--dev-accounts", "2", ...mode.flags],
    120_000,
    mode.cli,
  );
  console.error(`${mode.name}: node at ${node.url}`);
  try {
    const probe = await deployProbe(node.url);
    await rpc(node.url, "weft_call", [{ to: probe, method: "spin" }]); // compile the contract first
    const idle = await sampleHealth(node.url, sleep(2_000));
    const loading = loadCalls(node.url, probe, seconds * 1000);
    const busy = await sampleHealth(node.url, loading);
    const load = await loading;
    const row = {
      mode: mode.name,
      flags: mode.flags.join(" "),
      idleMedianMs: median(idle),
      busyMedianMs: median(busy),
      busyP90Ms: quantile(busy, 0.9),
      busyMaxMs: Math.max(...busy),
      healthSamples: busy.length,
      batches: load.batches,
      callsServed: load.served,
      callsRefused: load.refused,
      batchMedianMs: median(load.batchMs),
    };
    results.push(row);
    rows.push([
      mode.name,
      row.idleMedianMs.toFixed(1),
      row.busyMedianMs.toFixed(1),
      row.busyP90Ms.toFixed(1),
      row.busyMaxMs.toFixed(0),
      row.healthSamples,
      `${row.callsServed} / ${row.callsRefused}`,
      row.batchMedianMs.toFixed(0),
    ]);
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const attacks: Array<{ build: string } & AttackResult> = [];
const builds = [
  ...(args.before === undefined ? [] : [{ build: "before", cli: args.before }]),
  { build: "this build", cli: undefined },
];
for (const { build, cli } of only === "health" || only === "logs" || attackSeconds <= 0 ? [] : builds) {
  const dir = mkdtempSync(join(tmpdir(), "weft-rpc-attack-"));
  const node = await launchNode(dir, ["--port", "0", "--dev-accounts", "2"], 120_000, cli);
  console.error(`attack on ${build}: node at ${node.url}`);
  try {
    const probe = await deployProbe(node.url);
    await rpc(node.url, "weft_call", [{ to: probe, method: "gas" }]); // compile the contract first
    await rpc(node.url, "eth_call", [{ data: "0x00" }, "latest"]).catch(() => undefined); // load the EVM
    attacks.push({ build, ...(await honestUnderAttack(node.url, probe, attackSeconds, attackDepth)) });
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const scans: Record<string, unknown>[] = [];
const scanRows: Array<Array<string | number>> = [];
for (const { build, cli } of only === "health" || only === "attack" || logSeconds <= 0 ? [] : builds) {
  const dir = mkdtempSync(join(tmpdir(), "weft-log-scans-"));
  const node = await launchNode(dir, ["--port", "0", "--dev-accounts", "2"], 120_000, cli);
  console.error(`log scans on ${build}: node at ${node.url}`);
  try {
    const from = await floodChain(node.url, floodTxs, 1_000);
    // One scan alone first (the EVM forms' metadata loaded), then the same timed.
    await scanOnce(node.url, from);
    const aloneMs = await scanOnce(node.url, from);
    await sleep(2_500); // the client's time budget full again
    const idle = await sampleHealth(node.url, sleep(2_000));
    const loading = loadScans(node.url, from, logBatch, logSeconds * 1000);
    const busy = await sampleHealth(node.url, loading);
    const load = await loading;
    const row = {
      build,
      floodTxs,
      scanAloneMs: aloneMs,
      idleMedianMs: median(idle),
      busyMedianMs: median(busy),
      busyP90Ms: quantile(busy, 0.9),
      busyMaxMs: Math.max(...busy),
      healthSamples: busy.length,
      batches: load.batches,
      answers: load.answers,
      batchMedianMs: median(load.batchMs),
    };
    scans.push(row);
    scanRows.push([
      build,
      aloneMs.toFixed(0),
      row.idleMedianMs.toFixed(1),
      row.busyMedianMs.toFixed(1),
      row.busyP90Ms.toFixed(1),
      row.busyMaxMs.toFixed(0),
      row.healthSamples,
      Object.entries(load.answers)
        .map(([k, n]) => `${k}: ${n}`)
        .join(", "),
    ]);
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
if (scans.length > 0) {
  console.log(
    `\n/health latency while one client keeps a batch of ${logBatch} eth_getLogs in flight, each reading ${floodTxs} x 1,000 flood logs and matching none (${logSeconds} s, default settings)\n`,
  );
  printTable(
    [
      "build",
      "one scan alone ms",
      "idle /health median ms",
      "busy median ms",
      "busy p90 ms",
      "busy max ms",
      "samples",
      "scan answers (ok or error code: count)",
    ],
    scanRows,
  );
}

if (attacks.length > 0) {
  console.log(
    `\nhonest weft_call (from ${HONEST}) while ${ATTACKERS.length} addresses of one /24 keep ${attackDepth} looping eth_call each in flight (${attackSeconds} s, default settings)\n`,
  );
  printTable(
    [
      "build",
      "honest calls",
      "median ms",
      "p90 ms",
      "max ms",
      "honest errors",
      "attack answers (ok or error code: count)",
    ],
    attackRows(attacks),
  );
  const [first, last] = [attacks[0], attacks.at(-1)] as [AttackResult, AttackResult];
  if (attacks.length === 2)
    console.log(
      `honest median: before ${median(first.honestMs).toFixed(1)} ms, this build ${median(last.honestMs).toFixed(1)} ms (${(median(first.honestMs) / median(last.honestMs)).toFixed(1)}x)`,
    );
}
if (results.length > 0) {
  console.log(
    `\n/health latency with a batch of ${batchSize} max-gas weft_call always in flight (${seconds} s)\n`,
  );
  printTable(
    [
      "calls run on",
      "idle /health median ms",
      "busy median ms",
      "busy p90 ms",
      "busy max ms",
      "samples",
      "calls served / refused",
      "batch median ms",
    ],
    rows,
  );
  const busy = (name: string) =>
    (results.find((r) => r.mode === name) as { busyMedianMs: number } | undefined)?.busyMedianMs;
  const shipped = busy("workers + budget") as number;
  for (const name of ["before", "main thread", "workers"]) {
    const ms = busy(name);
    if (ms !== undefined)
      console.log(
        `busy /health median: ${name} ${ms.toFixed(1)} ms, workers + budget ${shipped.toFixed(1)} ms (${(ms / shipped).toFixed(1)}x)`,
      );
  }
}
writeJson("bench/results/rpcIsolation.json", {
  command: `${USAGE.split(" [")[0]} --batch ${batchSize} --seconds ${seconds} --gap-ms ${gapMs} --attack-seconds ${attackSeconds} --attack-depth ${attackDepth} --log-seconds ${logSeconds} --log-batch ${logBatch} --flood-txs ${floodTxs}${only === undefined ? "" : ` --only ${only}`}${args.before === undefined ? "" : ` --before ${args.before}`}`,
  machine: machineInfo(),
  results,
  scans,
  attacks: attacks.map((a) => ({
    build: a.build,
    honestCalls: a.honestMs.length,
    honestMedianMs: a.honestMs.length === 0 ? null : median(a.honestMs),
    honestMaxMs: Math.max(0, ...a.honestMs),
    honestErrors: a.honestErrors,
    attack: a.attack,
  })),
});
console.log("wrote bench/results/rpcIsolation.json");
