/**
 * The key-arena attack (issue 12): one transaction of `--gas` reading distinct absent
 * storage keys of `--key-bytes` bytes until it runs out of gas, in a block of `--txs`
 * transactions (the others read one key each). Every key is new to the parallel engine's
 * key table; on 8d0a6b4 and before, 130,000 keys of 256 bytes overflowed its 64 MiB arena
 * and the block ran a second time, sequentially. Times the sequential executor and the
 * parallel engine on the same block (fresh keys each round), `--rounds` times each, and
 * prints medians, the engine's mode and the same-run ratio; writes bench/results/keyArena-<label>.json.
 *
 *   node dist/bench/keyArena.js [--gas 298000000] [--key-bytes 256] [--txs 1] [--workers 2] [--rounds 3] [--label current]
 */
import { account } from "../test/helpers/chain.js";
import { TestChain } from "../test/helpers/contracts.js";
import { deployKeyScanner, keyScanTx } from "../test/helpers/keyScan.js";
import { attachChain, chainEngine } from "../test/helpers/parallelChain.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { seqParBlock } from "./lib/seqParBlock.js";

const usage =
  "node dist/bench/keyArena.js [--gas 298000000] [--key-bytes 256] [--txs 1] [--workers 2] [--rounds 3] [--label current]";
const args = benchArgs(usage, {
  options: {
    gas: { type: "string", default: "298000000" },
    "key-bytes": { type: "string", default: "256" },
    txs: { type: "string", default: "1" },
    workers: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    label: { type: "string", default: "current" },
  },
});
const GAS_LIMIT = Number(args.gas);
const KEY_BYTES = Number(args["key-bytes"]);
const TXS = Number(args.txs);
const ROUNDS = Number(args.rounds);

const chain = new TestChain(TXS + 2);
const scanner = deployKeyScanner(chain);
const engine = await chainEngine(Number(args.workers));
let seed = 0;
const block = () =>
  Array.from({ length: TXS }, (_, i) =>
    keyScanTx(scanner, account(i + 2), {
      count: i === 0 ? 0xffffffff : 1,
      keyBytes: KEY_BYTES,
      seed: ++seed,
      gasLimit: i === 0 ? GAS_LIMIT : 1_000_000,
    }),
  );

interface Round {
  seqMs: number;
  parMs: number;
  mode: string;
  fallbackReason: string | undefined;
  gasUsed: number;
}
const rounds: Round[] = [];
try {
  const store = await attachChain(engine, chain);
  for (let r = 0; r < ROUNDS; r++) {
    const { seqMs, parMs, seq } = await seqParBlock(engine, chain, store, block(), `round ${r}`);
    rounds.push({
      seqMs,
      parMs,
      mode: engine.lastStats?.mode ?? "?",
      fallbackReason: engine.lastStats?.fallbackReason,
      gasUsed: seq.receipts[0]?.gasUsed ?? 0,
    });
  }
} finally {
  await engine.close();
}
const summary = {
  gas: GAS_LIMIT,
  keyBytes: KEY_BYTES,
  txs: TXS,
  gasUsed: rounds[0]?.gasUsed,
  seqMsMedian: median(rounds.map((r) => r.seqMs)),
  parMsMedian: median(rounds.map((r) => r.parMs)),
  parOverSeqMedian: median(rounds.map((r) => r.parMs / r.seqMs)),
  modes: [...new Set(rounds.map((r) => r.mode))].join(","),
  fallback: [...new Set(rounds.map((r) => r.fallbackReason).filter((x) => x !== undefined))].join("; "),
};
printTable(
  ["gas", "key bytes", "seq ms", "par ms", "par/seq", "mode", "fallback"],
  [
    [
      summary.gas,
      summary.keyBytes,
      summary.seqMsMedian.toFixed(0),
      summary.parMsMedian.toFixed(0),
      summary.parOverSeqMedian.toFixed(2),
      summary.modes,
      summary.fallback || "-",
    ],
  ],
);
writeJson(`bench/results/keyArena-${args.label}.json`, { machine: machineInfo(), summary, rounds });
