/**
 * The report's execution sections: the sequential executor, the parallel engine against it,
 * and Weft against `@ethereumjs/vm` on the same token-transfer semantics.
 */
import { type Block, type Cell, figure, fmt, h2, h3, p, table } from "./document.js";
import { EVM_COMPARISON_SVG, type ReportOptions } from "./options.js";
import { type EngineCell, type Results, type SequentialJson, weftSequentialTokenTps } from "./results.js";
import { measured, missing, x } from "./sectionText.js";

export function sequentialSection(r: Results, o: ReportOptions): Block[] {
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
          ...startRows(split, share),
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

export function engineSection(r: Results, o: ReportOptions): Block[] {
  const out: Block[] = [h2("Parallel engine vs the sequential executor")];
  const e = r.engine;
  if (e === undefined) return [...out, missing("engine.json")];
  out.push(
    p(
      `\`bench/engine.ts\`: each block runs on the sequential executor and on the parallel engine with ${e.params.workerCounts.join(", ")} worker(s), interleaved in the same run (parallel-N runs every block in parallel but for the contention rule; auto-N, where present, is the engine with its speed rule on (the node's \`speedRule\` setting), choosing parallel or sequential by what it has measured); speedup = sequential time ÷ parallel time. Median of at least ${e.params.runs} runs. ${measured(e.machine, o.startedAt)}`,
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
      const last = mine.filter((c) => c.executor.startsWith("parallel-")).at(-1);
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
    `re-exec / aborts per tx (${executors.filter((name) => name.startsWith("parallel-")).at(-1) ?? "-"})`,
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
        `Two independent sequential runs at once on two threads give ${x(e.hardwareCeiling)} the throughput of one alone: the most any 2-thread speedup can reach on this machine.` +
          (e.machineCeiling === undefined
            ? ""
            : ` One sequential run alone keeps ${e.machineCeiling.sequentialCores.toFixed(2)} cores busy (V8 collects garbage and compiles on helper threads), so no executor can beat it by more than ${e.machineCeiling.cores} / ${e.machineCeiling.sequentialCores.toFixed(2)} = ${x(e.machineCeiling.bound)} here.`),
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

export function evmSection(r: Results, o: ReportOptions): Block[] {
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

/** The rows for starting a call: pooled instances (current results) or a fresh instance (older ones). */
function startRows(
  split: NonNullable<SequentialJson["tokenCostSplit"]>,
  share: (v: number) => string,
): string[][] {
  if (split.pooledInstanceUs !== undefined) {
    const rows = [
      ["start a call: pooled instance", fmt(split.pooledInstanceUs, 2), share(split.pooledInstanceUs)],
    ];
    if (split.freshInstanceUs !== undefined)
      rows.push(["(a fresh instance instead, for reference)", fmt(split.freshInstanceUs, 2), "-"]);
    return rows;
  }
  const fresh = split.instantiateUs ?? 0;
  return [["instantiate (pooled memory + data + instance)", fmt(fresh, 2), share(fresh)]];
}
