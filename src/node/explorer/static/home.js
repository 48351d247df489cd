// The home page: chain status, throughput and block-time charts over the last 60 blocks,
// the latest blocks and transactions; kept live by `newHeads`.

import { barChart, lineChart } from "./charts.js";
import { $, age, chainTimeIs, groupDigits, html, ms, render } from "./dom.js";
import { txCalls, txSender } from "./evm.js";
import { batch, resultOr } from "./rpc.js";
import { addressLink, blockLink, callSummary, coin, statusBadge, txLink } from "./values.js";

const WINDOW = 60;
const TPS_WINDOW = 10;
const LATEST_BLOCKS = 12;
const LATEST_TXS = 12;
const MIN_REFRESH_MS = 400;

/**
 * Each block's time in ms: when the page saw it arrive (both it and its parent live), else
 * estimated from the header's second-resolution time, blocks sharing a second spread evenly.
 */
export function blockIntervals(blocks, arrivals) {
  const est = new Map();
  for (let i = 0; i < blocks.length; ) {
    let j = i;
    while (j < blocks.length && blocks[j].time === blocks[i].time) j++;
    for (let k = i; k < j; k++)
      est.set(blocks[k].number, blocks[i].time * 1000 + ((k - i + 0.5) * 1000) / (j - i));
    i = j;
  }
  const out = [];
  for (let i = 1; i < blocks.length; i++) {
    const b = blocks[i];
    const p = blocks[i - 1];
    if (p.number !== b.number - 1 || p.number === 0) continue;
    const live = arrivals.has(b.number) && arrivals.has(p.number);
    const interval = live
      ? arrivals.get(b.number) - arrivals.get(p.number)
      : est.get(b.number) - est.get(p.number);
    out.push({ number: b.number, txs: b.txCount, interval: Math.max(0, interval), live });
  }
  return out;
}

/** Transactions per second over a moving window of `TPS_WINDOW` block intervals. */
export function throughput(intervals) {
  const out = [];
  for (let i = 0; i < intervals.length; i++) {
    let txs = 0;
    let span = 0;
    for (let k = Math.max(0, i - TPS_WINDOW + 1); k <= i; k++) {
      txs += intervals[k].txs;
      span += intervals[k].interval;
    }
    if (span > 0) out.push({ number: intervals[i].number, tps: (txs * 1000) / span });
  }
  return out;
}

