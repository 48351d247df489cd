/**
 * The receipts root's cost: v2 (each receipt hashed alone from one reused buffer; `records.ts`) against
 * v1 (the receipts' JSON in one string, what b157a5a did), for blocks of token-transfer-like
 * receipts (one 3-topic log of 32 bytes each) and of event-heavy receipts (4 logs of 4 KiB).
 * Prints a table of median ms per block and µs per receipt; writes bench/results/receiptsRoot.json.
 *
 *   node dist/bench/receiptsRoot.js [--receipts 10000] [--rounds 7]
 */
import { hex, type ReceiptJson, receiptsRoot, receiptsRootV1 } from "../src/node/store/records.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/receiptsRoot.js [--receipts N] [--rounds R]", {
  options: { receipts: { type: "string", default: "10000" }, rounds: { type: "string", default: "7" } },
});
const count = Number(args.receipts);
const rounds = Number(args.rounds);

function block(logs: number, dataBytes: number): ReceiptJson[] {
  const data = hex(new Uint8Array(dataBytes).fill(0x5a));
  return Array.from({ length: count }, (_, i) => {
    const txHash = hex(new Uint8Array(32).fill(i & 0xff));
    return {
      txHash,
      blockNumber: 1,
      blockHash: hex(new Uint8Array(32)),
      txIndex: i,
      status: "success" as const,
      gasUsed: 40_000 + i,
      fee: String(80_000 + i),
      output: "0x01" as const,
      logs: Array.from({ length: logs }, (_, logIndex) => ({
        address: "0x00000000000000000000000000000000000000c1" as const,
        topics: [
          hex(new Uint8Array(32).fill(1)),
          hex(new Uint8Array(32).fill(2)),
          hex(new Uint8Array(32).fill(3)),
        ],
        data,
        blockNumber: 1,
        txHash,
        txIndex: i,
        logIndex,
      })),
    };
  });
}

function time(run: () => unknown): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const rows: Array<Array<string | number>> = [];
const results: Array<Record<string, unknown>> = [];
for (const [name, logs, bytes] of [
  ["transfers (1 log of 32 B)", 1, 32],
  ["events (4 logs of 4 KiB)", 4, 4096],
] as const) {
  const receipts = block(logs, bytes);
  const v1 = time(() => receiptsRootV1(receipts));
  const v2 = time(() => receiptsRoot(receipts));
  rows.push([
    name,
    count,
    v1.toFixed(1),
    v2.toFixed(1),
    ((v2 * 1000) / count).toFixed(2),
    (v2 / v1).toFixed(2),
  ]);
  results.push({ workload: name, receipts: count, v1Ms: v1, v2Ms: v2 });
}
printTable(["workload", "receipts", "v1 JSON ms", "v2 per-receipt ms", "v2 µs/receipt", "v2/v1"], rows);
writeJson("bench/results/receiptsRoot.json", { machine: machineInfo(), rounds, results });
