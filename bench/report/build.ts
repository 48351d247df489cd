/**
 * The benchmark report: every result in bench/results/ as tables and plots, the parallel
 * engine against the sequential executor, and Weft against `@ethereumjs/vm` on the same
 * token-transfer semantics. `writeReport` writes report.md, report.html and the
 * comparison plot into the results folder.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barChartSvg, writeSvg } from "../lib/plot.js";
import { loadSection, mempoolSection, merkleSection, signaturesSection } from "./componentSections.js";
import { type Block, type Doc, fmt, h2, list, p, renderHtml, renderMarkdown, table } from "./document.js";
import { engineSection, evmSection, sequentialSection } from "./executionSections.js";
import { EVM_COMPARISON_SVG, type ReportOptions } from "./options.js";
import { type Results, readResults, weftSequentialTokenTps } from "./results.js";
import { x } from "./sectionText.js";

export { EVM_COMPARISON_SVG, type ReportOptions, type RunRecord } from "./options.js";

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
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