export async function homeView(root, ctx) {
  const { registry } = ctx;
  render(
    root,
    html`<section class="cards" id="stats"></section>
    <section class="grid2">
      <div class="panel"><h2>Throughput <span class="muted">tx/s, ${TPS_WINDOW}-block window</span></h2><div id="chart-tps" class="chart-box"></div></div>
      <div class="panel"><h2>Block time <span class="muted">ms, last ${WINDOW} blocks</span></h2><div id="chart-blocktime" class="chart-box"></div>
        <p class="legend"><span class="swatch live"></span> timed on arrival <span class="swatch est"></span> estimated from the header's seconds</p></div>
    </section>
    <section class="grid2">
      <div class="panel"><h2>Latest blocks</h2><div id="latest-blocks"><p class="muted">Loading…</p></div></div>
      <div class="panel"><h2>Latest transactions</h2><div id="latest-txs"><p class="muted">Loading…</p></div></div>
    </section>`,
  );
  const blocks = new Map();
  const arrivals = new Map();
  const txs = new Map();
  let status = null;
  let running = false;
  let again = false;
  let lastRun = 0;
  let timer;

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const [st] = await batch([["weft_status", []]]);
      status = resultOr(st, status);
      if (status?.time !== undefined) chainTimeIs(status.time);
      const head = status?.head?.number ?? 0;
      const from = Math.max(0, head - WINDOW + 1);
      const wanted = [];
      for (let n = from; n <= head; n++) if (!blocks.has(n)) wanted.push(n);
      const got = await batch(wanted.map((n) => ["weft_getBlockByNumber", [n, false]]));
      got.forEach((g) => {
        const b = resultOr(g, null);
        if (b) blocks.set(b.number, b);
      });
      for (const n of blocks.keys()) if (n < from) blocks.delete(n);
      const latestHashes = [];
      for (const b of [...blocks.values()].sort((a, b) => b.number - a.number)) {
        for (const h of [...(b.transactions ?? [])].reverse()) {
          if (latestHashes.length < LATEST_TXS) latestHashes.push(h);
        }
        if (latestHashes.length >= LATEST_TXS) break;
      }
      const missing = latestHashes.filter((h) => !txs.has(h));
      const answers = await batch(
        missing.flatMap((h) => [
          ["weft_getTransaction", [h]],
          ["weft_getReceipt", [h]],
        ]),
      );
      missing.forEach((h, i) => {
        const tx = resultOr(answers[2 * i], null);
        if (tx) txs.set(h, { tx, receipt: resultOr(answers[2 * i + 1], null) });
      });
      for (const h of txs.keys()) if (!latestHashes.includes(h)) txs.delete(h);
      // Senders and call targets: shipped code and contracts verified with `weft verify` get their names.
      await registry.identifyMany(
        [...txs.values()].flatMap((t) => [txSender(t.tx), ...txCalls(t.tx).map((c) => c.target)]),
      );
      if (ctx.alive()) draw(latestHashes);
    } catch (error) {
      if (ctx.alive())
        render($("#latest-blocks"), html`<p class="error">Cannot reach the node: ${error.message}</p>`);
    } finally {
      running = false;
      lastRun = performance.now();
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  /** Refreshes at most every MIN_REFRESH_MS, however fast blocks come. */
  function schedule() {
    if (timer !== undefined) return;
    if (running) {
      again = true;
      return;
    }
    const wait = Math.max(0, MIN_REFRESH_MS - (performance.now() - lastRun));
    timer = setTimeout(() => {
      timer = undefined;
      if (ctx.alive()) refresh();
    }, wait);
  }

  function draw(latestHashes) {
    const sorted = [...blocks.values()].sort((a, b) => a.number - b.number);
    const intervals = blockIntervals(sorted, arrivals);
    const tps = throughput(intervals);
    const current = tps.at(-1)?.tps;
    const avgInterval = intervals.length
      ? intervals.reduce((s, x) => s + x.interval, 0) / intervals.length
      : undefined;
    render(
      $("#stats"),
      html`<div class="card" id="stat-head"><div class="k">Head</div><div class="v">${status ? blockLink(status.head.number) : "–"}</div></div>
      <div class="card" id="stat-tps"><div class="k">Throughput</div><div class="v">${current === undefined ? "–" : current.toFixed(1)} <small>tx/s</small></div></div>
      <div class="card" id="stat-blocktime"><div class="k">Avg block time</div><div class="v">${avgInterval === undefined ? "–" : ms(avgInterval)}</div></div>
      <div class="card" id="stat-pending"><div class="k">Pending</div><div class="v">${groupDigits(status?.mempool?.count ?? 0)} <small>tx</small></div></div>
      <div class="card" id="stat-workers"><div class="k">Engine workers</div><div class="v">${status?.workers ?? "–"}</div></div>
      <div class="card"><div class="k">Chain</div><div class="v">${status?.chainId ?? "–"} <small>${status?.version ?? ""}</small></div></div>`,
    );
    render(
      $("#chart-tps"),
      lineChart(
        tps.map((p) => ({ x: p.number, y: p.tps, label: `block #${p.number}: ${p.tps.toFixed(1)} tx/s` })),
        { unit: "tx/s", label: "throughput" },
      ),
    );
    render(
      $("#chart-blocktime"),
      barChart(
        intervals.map((p) => ({
          x: p.number,
          y: p.interval,
          cls: p.live ? "live" : "est",
          label: `block #${p.number}: ${p.live ? "" : "≈"}${ms(p.interval)}, ${p.txs} tx`,
        })),
        { unit: "ms", label: "block time" },
      ),
    );
    const newest = sorted.slice(-LATEST_BLOCKS).reverse();
    render(
      $("#latest-blocks"),
      newest.length === 0
        ? html`<p class="muted">No blocks yet.</p>`
        : html`<table class="list"><thead><tr><th>Block</th><th>Age</th><th class="r">Txs</th><th class="r">Gas used <span class="muted">(Weft gas)</span></th><th>Mode</th></tr></thead>
        <tbody>${newest.map(
          (
            b,
          ) => html`<tr data-block="${b.number}"><td>${blockLink(b.number)}</td><td class="muted">${age(b.time)}</td>
            <td class="r">${groupDigits(b.txCount)}</td><td class="r">${groupDigits(b.gasUsed)}</td>
            <td>${b.execution ? html`<span class="mode ${b.execution.mode}">${b.execution.mode}</span>` : html`<span class="muted">genesis</span>`}</td></tr>`,
        )}</tbody></table>`,
    );
    const rows = latestHashes.map((h) => txs.get(h)).filter(Boolean);
    render(
      $("#latest-txs"),
      rows.length === 0
        ? html`<p class="muted">No transactions yet.</p>`
        : html`<table class="list latest-txs"><thead><tr><th>Transaction</th><th>From</th><th>Call</th><th>Status <span class="muted">and fee</span></th></tr></thead>
        <tbody>${rows.map(
          ({ tx, receipt }) => html`<tr data-tx="${tx.hash}"><td>${txLink(tx.hash, { compact: true })}
            <div class="small muted">${tx.blockNumber === undefined ? "pending" : html`in ${blockLink(tx.blockNumber)}`}</div></td>
            <td>${addressLink(registry, txSender(tx), { compact: true })}</td>
            <td>${callSummary(registry, txCalls(tx))}</td>
            <td>${statusBadge(receipt?.status ?? tx.status)}<div class="small fee">${receipt ? coin(receipt.fee) : ""}</div></td></tr>`,
        )}</tbody></table>`,
    );
  }

  ctx.onHead((header) => {
    arrivals.set(header.number, performance.now());
    if (arrivals.size > WINDOW * 2) arrivals.delete(arrivals.keys().next().value);
    schedule();
  });
  await refresh();
}
