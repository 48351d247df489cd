/**
 * The stale-spin block (issue 12's attacker): `--txs` transactions of `--gas` gas limit,
 * transaction i spinning on `storage_has(key i-1)` until the one before it writes that key.
 * Sequentially each finds its key at once; in parallel, incarnations that run too early
 * read it absent and, without the early stop (`engine/parallel/worker.ts`), spin to their
 * gas limit before validation throws them away. Times the sequential executor and the
 * parallel engine on the same block, `--rounds` times each (both in each round), and a
 * control block whose contract never spins; prints medians and the parallel/sequential
 * ratio of the same rounds, and writes bench/results/staleSpin-<label>.json.
 *
 *   node dist/bench/staleSpin.js [--txs 40] [--gas 75000000] [--workers 2] [--rounds 7] [--label current]
 */
import { TestChain } from "../test/helpers/contracts.js";
import { attachChain, chainEngine } from "../test/helpers/parallelChain.js";
import { deploySpinner, spinBlock } from "../test/helpers/staleSpin.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { seqParBlock } from "./lib/seqParBlock.js";

const usage =
  "node dist/bench/staleSpin.js [--txs 40] [--gas 75000000] [--workers 2] [--rounds 7] [--label current]";
const args = benchArgs(usage, {
  options: {
    txs: { type: "string", default: "40" },
    gas: { type: "string", default: "75000000" },
    workers: { type: "string", default: "2" },
    rounds: { type: "string", default: "7" },
    label: { type: "string", default: "current" },
  },
});
const TXS = Number(args.txs);
const GAS = Number(args.gas);
const ROUNDS = Number(args.rounds);

const chain = new TestChain(TXS + 2);
const spinner = deploySpinner(chain);
const txs = spinBlock(spinner, TXS, GAS);
const engine = await chainEngine(Number(args.workers));

interface Round {
  seqMs: number;
  parMs: number;
  executions: number;
  earlyStops: number | undefined;
}

const rounds: Round[] = [];
try {
  for (let r = 0; r < ROUNDS + 1; r++) {
    const store = await attachChain(engine, chain);
    const { seqMs, parMs } = await seqParBlock(engine, chain, store, txs, `round ${r}`);
    const stats = engine.lastStats;
    // Round 0 warms up (module compiles, JIT): not counted.
    if (r > 0)
      rounds.push({
        seqMs,
        parMs,
        executions: stats?.executions ?? 0,
        earlyStops: (stats as { earlyStops?: number } | undefined)?.earlyStops,
      });
  }
} finally {
  await engine.close();
}

const ratios = rounds.map((r) => r.parMs / r.seqMs);
const summary = {
  txs: TXS,
  gasLimit: GAS,
  workers: Number(args.workers),
  rounds: ROUNDS,
  seqMsMedian: median(rounds.map((r) => r.seqMs)),
  parMsMedian: median(rounds.map((r) => r.parMs)),
  parOverSeqMedian: median(ratios),
  parMsMax: Math.max(...rounds.map((r) => r.parMs)),
  executionsMedian: median(rounds.map((r) => r.executions)),
  earlyStopsMedian: rounds.every((r) => r.earlyStops === undefined)
    ? "n/a"
    : median(rounds.map((r) => r.earlyStops ?? 0)),
};
printTable(
  ["txs", "gas limit", "seq ms", "par ms", "par/seq", "par max ms", "executions", "early stops"],
  [
    [
      TXS,
      GAS,
      summary.seqMsMedian.toFixed(1),
      summary.parMsMedian.toFixed(1),
      summary.parOverSeqMedian.toFixed(2),
      summary.parMsMax.toFixed(1),
      summary.executionsMedian,
      summary.earlyStopsMedian,
    ],
  ],
);
writeJson(`bench/results/staleSpin-${args.label}.json`, { machine: machineInfo(), summary, rounds });
