// The block page: header, how the engine ran the block, and its transactions.

import { gantt, phaseBar } from "./charts.js";
import { $, age, groupDigits, html, ms, percent, render, short, utc } from "./dom.js";
import { txCalls, txSender } from "./evm.js";
import { batch, call, resultOr } from "./rpc.js";
import { consensusPanel } from "./validators.js";
import { addressLink, blockLink, callSummary, coin, notFound, statusBadge, txLink } from "./values.js";

/** Weft gas per EVM gas (src/evm/weftGas.ts EVM_GAS_WEIGHT): a block's limit and use are in Weft gas. */
const EVM_GAS_WEIGHT = 500;

const PAGE = 50;

const MODES = {
  parallel:
    "Block-STM on the worker threads: transactions ran optimistically in parallel, each read set was validated, and transactions that read a value a lower one later changed ran again.",
  "sequential-small":
    "Below the engine's small-block threshold: the block ran in order on one thread, where the parallel machinery would cost more than it saves.",
  "sequential-contended":
    "Too contended for parallel execution: this block was tried in parallel and its aborts plus dependency waits broke the engine's contention rule, or a recent block did and this one went straight to the sequential executor (the engine tries parallel again every few blocks). The counters are the sequential run's.",
  "sequential-slower":
    "The engine's speed rule ran this block in order on one thread: for recent blocks like it, sequential execution measured cheaper per unit of gas than parallel (the engine tries parallel again every few blocks, and at once when the workload changes).",
  "sequential-probe":
    "The engine's speed rule ran this block sequentially to measure it: after a change of workload it times both ways twice, and every few blocks it times the way that currently looks slower.",
  "sequential-fallback":
    "The parallel engine failed on this block, which then ran sequentially (the node logged why).",
  sequential: "Ran by the sequential executor.",
  dev: "Made by dev mode: a state edit (dev_setBalance, dev_setCode, dev_setStorageAt), an empty block of dev_mine, or an impersonated transaction, run on the main thread.",
};

const KNOWN_FIELDS = new Set([
  "mode",
  "workers",
  "executions",
  "validationAborts",
  "dependencyWaits",
  "executeMs",
  "stateRootMs",
  "commitMs",
  "timeline",
  "conflicts",
  "timelineTruncated",
]);

