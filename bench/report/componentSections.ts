/**
 * The report's component sections: signature verification, the Merkle state commitment, the
 * mempool, and the end-to-end load test's last result.
 */
import { type Block, figure, fmt, h2, h3, p, table } from "./document.js";
import type { ReportOptions } from "./options.js";
import type { Results } from "./results.js";
import { measured, missing } from "./sectionText.js";

export function signaturesSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Signature verification")];
  const s = r.signatures;
  if (s === undefined) return [...out, missing("signatures.json")];
  out.push(
    p(
      `\`bench/signatures.ts\`: ${s.params.keys} keys × ${s.params.rounds} rounds. ${measured(s.machine, o.startedAt)}`,
    ),
    table(
      ["scheme", "µs/verify", "verify/s (1 core)", "verify/s (pool)", "workers"],
      s.rows.map((row) => [
        row.scheme,
        fmt(row.usPerVerify, 1),
        fmt(row.oneCore),
        fmt(row.pool),
        row.workers,
      ]),
    ),
    figure("signatures.svg", "Signature verifications per second"),
  );
  return out;
}

export function merkleSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("State commitment (Merkle tree)")];
  const m = r.merkle;
  if (m === undefined) return [...out, missing("merkle.json")];
  out.push(
    p(
      `\`bench/merkle.ts\`${m.params.quick ? " --quick" : ""}: blocks of random writes (${Math.round(m.params.updateShare * 100)}% updates) applied with one batch update; ${m.params.hash}; median of ${m.params.runs}. ${measured(m.machine, o.startedAt)}`,
    ),
    table(
      ["keys", "block", "hashes/write", "node hashes/write", "node writes/block", "ms/block", "µs/write"],
      m.rows.map((row) => [
        fmt(row.keys),
        fmt(row.block),
        fmt(row.hashesPerWrite, 2),
        fmt(row.nodeHashesPerWrite, 2),
        fmt(row.nodeWritesPerBlock),
        fmt(row.msPerBlock, 1),
        fmt(row.usPerWrite, 1),
      ]),
    ),
    h3("Building a tree"),
    table(
      ["keys", "build ms", "µs/key", "nodes"],
      m.builds.map((b) => [fmt(b.keys), fmt(b.buildMs), fmt(b.usPerKey, 1), fmt(b.nodes)]),
    ),
    figure("merkle.svg", "Merkle update cost per write"),
  );
  return out;
}

export function mempoolSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Mempool")];
  const m = r.mempool;
  if (m === undefined) return [...out, missing("mempool.json")];
  out.push(
    p(
      `\`bench/mempool.ts\`: ${Object.entries(m.params)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")}. ${measured(m.machine, o.startedAt)}`,
    ),
    table(
      ["operation", "ops", "median ms", "µs/op", "ops/s"],
      m.rows.map((row) => [
        row.operation,
        fmt(row.ops),
        fmt(row.medianMs, 2),
        fmt(row.usPerOp, 2),
        fmt(row.opsPerSecond),
      ]),
    ),
  );
  return out;
}

export function loadSection(r: Results, o: ReportOptions): Block[] {
  const l = r.load;
  if (l === undefined) return [];
  return [
    h2("End to end under load (not run by this report)"),
    p(
      `\`npm run bench:load\` (a node under increasing RPC load) takes long and is not part of this report's run; its last result is shown as found. ${measured(l.machine, o.startedAt)} ed25519 ceiling: ${fmt(l.ceiling.oneCore)}/s on one core, ${fmt(l.ceiling.pool)}/s on ${l.ceiling.workers} workers.`,
    ),
    table(
      ["offered/s", "sent", "rejected", "committed", "TPS", "p50 ms", "p99 ms", "% of ceiling"],
      l.rows.map((row) => [
        fmt(row.offered),
        fmt(row.sent),
        fmt(row.rejected),
        fmt(row.committed),
        fmt(row.tps),
        fmt(row.p50),
        fmt(row.p99),
        fmt(row.ofCeiling, 1),
      ]),
    ),
    figure("load.svg", "Committed TPS under load"),
  ];
}
