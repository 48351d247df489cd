/**
 * A smoke test of the benchmark report (bench/report): built from tiny fixture JSON files
 * in a temporary folder (no benchmark runs), it writes report.md (plots as links) and
 * report.html (plots inlined), compares Weft with the EVM on the same shapes, shows the
 * engine's speedups, and says which results are missing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EVM_COMPARISON_SVG, writeReport } from "../../../bench/report/build.js";
import { renderHtml, renderMarkdown, table } from "../../../bench/report/document.js";
import { benchmarkPlan } from "../../../bench/report/runner.js";

const machine = {
  node: "v20.0.0",
  cpus: 2,
  cpuModel: "Test CPU",
  memoryGiB: 8,
  date: "2026-01-01T00:00:00.000Z",
};

function sequential(accounts: number, tps: number, usPerTx: number) {
  return {
    machine,
    params: { accounts, blockSize: 10_000, runs: 3 },
    rows: [
      {
        workload: "native-transfer",
        variant: "-",
        txs: 10_000,
        medianMs: 80,
        tps: 125_000,
        gasPerSecond: 1,
        usPerTx: 8,
      },
      {
        workload: "token-transfer",
        variant: "metered",
        txs: 10_000,
        medianMs: 500,
        tps,
        gasPerSecond: 2,
        usPerTx,
      },
    ],
    tokenCostSplit: {
      wholeUsPerTx: 50,
      instantiateUs: 10,
      hostCallsPerTx: 9,
      hostUsPerTx: 20,
      meteringUsPerTx: 4,
    },
  };
}

const cell = (accounts: number, executor: string, tps: number, speedup: number, mode = "parallel") => ({
  workload: "token-transfer",
  accounts,
  block: 10_000,
  executor,
  medianMs: 10_000_000 / tps,
  tps,
  speedup,
  reexecPerTx: 0.01,
  abortsPerTx: 0.02,
  mode,
});

const fixtures: Record<string, unknown> = {
  "sequential.json": sequential(10_000, 20_000, 50),
  "sequential-100.json": sequential(100, 18_000, 55.5),
  "engine.json": {
    machine,
    params: { runs: 2, blockSizes: [10_000], accountSweep: [100, 10_000], workerCounts: [1, 2] },
    cells: [
      cell(100, "sequential", 18_000, 1, "-"),
      cell(100, "parallel-2", 9_000, 0.5, "sequential-contended"),
      cell(10_000, "sequential", 20_000, 1, "-"),
      cell(10_000, "parallel-2", 30_000, 1.5),
    ],
    hardwareCeiling: 1.6,
    smallBlocks: [{ txs: 128, speedup: 0.9 }],
    projection: {
      note: "model",
      cells: [
        {
          workload: "token-transfer",
          accounts: 10_000,
          block: 10_000,
          overhead: 1.1,
          speedup: { 2: 1.8, 4: 3.4 },
        },
      ],
    },
  },
  "evm.json": {
    machine,
    params: { accounts: [10_000, 100], blockSize: 10_000, runs: 3 },
    vm: {
      package: "@ethereumjs/vm",
      version: "10.1.3",
      hardfork: "prague",
      stateManager: "cached",
      contract: "token",
    },
    rows: [
      {
        accounts: 10_000,
        txs: 10_000,
        runs: 3,
        executeMs: 20_000,
        tps: 500,
        usPerTx: 2_000,
        withRootMs: 25_000,
        tpsWithRoot: 400,
        usPerTxWithRoot: 2_500,
        gasPerTx: 34_000,
      },
      {
        accounts: 100,
        txs: 10_000,
        runs: 3,
        executeMs: 12_000,
        tps: 900,
        usPerTx: 1_111.1,
        withRootMs: 12_500,
        tpsWithRoot: 800,
        usPerTxWithRoot: 1_250,
        gasPerTx: 33_000,
      },
    ],
  },
  "signatures.json": {
    machine,
    params: { keys: 4, rounds: 1 },
    rows: [{ scheme: "ed25519", oneCore: 9_000, pool: 12_000, workers: 2, usPerVerify: 111.1 }],
  },
  "merkle.json": {
    machine,
    params: { quick: true, runs: 2, sizes: [1_000], blockSizes: [100], updateShare: 0.75, hash: "sha256" },
    rows: [
      {
        keys: 1_000,
        block: 100,
        hashesPerWrite: 7,
        nodeHashesPerWrite: 5,
        nodeWritesPerBlock: 600,
        msPerBlock: 2,
        usPerWrite: 20,
      },
    ],
    builds: [{ keys: 1_000, buildMs: 9, usPerKey: 9, nodes: 2_400 }],
  },
};

describe("benchmark report (bench/report)", () => {
  let dir: string;
  let md: string;
  let html: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "weft-report-"));
    for (const [name, data] of Object.entries(fixtures)) writeFileSync(join(dir, name), JSON.stringify(data));
    writeFileSync(
      join(dir, "sequential.svg"),
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>fixture-plot</text></svg>\n',
    );
    const written = writeReport({
      dir,
      machine: { ...machine, date: "2026-01-02T00:00:00.000Z" },
      runs: [
        {
          name: "sequential",
          command: "node dist/bench/sequential.js",
          ms: 65_000,
          status: "ok",
          exitCode: 0,
        },
        { name: "mempool", command: "node dist/bench/mempool.js", ms: 1_000, status: "failed", exitCode: 1 },
      ],
      quick: true,
      startedAt: new Date("2026-01-02T00:00:00.000Z"),
      command: "node dist/bench/report.js --quick",
    });
    md = readFileSync(written.markdown, "utf8");
    html = readFileSync(written.html, "utf8");
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes report.md and report.html with the machine and the runs", () => {
    assert.ok(existsSync(join(dir, "report.md")) && existsSync(join(dir, "report.html")));
    assert.match(md, /^# Weft benchmark report/);
    assert.match(md, /\| cpuModel \| Test CPU \|/);
    assert.match(md, /\| sequential \| `node dist\/bench\/sequential.js` \| 1 min 05 s \| ok \|/);
    assert.match(md, /\| mempool \| .* \| failed \(exit 1\) \|/);
    assert.match(md, /an earlier run/);
  });

  it("compares Weft's sequential executor with the EVM on the same shapes", () => {
    assert.match(
      md,
      /\| 10,000 \| 10,000 \| 20,000 \| 50 \| 500 \| 2,000 \| 40.0x \| 400 \| 50.0x \| sequential.json \|/,
    );
    assert.match(
      md,
      /\| 100 \| 10,000 \| 18,000 \| 55.5 \| 900 \| 1,111.1 \| 20.0x \| 800 \| 22.5x \| sequential-100.json \|/,
    );
    assert.match(md, /Weft 20,000 TPS, EVM 500 TPS: \*\*40.0x\*\*/);
    assert.ok(existsSync(join(dir, EVM_COMPARISON_SVG)));
    assert.match(md, new RegExp(`!\\[[^\\]]+\\]\\(${EVM_COMPARISON_SVG}\\)`));
  });

  it("shows the parallel engine's speedups over the sequential executor", () => {
    assert.match(
      md,
      /\| token-transfer \| 10,000 \| 10,000 \| 20,000 \| 30,000 \(1.50x\) \| parallel \| 0.010 \/ 0.020 \|/,
    );
    assert.match(md, /Best measured speedup: 1.50x/);
    assert.match(md, /1.60x the throughput of one alone/);
    assert.match(md, /a model, not a measurement/);
  });

  it("links plots in Markdown and inlines them in HTML", () => {
    assert.match(md, /!\[Sequential throughput\]\(sequential.svg\)/);
    assert.match(
      html,
      /<figure><svg xmlns="http:\/\/www.w3.org\/2000\/svg"><text>fixture-plot<\/text><\/svg>/,
    );
    assert.doesNotMatch(html, /<\?xml/);
    assert.match(html, /<svg[^>]*>[\s\S]*Token transfers per second: Weft vs @ethereumjs\/vm/);
    assert.match(html, /plot engine-token-transfer-10000-tps.svg missing/);
    assert.match(html, /<td class="num">40.0x<\/td>/);
  });

  it("says which results are missing", () => {
    assert.match(md, /No results: `bench\/results\/mempool.json` is missing/);
  });

  it("escapes HTML and Markdown table cells", () => {
    const doc = { title: "t <x>", blocks: [table(["a|b"], [["<script>"]])] };
    assert.match(renderMarkdown(doc), /\| a\\\|b \|/);
    const page = renderHtml(doc, dir);
    assert.match(page, /&lt;script&gt;/);
    assert.doesNotMatch(page, /<script>/);
  });

  it("plans every benchmark the report runs, quick and full", () => {
    const quick = benchmarkPlan(true).map((b) => [b.script, ...b.args].join(" "));
    assert.deepEqual(quick, [
      "dist/bench/sequential.js --accounts 100 --runs 3",
      "dist/bench/sequential.js --runs 3",
      "dist/bench/engine.js --quick",
      "dist/bench/signatures.js",
      "dist/bench/merkle.js --quick",
      "dist/bench/mempool.js",
      "dist/bench/evm/run.js --quick",
    ]);
    assert.ok(benchmarkPlan(false).some((b) => b.script === "dist/bench/engine.js" && b.args.length === 0));
  });
});
