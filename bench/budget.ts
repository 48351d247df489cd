/**
 * The node's CPU budget per transaction, stage by stage, all on one thread and in one
 * run: what the load's transaction (a WUSD transfer from a dev ed25519 smart account, as
 * `bench/load.ts` sends it) costs to verify, to admit (decode, hash, the account's
 * validation with its signature check, the pool), to execute (with the signature already
 * verified), to fold into the Merkle root, and to commit into LMDB.
 *
 * From those it derives the highest end-to-end rate the node could reach on this
 * machine's cores if every stage ran in parallel with perfect efficiency and nothing else
 * ran (no RPC, no load generator, no garbage collector threads): cores / (sum of the
 * stages), beside the verification ceiling cores / verify. Their ratio is an upper bound
 * on the "share of the verification ceiling" that `bench/load.ts` measures.
 *
 *   node dist/bench/budget.js [--txs 3000] [--rounds 4] [--state-history-blocks 128] [--workers 1]
 *
 * `--workers N` past 1 executes each block on the parallel engine with N worker threads, as
 * a node with `workers` N does (admission stays on this thread); the CPU column then counts
 * the workers' threads too.
 *
 * `--state-history-blocks` is the node's setting (`node/store/stateHistory.ts`): 1 records no
 * change sets; the default 128 records one a block but, with fewer blocks than that, drops
 * none; 2 records one and drops one every block, as a node that has run for a while does.
 *
 * Each stage is timed on the wall clock, and its CPU time is shown beside it: the process's
 * CPU time (`process.cpuUsage`: this thread, V8's helper threads, LMDB's, the workers')
 * while it ran. Execution, the Merkle root and the LMDB commit (until flushed) are measured
 * by the producer itself (`ProducedBlock.cpuMs`); block building is the rest of block
 * production's CPU; verification and admission are phases of their own here. On a machine
 * other work shares, the CPU column is the steadier figure: waiting for a core (or a disk
 * flush) adds wall time, not CPU time.
 *
 * Prints a table, writes bench/results/budget.json and budget.svg.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { encodeTx, signingHash, type TxEnvelope } from "../src/chain/tx/envelope.js";
import { memoCounts } from "../src/chain/validationMemo.js";
import { encodeAbi } from "../src/codec/abi.js";
import type { Address } from "../src/codec/address.js";
import { verifyEd25519 } from "../src/codec/signatures.js";
import { ChainNode } from "../src/node/chainNode.js";
import { defaultConfig } from "../src/node/config.js";
import type { ProducedBlock } from "../src/node/producer.js";
import { DEFAULT_STATE_HISTORY_BLOCKS } from "../src/node/store/stateHistory.js";
import { devSigner } from "../src/sdk/devKeys.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node dist/bench/budget.js [--txs 3000] [--rounds 4] [--accounts 256] [--state-history-blocks 128] [--workers 1]",
  {
    options: {
      "state-history-blocks": { type: "string", default: String(DEFAULT_STATE_HISTORY_BLOCKS) },
      txs: { type: "string", default: "3000" },
      rounds: { type: "string", default: "4" },
      accounts: { type: "string", default: "256" },
      workers: { type: "string", default: "1" },
    },
  },
);
const txCount = Number(args.txs);
const rounds = Number(args.rounds);
const accounts = Number(args.accounts);
const historyBlocks = Number(args["state-history-blocks"]);
const workers = Number(args.workers);
for (const [name, v] of [
  ["workers", workers],
  ["state-history-blocks", historyBlocks],
  ["txs", txCount],
  ["rounds", rounds],
  ["accounts", accounts],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
}
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), "weft-budget-"));
const defaults = defaultConfig(dir);
const node = await ChainNode.open({
  dataDir: dir,
  chainId: defaults.chainId,
  feeRecipient: defaults.feeRecipient,
  devAccounts: accounts,
  workers,
  admissionWorkers: 0, // admission on this thread
  // One worker: every block runs sequentially, on this thread; more: on the parallel engine.
  minParallelTxs: workers === 1 ? txCount + 1 : 1,
  blockTimeMs: 3_600_000,
  maxBlockTxs: txCount,
  blockGasLimit: defaults.blockGasLimit * 10,
  stateHistoryBlocks: historyBlocks,
});
const wusd = node.genesis.contracts.wusd as Address;
const senders = node.genesis.accounts.slice(0, accounts).map((a, i) => ({
  address: a.address as Address,
  signer: devSigner(i),
}));
const nextNonce = new Map(senders.map((s) => [s.address, node.nextSequence(s.address, 0n)]));

interface Stage {
  stage: string;
  /** Wall-clock µs per transaction (median over rounds). */
  usPerTx: number;
  /** CPU µs per transaction (median over rounds): the phase's CPU shared by wall-clock time. */
  cpuUsPerTx: number;
}
const samples = new Map<string, Array<{ wall: number; cpu: number }>>();
/** The main thread's part of the LMDB commit, µs per transaction, per round. */
const commitIssueUs: number[] = [];
/** Records a stage's wall-clock µs/tx, and its CPU µs/tx as `wall × cpuPerWall` of its phase. */
const add = (stage: string, us: number, cpuPerWall: number) =>
  samples.set(stage, [...(samples.get(stage) ?? []), { wall: us, cpu: us * cpuPerWall }]);