export async function blockView(root, id, ctx) {
  const { registry } = ctx;
  const byHash = /^0x[0-9a-fA-F]{64}$/.test(id);
  if (!byHash && !/^\d+$/.test(id) && id !== "latest") {
    render(root, notFound(`"${id}" is not a block number or hash.`));
    return;
  }
  const block = byHash
    ? await call("weft_getBlockByHash", [id.toLowerCase(), false])
    : await call("weft_getBlockByNumber", [id === "latest" ? "latest" : Number(id), false]);
  if (!ctx.alive()) return;
  if (!block) {
    const head = await call("weft_blockNumber").catch(() => undefined);
    render(
      root,
      notFound(
        `Block ${byHash ? id : `#${id}`} not found${head === undefined ? "" : ` (the head is #${head})`}.`,
      ),
    );
    return;
  }
  const e = block.execution;
  const [cert, endBlock] = await batch([
    ["weft_getBlockCertificate", [block.number]],
    ["weft_getEndBlock", [block.number]],
  ]);
  // Only a validator network's blocks have these (elsewhere: an error, or null).
  const consensus =
    resultOr(cert, null) || resultOr(endBlock, null)
      ? { cert: resultOr(cert, null), endBlock: resultOr(endBlock, null) }
      : null;
  if (!ctx.alive()) return;
  render(
    root,
    html`<div class="title-row"><h1>Block ${blockLink(block.number)}</h1>
      <nav class="pager">${block.number > 0 ? html`<a href="#/block/${block.number - 1}">← #${block.number - 1}</a>` : ""}
        <a href="#/block/${block.number + 1}">#${block.number + 1} →</a></nav></div>
    <section class="panel"><h2>Header</h2>
      <table class="kv" id="block-header"><tbody>
        <tr><th>Number</th><td>${groupDigits(block.number)}</td></tr>
        <tr><th>Hash</th><td><code>${block.hash}</code></td></tr>
        <tr><th>Parent</th><td>${block.number > 0 ? html`<a href="#/block/${block.parentHash}"><code>${block.parentHash}</code></a>` : html`<code>${block.parentHash}</code>`}</td></tr>
        <tr><th>Time</th><td>${utc(block.time)} <span class="muted">(${age(block.time)})</span></td></tr>
        <tr><th>Transactions</th><td>${groupDigits(block.txCount)}</td></tr>
        <tr><th>Gas used</th><td id="block-gas">${groupDigits(block.gasUsed)} Weft gas <span class="muted">of ${groupDigits(block.gasLimit)} (${percent(block.gasUsed, block.gasLimit)}); in EVM gas ${groupDigits(Math.floor(block.gasUsed / EVM_GAS_WEIGHT))} of ${groupDigits(Math.floor(block.gasLimit / EVM_GAS_WEIGHT))} (one EVM gas is ${EVM_GAS_WEIGHT} Weft gas)</span></td></tr>
        <tr><th>Fee recipient</th><td>${addressLink(registry, block.feeRecipient, { full: true })}</td></tr>
        <tr><th>State root</th><td><code>${block.stateRoot}</code></td></tr>
        <tr><th>Transactions root</th><td><code>${block.txRoot}</code></td></tr>
        <tr><th>Receipts root</th><td><code>${block.receiptsRoot}</code></td></tr>
        <tr><th>Chain id</th><td>${block.chainId}</td></tr>
      </tbody></table></section>
    <section class="panel" id="execution"><h2>How this block ran</h2>${executionPanel(block, e, registry)}</section>
    ${consensus ? html`<section class="panel" id="consensus"><h2>Consensus</h2>${consensusPanel(registry, consensus.cert, consensus.endBlock)}</section>` : ""}
    <section class="panel"><h2>Transactions <span class="muted">${groupDigits(block.txCount)}</span></h2><div id="block-txs"></div></section>`,
  );
  await showPage(0);

  async function showPage(page) {
    const hashes = block.transactions.slice(page * PAGE, (page + 1) * PAGE);
    const box = $("#block-txs");
    if (hashes.length === 0) {
      render(
        box,
        html`<p class="muted">No transactions${block.number === 0 ? ": the genesis state was written directly" : ""}.</p>`,
      );
      return;
    }
    const answers = await batch(
      hashes.flatMap((h) => [
        ["weft_getTransaction", [h]],
        ["weft_getReceipt", [h]],
      ]),
    );
    const rows = hashes.map((h, i) => ({
      hash: h,
      tx: resultOr(answers[2 * i], null),
      receipt: resultOr(answers[2 * i + 1], null),
    }));
    // Senders and call targets, as home's latest transactions: verified contracts get their names.
    await registry.identifyMany(
      rows.flatMap((r) => (r.tx ? [txSender(r.tx), ...txCalls(r.tx).map((c) => c.target)] : [])),
    );
    if (!ctx.alive()) return;
    const pages = Math.ceil(block.transactions.length / PAGE);
    render(
      box,
      html`<table class="list"><thead><tr><th class="r">#</th><th>Hash</th><th>From</th><th>Call</th><th>Status</th>
        <th class="r">Gas used</th><th class="r">Fee</th></tr></thead><tbody>${rows.map(
          (
            r,
            i,
          ) => html`<tr data-tx="${r.hash}"><td class="r">${page * PAGE + i}</td><td>${txLink(r.hash)}</td>
            <td>${r.tx ? addressLink(registry, txSender(r.tx), { compact: true }) : "–"}</td><td>${r.tx ? callSummary(registry, txCalls(r.tx)) : "–"}</td>
            <td>${statusBadge(r.receipt?.status)}</td><td class="r">${r.receipt ? html`${groupDigits(r.receipt.gasUsed)} <span class="muted">${r.tx && r.tx.sender === undefined ? "EVM gas" : "Weft gas"}</span>` : "–"}</td>
            <td class="r">${r.receipt ? coin(r.receipt.fee) : "–"}</td></tr>`,
        )}</tbody></table>
      ${
        pages > 1
          ? html`<nav class="pager">${page > 0 ? html`<button type="button" data-page="${page - 1}">← previous</button>` : ""}
          <span class="muted">page ${page + 1} of ${pages}</span>
          ${page + 1 < pages ? html`<button type="button" data-page="${page + 1}">next →</button>` : ""}</nav>`
          : ""
      }`,
    );
    for (const b of box.querySelectorAll("button[data-page]"))
      b.addEventListener("click", () => showPage(Number(b.dataset.page)));
  }
}

/** The execution panel: mode, counters, phase bar, and the per-transaction timeline when the engine records it. */
export function executionPanel(block, e, registry) {
  if (!e) {
    return html`<p class="muted">${
      block.number === 0
        ? "The genesis block: its state was written directly, not executed by the engine."
        : "No execution record for this block."
    }</p>`;
  }
  const txs = block.txCount;
  const executions = Number(e.executions ?? 0);
  const reExecutions = Math.max(0, executions - txs);
  const total = Number(e.executeMs ?? 0) + Number(e.stateRootMs ?? 0) + Number(e.commitMs ?? 0);
  const others = Object.entries(e).filter(([k]) => !KNOWN_FIELDS.has(k));
  const timeline = Array.isArray(e.timeline) ? e.timeline : null;
  const conflicts = Array.isArray(e.conflicts) ? e.conflicts : null;
  const hot = new Set((conflicts ?? []).flatMap((c) => c.txs ?? []));
  const withCount = (conflicts ?? []).some((c) => c.count !== undefined);
  const txLinkAt = (i) => {
    const h = block.transactions?.[i];
    return h ? html`<a href="#/tx/${h}" title="${h}">#${i}</a>` : html`#${i}`;
  };
  return html`<div class="mode-row"><span class="mode big ${e.mode}" id="execution-mode">${e.mode}</span>
      <span class="muted">${MODES[e.mode] ?? ""}</span></div>
    <div class="metrics" id="execution-metrics">
      <div class="metric"><div class="k">Workers</div><div class="v" data-k="workers">${e.workers ?? "–"}</div></div>
      <div class="metric"><div class="k">Transactions</div><div class="v" data-k="transactions">${groupDigits(txs)}</div></div>
      <div class="metric"><div class="k">Executions</div><div class="v" data-k="executions">${groupDigits(executions)}</div></div>
      <div class="metric"><div class="k">Re-executions</div><div class="v" data-k="reExecutions">${groupDigits(reExecutions)}
        <small>${txs ? `${((100 * reExecutions) / txs).toFixed(1)}% of txs` : ""}</small></div></div>
      <div class="metric"><div class="k">Validation aborts</div><div class="v" data-k="validationAborts">${groupDigits(e.validationAborts ?? 0)}</div></div>
      <div class="metric"><div class="k">Dependency waits</div><div class="v" data-k="dependencyWaits">${groupDigits(e.dependencyWaits ?? 0)}</div></div>
      <div class="metric"><div class="k">${e.commitMs === undefined ? "Execute + state root" : "Total"}</div><div class="v">${ms(total)}</div></div>
    </div>
    <h3>Phases</h3>
    <div id="phase-bar">${phaseBar([
      { name: "execute", ms: Number(e.executeMs ?? 0), cls: "execute" },
      { name: "state root", ms: Number(e.stateRootMs ?? 0), cls: "stateRoot" },
      { name: "commit", ms: Number(e.commitMs ?? 0), cls: "commit" },
    ])}</div>
    <p class="legend"><span class="swatch execute"></span> execute ${ms(e.executeMs)}
      <span class="swatch stateRoot"></span> state root ${ms(e.stateRootMs)}
      <span class="swatch commit"></span> commit ${
        e.commitMs === undefined
          ? html`<span title="The node measures the commit after storing the block: it is in the node's log and /metrics (weft_block_phase_seconds), not in the block record.">not in the block record</span>`
          : ms(e.commitMs)
      }</p>
    ${
      others.length
        ? html`<details class="raw"><summary>other engine fields</summary><table class="kv"><tbody>${others.map(
            ([k, v]) =>
              html`<tr><th>${k}</th><td><code>${typeof v === "object" ? JSON.stringify(v) : String(v)}</code></td></tr>`,
          )}</tbody></table></details>`
        : ""
    }
    <h3>Transactions per worker over time</h3>
    ${
      timeline
        ? html`<div id="execution-timeline">${gantt(timeline, { workers: Number(e.workers ?? 0), highlight: hot })}</div>
          <p class="legend"><span class="swatch inc0"></span> execution <span class="swatch inc1"></span> re-execution
            <span class="swatch aborted"></span> aborted (ran again later) <span class="swatch hot"></span> in a conflict
            <span class="swatch validate"></span> validation <span class="swatch abort"></span> abort
            <span class="swatch wait"></span> waiting on a dependency</p>
          ${e.timelineTruncated ? html`<p class="muted">The record keeps only the first ${groupDigits(timeline.length)} tasks of this block.</p>` : ""}
          ${workerSummary(timeline, Number(e.workers ?? 0))}`
        : html`<p class="muted" id="execution-timeline-missing">${
            e.mode === "parallel"
              ? "This block's record has no per-transaction timeline"
              : "No timeline: the block did not run in parallel"
          } (<code>execution.timeline</code>: which worker ran each transaction, when, and which incarnation).</p>`
    }
    <h3>Conflicting keys</h3>
    ${
      conflicts
        ? conflicts.length === 0
          ? html`<p class="muted">No conflicts: no transaction had to wait for or re-run after another.</p>`
          : html`<table class="list" id="execution-conflicts"><thead><tr><th>State key</th><th>What</th>
              ${withCount ? html`<th class="r">Conflicts</th>` : ""}<th class="r">Txs</th><th>Transactions</th></tr></thead>
            <tbody>${conflicts.map(
              (c) => html`<tr><td><code class="bytes" title="${c.key}">${short(c.key, 24, 12)}</code></td>
                <td>${describeKey(registry, c.key)}</td>
                ${withCount ? html`<td class="r">${groupDigits(c.count ?? 0)}</td>` : ""}<td class="r">${(c.txs ?? []).length}</td>
                <td>${(c.txs ?? []).map((i, k) => html`${k ? ", " : ""}${txLinkAt(i)}`)}</td></tr>`,
            )}</tbody></table>`
        : html`<p class="muted" id="execution-conflicts-missing">${
            e.mode === "parallel"
              ? "This block's record has no conflict list"
              : "No conflict list: the block did not run in parallel"
          } (<code>execution.conflicts</code>: the state keys transactions collided on).</p>`
    }`;
}

