/**
 * The benchmark report: every result in bench/results/ as tables and plots, the parallel
 * engine against the sequential executor, and Weft against `@ethereumjs/vm` on the same
 * token-transfer semantics. `writeReport` writes report.md, report.html and the
 * comparison plot into the results folder.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barChartSvg, writeSvg } from "../lib/plot.js";
import {
  type Block,
  type Cell,
  type Doc,
  figure,
  fmt,
  h2,
  h3,
  list,
  p,
  renderHtml,
  renderMarkdown,
  table,
} from "./document.js";
import {
  type EngineCell,
  type Machine,
  type Results,
  readResults,
  weftSequentialTokenTps,
} from "./results.js";

/** One benchmark program run by the report. */
export interface RunRecord {
  name: string;
  command: string;
  ms: number;
  status: "ok" | "failed" | "not run";
  exitCode?: number | null;
}

export interface ReportOptions {
  /** The folder with the JSON and SVG results; the report is written there. */
  dir: string;
  /** The machine the report runs on (bench/lib machineInfo()). */
  machine: Record<string, unknown>;
  runs?: RunRecord[];
  quick?: boolean;
  /** When the report's run started (results older than this are marked as earlier runs). */
  startedAt?: Date;
  command?: string;
}

export const EVM_COMPARISON_SVG = "report-evm-vs-weft.svg";

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

function measured(machine: Machine | undefined, startedAt: Date | undefined): string {
  if (machine === undefined) return "";
  const when = new Date(machine.date);
  const earlier = startedAt !== undefined && when.getTime() < startedAt.getTime() - 1000;
  return `Measured ${machine.date.replace("T", " ").replace(/\.\d+Z$/, " UTC")}${earlier ? " (**an earlier run**, not this report's)" : ""} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}.`;
}

const x = (v: number | undefined, digits = 2) => (v === undefined ? "–" : `${v.toFixed(digits)}x`);

function missing(file: string): Block {
  return p(`No results: \`bench/results/${file}\` is missing (its benchmark did not run or failed).`);
}

function sequentialSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Sequential execution")];
  const s = r.sequential;
  if (s === undefined) return [...out, missing("sequential.json")];
  out.push(
    p(
      `The reference executor (\`bench/sequential.ts\`): blocks of ${fmt(s.params.blockSize)} transactions over ${fmt(s.params.accounts)} accounts, median of ${s.params.runs} runs. ${measured(s.machine, o.startedAt)}`,
    ),
  );
  const rows = (data: typeof s) =>
    data.rows.map((row): Cell[] => [
      row.workload,
      row.variant,
      fmt(row.txs),
      fmt(row.medianMs, 1),
      fmt(row.tps),
      fmt(row.usPerTx, 2),
      fmt(row.gasPerSecond),
    ]);
  const headers = ["workload", "variant", "txs", "median ms", "TPS", "µs/tx", "gas/s"];
  out.push(table(headers, rows(s)));
  const split = s.tokenCostSplit;
  if (split !== undefined) {
    const share = (v: number) => `${((v / split.wholeUsPerTx) * 100).toFixed(0)}%`;
    out.push(
      h3("Where a token transfer's time goes"),
      table(
        ["part", "µs/tx", "share"],
        [
          ["whole transaction (metered)", fmt(split.wholeUsPerTx, 2), "100%"],
          [
            "instantiate (pooled memory + data + instance)",
            fmt(split.instantiateUs, 2),
            share(split.instantiateUs),
          ],
          [
            `host calls (${fmt(split.hostCallsPerTx, 1)} per tx, timed)`,
            fmt(split.hostUsPerTx, 2),
            share(split.hostUsPerTx),
          ],
          ["metering (metered − unmetered)", fmt(split.meteringUsPerTx, 2), share(split.meteringUsPerTx)],
        ],
      ),
    );
  }
  if (r.sequential100 !== undefined) {
    const h = r.sequential100;
    out.push(
      h3(`The same over ${fmt(h.params.accounts)} accounts`),
      p(
        `Blocks of ${fmt(h.params.blockSize)}, median of ${h.params.runs} runs. ${measured(h.machine, o.startedAt)}`,
      ),
      table(headers, rows(h)),
    );
  }
  out.push(figure("sequential.svg", "Sequential throughput"));
  return out;
}

function engineSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Parallel engine vs the sequential executor")];
  const e = r.engine;
  if (e === undefined) return [...out, missing("engine.json")];
  out.push(
    p(
      `\`bench/engine.ts\`: each block runs on the sequential executor and on the parallel engine with ${e.params.workerCounts.join(", ")} worker(s), interleaved in the same run; speedup = sequential time ÷ parallel time. Median of ${e.params.runs} runs. ${measured(e.machine, o.startedAt)}`,
    ),
  );
  const executors = [...new Set([...e.cells, ...(e.defi?.cells ?? [])].map((c) => c.executor))].filter(
    (name) => name !== "sequential",
  );
  const grouped = (cells: EngineCell[], withAccounts: boolean): Cell[][] => {
    const keys = [...new Set(cells.map((c) => `${c.workload}|${c.accounts}|${c.block}`))];
    return keys.map((key) => {
      const mine = cells.filter((c) => `${c.workload}|${c.accounts}|${c.block}` === key);
      const first = mine[0] as EngineCell;
      const seq = mine.find((c) => c.executor === "sequential");
      const row: Cell[] = [first.workload];
      if (withAccounts) row.push(fmt(first.accounts));
      row.push(fmt(first.block), fmt(seq?.tps));
      for (const name of executors) {
        const c = mine.find((m) => m.executor === name);
        row.push(c === undefined ? "–" : `${fmt(c.tps)} (${x(c.speedup)})`);
      }
      const modes = executors.map((name) => mine.find((m) => m.executor === name)?.mode ?? "–");
      row.push(modes.join(" / "));
      const last = mine.filter((c) => c.executor !== "sequential").at(-1);
      row.push(last === undefined ? "–" : `${last.reexecPerTx.toFixed(3)} / ${last.abortsPerTx.toFixed(3)}`);
      return row;
    });
  };
  const headers = (withAccounts: boolean) => [
    "workload",
    ...(withAccounts ? ["accounts"] : []),
    "block",
    "sequential TPS",
    ...executors.map((name) => `${name} TPS (speedup)`),
    "mode",
    `re-exec / aborts per tx (${executors.at(-1) ?? "-"})`,
  ];
  if (e.cells.length > 0) {
    out.push(h3("Transfers over the Block-STM account sweep"), table(headers(true), grouped(e.cells, true)));
    const best = e.cells
      .filter((c) => c.executor !== "sequential")
      .sort((a, b) => b.speedup - a.speedup)
      .slice(0, 1)[0];
    if (best !== undefined)
      out.push(
        p(
          `Best measured speedup: ${x(best.speedup)} (${best.workload}, ${fmt(best.accounts)} accounts, blocks of ${fmt(best.block)}, ${best.executor}).`,
        ),
      );
    for (const workload of [...new Set(e.cells.map((c) => c.workload))])
      for (const block of e.params.blockSizes) {
        if (!e.cells.some((c) => c.workload === workload && c.block === block)) continue;
        out.push(
          figure(`engine-${workload}-${block}-tps.svg`, `${workload}, blocks of ${block}: throughput`),
          figure(`engine-${workload}-${block}-speedup.svg`, `${workload}, blocks of ${block}: speedup`),
        );
      }
  } else {
    out.push(p("The transfer sweep was skipped in this run (`--skip-transfers`)."));
  }
  if (e.defi !== undefined && e.defi.cells.length > 0) {
    out.push(
      h3(`DeFi workloads (blocks of ${fmt(e.defi.block)})`),
      table(headers(false), grouped(e.defi.cells, false)),
      figure("engine-defi-tps.svg", "DeFi workloads: throughput"),
    );
  }
  if (e.hardwareCeiling !== undefined)
    out.push(
      h3("Hardware ceiling"),
      p(
        `Two independent sequential runs at once on two threads give ${x(e.hardwareCeiling)} the throughput of one alone: the most any 2-thread speedup can reach on this machine.`,
      ),
    );
  if (e.smallBlocks !== undefined && e.smallBlocks.length > 0)
    out.push(
      h3("Small blocks (token transfers, 2 workers vs sequential)"),
      table(
        ["txs", "speedup"],
        e.smallBlocks.map((s) => [fmt(s.txs), x(s.speedup)]),
      ),
    );
  if (e.projection !== undefined && e.projection.cells.length > 0) {
    const cores = Object.keys(e.projection.cells[0]?.speedup ?? {});
    out.push(
      h3("Projection to more cores (a model, not a measurement)"),
      p(
        "Dependency-aware scheduling of the recorded blocks with the engine's measured 1-worker overhead (`bench/lib/projection.ts`).",
      ),
      table(
        ["workload", "accounts", "block", "overhead", ...cores.map((c) => `${c} cores`)],
        e.projection.cells.map((c) => [
          c.workload,
          fmt(c.accounts),
          fmt(c.block),
          x(c.overhead),
          ...cores.map((k) => x(c.speedup[k], 1)),
        ]),
      ),
    );
  }
  return out;
}

function evmSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Weft vs @ethereumjs/vm: token transfers")];
  const evm = r.evm;
  if (evm === undefined) return [...out, missing("evm.json")];
  out.push(
    p(
      `The same workload on both: blocks of ${fmt(evm.params.blockSize)} transfers of 1 unit between random distinct holders (seed 1), every holder funded, executed one transaction after another. Weft runs its WebAssembly token (\`contracts/src/token\`, metered) on the sequential executor; the EVM side runs a token with the same transfer semantics (balances mapping, insufficient-balance and zero-address reverts, a Transfer event, checked arithmetic), hand-assembled in \`bench/evm/token.ts\`, on ${evm.vm.package} ${evm.vm.version} (${evm.vm.hardfork}, ${evm.vm.stateManager}) with signed legacy transactions through \`runTx\` (senders' keys cached, so neither side verifies signatures in the timed part). ${measured(evm.machine, o.startedAt)}`,
    ),
    p(
      "\"EVM + root\" adds committing the block's state into the Merkle Patricia trie and computing the state root; Weft's sequential number excludes its state commitment (see the Merkle section for its cost per write).",
    ),
  );
  const rows: Cell[][] = [];
  for (const row of evm.rows) {
    const weft = weftSequentialTokenTps(r, row.accounts, row.txs);
    rows.push([
      fmt(row.accounts),
      fmt(row.txs),
      weft === undefined ? "–" : fmt(weft.tps),
      weft === undefined ? "–" : fmt(weft.usPerTx, 2),
      fmt(row.tps),
      fmt(row.usPerTx, 1),
      weft === undefined ? "–" : x(weft.tps / row.tps, 1),
      fmt(row.tpsWithRoot),
      weft === undefined ? "–" : x(weft.tps / row.tpsWithRoot, 1),
      weft?.source ?? "no Weft result for this shape",
    ]);
  }
  out.push(
    table(
      [
        "accounts",
        "txs",
        "Weft TPS",
        "Weft µs/tx",
        "EVM TPS",
        "EVM µs/tx",
        "Weft ÷ EVM",
        "EVM + root TPS",
        "Weft ÷ (EVM + root)",
        "Weft result",
      ],
      rows,
    ),
  );
  const parallel = (r.engine?.cells ?? []).filter(
    (c) =>
      c.workload === "token-transfer" &&
      c.executor !== "sequential" &&
      evm.rows.some((e) => e.accounts === c.accounts && e.txs === c.block),
  );
  if (parallel.length > 0)
    out.push(
      p(
        `Weft's parallel engine on the same shapes: ${parallel.map((c) => `${fmt(c.accounts)} accounts, ${c.executor}: ${fmt(c.tps)} TPS (${x(c.speedup)} sequential)`).join("; ")}.`,
      ),
    );
  out.push(
    p(
      `EVM gas per transfer: ${evm.rows.map((row) => `${fmt(row.gasPerTx)} (${fmt(row.accounts)} accounts)`).join(", ")} (gas units of the two chains are not comparable).`,
    ),
    figure(EVM_COMPARISON_SVG, "Token transfers per second: Weft sequential vs @ethereumjs/vm"),
    figure("evm.svg", "@ethereumjs/vm token transfers"),
  );
  return out;
}