/** CPU time of the process (all threads) in ms since `from`. */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

for (let round = 0; round <= rounds; round++) {
  const signed: Array<{ raw: Uint8Array; key: Uint8Array; hash: Uint8Array; auth: Uint8Array }> = [];
  for (let i = 0; i < txCount; i++) {
    const s = senders[i % senders.length] as (typeof senders)[number];
    const sequence = nextNonce.get(s.address) as bigint;
    nextNonce.set(s.address, sequence + 1n);
    const to = `0x${(0x2000000 + round * txCount + i).toString(16).padStart(40, "0")}` as Address;
    const env: TxEnvelope = {
      chainId: defaults.chainId,
      sender: s.address,
      nonceKey: 0n,
      nonceSequence: sequence,
      gasLimit: 2_000_000n, // above what the transfer and its ed25519 validation take on the gas schedule
      maxFee: 10n,
      priorityFee: 1n,
      calls: [
        { target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [to, 1n]), value: 0n },
      ],
      auth: new Uint8Array(0),
    };
    const hash = signingHash(env);
    env.auth = s.signer.sign(hash);
    signed.push({ raw: encodeTx(env), key: s.signer.publicKey, hash, auth: env.auth });
  }
  let t = performance.now();
  let cpu = process.cpuUsage();
  for (const x of signed) {
    if (!verifyEd25519(x.key, x.hash, x.auth)) throw new Error("a valid signature failed");
  }
  const verifyUs = ((performance.now() - t) * 1000) / txCount;
  const verifyCpu = (cpuMs(cpu) * 1000) / txCount / verifyUs;
  t = performance.now();
  cpu = process.cpuUsage();
  for (const x of signed) node.submit(x.raw);
  const admitUs = ((performance.now() - t) * 1000) / txCount;
  const admitCpu = (cpuMs(cpu) * 1000) / txCount / admitUs;
  t = performance.now();
  cpu = process.cpuUsage();
  if (node.mempool.size !== txCount) throw new Error(`pool holds ${node.mempool.size}, expected ${txCount}`);
  // The pool reaching a full block has already asked for one; produceNow waits for it.
  let produced: ProducedBlock | undefined;
  const off = node.onBlock((b) => {
    produced = b;
  });
  await node.produceNow();
  off();
  const produceMs = performance.now() - t;
  const produceCpuMs = cpuMs(cpu);
  if (produced === undefined || produced.block.header.txCount !== txCount) {
    throw new Error(`round ${round}: expected a block of ${txCount}, got ${produced?.block.header.txCount}`);
  }
  const failed = produced.receipts.filter((r) => r.status !== "success");
  if (failed.length > 0) {
    const first = failed[0] as (typeof failed)[number];
    throw new Error(
      `round ${round}: ${failed.length} transactions failed; the first: ${first.status}, gas ${first.gasUsed}, output ${first.output}`,
    );
  }
  if (round === 0) continue; // warm-up
  const e = produced.block.execution;
  if (e === undefined) throw new Error("the block has no execution record");
  const stageCpu = produced.cpuMs;
  if (stageCpu === undefined) throw new Error("the producer measured no CPU time per stage");
  const perTx = (ms: number) => (ms * 1000) / txCount;
  /** A stage's wall and CPU ms as µs/tx, recorded as `add` does. */
  const addMs = (stage: string, wallMs: number, stageCpuMs: number) =>
    samples.set(stage, [...(samples.get(stage) ?? []), { wall: perTx(wallMs), cpu: perTx(stageCpuMs) }]);
  add("verify the signature", verifyUs, verifyCpu);
  // Admission's CPU less the verification's (the same signatures, verified the same way).
  add(
    "admission, besides the signature",
    admitUs - verifyUs,
    (admitUs * admitCpu - verifyUs * verifyCpu) / (admitUs - verifyUs),
  );
  addMs("execution (signature already verified)", e.executeMs, stageCpu.execute);
  addMs("Merkle root update", e.stateRootMs, stageCpu.stateRoot);
  addMs("LMDB commit (state, Merkle nodes, block, receipts, indexes)", produced.commitMs, stageCpu.commit);
  // Not a stage of its own: the part of the commit's wall time the main thread spent.
  if (produced.commitIssueMs !== undefined) commitIssueUs.push(perTx(produced.commitIssueMs));
  addMs(
    "block building, receipts and records",
    produceMs - e.executeMs - e.stateRootMs - produced.commitMs,
    produceCpuMs - stageCpu.execute - stageCpu.stateRoot - stageCpu.commit,
  );
}
// Validation steps given again from admission's records (chain/validationMemo.ts), over every
// round (warm-up included): this thread's when it executed, else the engine workers'.
const memo = { given: memoCounts.given, ran: memoCounts.ran };
for (const c of node.compileStats().workers) {
  memo.given += c.memoGiven ?? 0;
  memo.ran += c.memoRan ?? 0;
}
await node.close();
rmSync(dir, { recursive: true, force: true });