const SPACES = { "01": "coin balance", "02": "code hash", "03": "storage", "04": "code", "05": "nonce" };

/** A state key (space tag ‖ address ‖ rest, src/state/keys.ts) in words: "storage of wusd, slot 0x…". */
export function describeKey(registry, key) {
  const k = String(key).replace(/^0x/, "").toLowerCase();
  const space = SPACES[k.slice(0, 2)];
  if (!space) return html`<span class="muted">unknown space</span>`;
  if (k.slice(0, 2) === "04") return html`${space}`;
  const address = `0x${k.slice(2, 42)}`;
  const rest = k.slice(42);
  return html`${space} of ${addressLink(registry, address, { compact: true })}${
    rest
      ? html` <span class="muted">${k.slice(0, 2) === "05" ? "key" : "slot"}</span> <code>${short(`0x${rest}`, 12, 8)}</code>`
      : ""
  }`;
}

function workerSummary(timeline, workers) {
  const rows = Math.max(workers, ...timeline.map((r) => r.worker + 1));
  const t0 = Math.min(...timeline.map((r) => r.startUs));
  const t1 = Math.max(...timeline.map((r) => r.endUs));
  const span = Math.max(1, t1 - t0);
  const per = Array.from({ length: rows }, () => ({
    execute: 0,
    validate: 0,
    abort: 0,
    wait: 0,
    busy: 0,
    txs: new Set(),
  }));
  for (const r of timeline) {
    const w = per[r.worker];
    if (!w) continue;
    const kind = r.kind ?? "execute";
    if (kind in w) w[kind]++;
    if (kind !== "wait") w.busy += Math.max(0, r.endUs - r.startUs);
    if (kind === "execute") w.txs.add(r.tx);
  }
  return html`<table class="list compact" id="worker-summary"><thead><tr><th>Worker</th><th class="r">Executions</th><th class="r">Distinct txs</th>
    <th class="r">Validations</th><th class="r">Aborts</th><th class="r">Waits</th><th class="r">Busy</th></tr></thead>
    <tbody>${per.map(
      (w, i) => html`<tr><td>worker ${i}</td><td class="r">${w.execute}</td><td class="r">${w.txs.size}</td>
        <td class="r">${w.validate}</td><td class="r">${w.abort}</td><td class="r">${w.wait}</td><td class="r">${percent(w.busy, span)}</td></tr>`,
    )}</tbody></table>`;
}