function signaturesSection(r: Results, o: ReportOptions): Block[] {
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

function merkleSection(r: Results, o: ReportOptions): Block[] {
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

function mempoolSection(r: Results, o: ReportOptions): Block[] {
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

function loadSection(r: Results, o: ReportOptions): Block[] {
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

function summary(r: Results): Block[] {
  const items: string[] = [];
  const token = r.sequential?.rows.find((x) => x.workload === "token-transfer" && x.variant === "metered");
  const native = r.sequential?.rows.find((x) => x.workload === "native-transfer");
  if (token !== undefined && r.sequential !== undefined)
    items.push(
      `Sequential: ${fmt(token.tps)} token transfers/s (${fmt(token.usPerTx, 2)} µs each)${native === undefined ? "" : `, ${fmt(native.tps)} native transfers/s`}, ${fmt(r.sequential.params.accounts)} accounts.`,
    );
  for (const row of r.evm?.rows ?? []) {
    const weft = weftSequentialTokenTps(r, row.accounts, row.txs);
    if (weft !== undefined)
      items.push(
        `vs @ethereumjs/vm, ${fmt(row.accounts)} accounts: Weft ${fmt(weft.tps)} TPS, EVM ${fmt(row.tps)} TPS: **${x(weft.tps / row.tps, 1)}**.`,
      );
  }
  const best = (r.engine?.cells ?? [])
    .filter((c) => c.executor !== "sequential")
    .sort((a, b) => b.speedup - a.speedup)[0];
  if (best !== undefined)
    items.push(
      `Parallel engine: best ${x(best.speedup)} vs sequential (${best.workload}, ${fmt(best.accounts)} accounts, ${best.executor})${r.engine?.hardwareCeiling === undefined ? "" : `; hardware ceiling for 2 threads ${x(r.engine.hardwareCeiling)}`}.`,
    );
  const ed = r.signatures?.rows.find((s) => s.scheme === "ed25519");
  if (ed !== undefined)
    items.push(
      `ed25519 verification: ${fmt(ed.oneCore)}/s on one core, ${fmt(ed.pool)}/s on ${ed.workers} workers.`,
    );
  const merkle = r.merkle?.rows.at(-1);
  if (merkle !== undefined)
    items.push(
      `Merkle update: ${fmt(merkle.usPerWrite, 1)} µs/write (${fmt(merkle.keys)} keys, blocks of ${fmt(merkle.block)}).`,
    );
  const add = r.mempool?.rows[0];
  if (add !== undefined) items.push(`Mempool: ${add.operation} at ${fmt(add.usPerOp, 2)} µs each.`);
  return items.length === 0 ? [] : [h2("Summary"), list(items)];
}

export function buildReportDoc(results: Results, o: ReportOptions): Doc {
  const blocks: Block[] = [];
  const started = o.startedAt ?? new Date();
  blocks.push(
    p(
      `Generated ${started
        .toISOString()
        .replace("T", " ")
        .replace(
          /\.\d+Z$/,
          " UTC",
        )}${o.command === undefined ? "" : ` by \`${o.command}\``}${o.quick === undefined ? "" : o.quick ? " (quick sweep)" : " (full sweep)"}. Plots are the SVG files next to this report.`,
    ),
  );
  blocks.push(
    h2("Machine"),
    table(
      ["property", "value"],
      Object.entries(o.machine)
        .filter(([k]) => k !== "date")
        .map(([k, v]) => [k, String(v)]),
    ),
  );
  if (o.runs !== undefined && o.runs.length > 0)
    blocks.push(
      h2("Benchmarks run"),
      table(
        ["benchmark", "command", "time", "status"],
        o.runs.map((run) => [
          run.name,
          `\`${run.command}\``,
          run.status === "not run" ? "–" : duration(run.ms),
          run.status === "failed" ? `failed (exit ${run.exitCode})` : run.status,
        ]),
      ),
    );
  blocks.push(
    ...summary(results),
    ...sequentialSection(results, o),
    ...engineSection(results, o),
    ...evmSection(results, o),
    ...signaturesSection(results, o),
    ...merkleSection(results, o),
    ...mempoolSection(results, o),
    ...loadSection(results, o),
  );
  return { title: "Weft benchmark report", blocks };
}

/** The Weft-vs-EVM bar chart, or undefined when a side is missing. */
export function evmComparisonSvg(results: Results): string | undefined {
  const bars: Array<{ label: string; value: number }> = [];
  for (const row of results.evm?.rows ?? []) {
    const weft = weftSequentialTokenTps(results, row.accounts, row.txs);
    if (weft === undefined) continue;
    bars.push(
      { label: `Weft sequential, ${row.accounts} accounts`, value: weft.tps },
      { label: `EVM, ${row.accounts} accounts`, value: row.tps },
      { label: `EVM + state root, ${row.accounts} accounts`, value: row.tpsWithRoot },
    );
  }
  return bars.length === 0
    ? undefined
    : barChartSvg("Token transfers per second: Weft vs @ethereumjs/vm", "tx/s", bars);
}

/** Reads the results in `o.dir` and writes report.md, report.html (and the comparison plot) there. */
export function writeReport(o: ReportOptions): { markdown: string; html: string } {
  const results = readResults(o.dir);
  const svg = evmComparisonSvg(results);
  if (svg !== undefined) writeSvg(join(o.dir, EVM_COMPARISON_SVG), svg);
  const doc = buildReportDoc(results, o);
  if (svg === undefined && !existsSync(join(o.dir, EVM_COMPARISON_SVG)))
    doc.blocks = doc.blocks.filter((b) => !(b.kind === "figure" && b.file === EVM_COMPARISON_SVG));
  const markdown = join(o.dir, "report.md");
  const html = join(o.dir, "report.html");
  writeFileSync(markdown, renderMarkdown(doc));
  writeFileSync(html, renderHtml(doc, o.dir));
  return { markdown, html };
}