const stages: Stage[] = [...samples].map(([stage, list]) => ({
  stage,
  usPerTx: median(list.map((x) => x.wall)),
  cpuUsPerTx: median(list.map((x) => x.cpu)),
}));
const totalUs = stages.reduce((sum, s) => sum + s.usPerTx, 0);
const totalCpuUs = stages.reduce((sum, s) => sum + s.cpuUsPerTx, 0);
const verifyUs = stages[0]?.usPerTx ?? Number.NaN;
const besidesVerifyCpuUs = totalCpuUs - (stages[0]?.cpuUsPerTx ?? Number.NaN);
const ceiling = (cores * 1e6) / verifyUs;
const bound = (cores * 1e6) / totalUs;

console.log(
  `node CPU budget per transaction: WUSD transfers from ${accounts} dev accounts, blocks of ${txCount}, median of ${rounds} rounds, ${workers === 1 ? "one thread" : `execution on ${workers} workers`}, state history of ${historyBlocks} blocks`,
);
printTable(
  ["stage", "µs/tx", "share", "CPU µs/tx"],
  [
    ...stages.map((s) => [
      s.stage,
      s.usPerTx.toFixed(1),
      `${((s.usPerTx / totalUs) * 100).toFixed(0)}%`,
      s.cpuUsPerTx.toFixed(1),
    ]),
    ["all stages", totalUs.toFixed(1), "100%", totalCpuUs.toFixed(1)],
    ["all stages but verification", (totalUs - verifyUs).toFixed(1), "", besidesVerifyCpuUs.toFixed(1)],
  ],
);
const commitIssueUsPerTx = commitIssueUs.length === 0 ? undefined : median(commitIssueUs);
if (commitIssueUsPerTx !== undefined)
  console.log(
    `of the LMDB commit, the main thread's part (gathering the writes and issuing them to LMDB's write thread): ${commitIssueUsPerTx.toFixed(1)} µs/tx`,
  );
console.log(
  `validation steps given again from admission's records: ${memo.given} for ${(rounds + 1) * txCount} transactions (${memo.ran} records whose frame ran all the same)`,
);
console.log(
  `\nverification ceiling on ${cores} cores: ${Math.round(ceiling)} tx/s; the stages' bound on ${cores} cores (perfectly parallel, nothing else running): ${Math.round(bound)} tx/s = ${((bound / ceiling) * 100).toFixed(1)}% of the ceiling`,
);
writeJson("bench/results/budget.json", {
  machine: machineInfo(),
  params: { txs: txCount, rounds, accounts, cores, workers, stateHistoryBlocks: historyBlocks },
  stages,
  totalUsPerTx: totalUs,
  totalCpuUsPerTx: totalCpuUs,
  besidesVerifyUsPerTx: totalUs - verifyUs,
  besidesVerifyCpuUsPerTx: besidesVerifyCpuUs,
  ceilingTps: ceiling,
  boundTps: bound,
  boundShareOfCeiling: bound / ceiling,
  commitIssueUsPerTx,
  memoGiven: memo.given,
  memoRan: memo.ran,
});
writeSvg(
  "bench/results/budget.svg",
  barChartSvg(
    `Node CPU per transaction by stage (µs, one thread, blocks of ${txCount})`,
    "µs per transaction",
    stages.map((s) => ({ label: s.stage.split(" (")[0] as string, value: Math.round(s.usPerTx * 10) / 10 })),
  ),
);
console.log("wrote bench/results/budget.json and budget.svg");
