// Small SVG charts drawn from data: a line chart, a bar chart, a stacked phase bar and a
// Gantt-like timeline of transactions per worker. Each returns markup (`Safe`); colours
// come from classes in charts.css.

import { html } from "./dom.js";

const W = 600;

/** A round axis maximum at or above `max`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function tickLabel(v) {
  if (v === 0) return "0";
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return v >= 10 ? v.toFixed(0) : `${+v.toFixed(2)}`;
}

function frame(height, top, bottom, left, yMax, unit) {
  const plotH = height - top - bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = top + plotH - f * plotH;
    return html`<line class="grid" x1="${left}" x2="${W - 8}" y1="${y}" y2="${y}"></line>
      <text class="tick" x="${left - 6}" y="${y + 4}" text-anchor="end">${tickLabel(f * yMax)}</text>`;
  });
  return html`${ticks}<text class="tick unit" x="${left - 6}" y="${top - 8}" text-anchor="end">${unit}</text>`;
}

function xLabels(points, xOf, y) {
  if (points.length === 0) return "";
  const picks = new Set([0, points.length - 1, Math.floor((points.length - 1) / 2)]);
  return [...picks].map((i) => {
    const p = points[i];
    const anchor = i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
    return html`<text class="tick" x="${xOf(i)}" y="${y}" text-anchor="${anchor}">#${p.x}</text>`;
  });
}

function empty(height, message) {
  return html`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${message}">
    <text class="tick" x="${W / 2}" y="${height / 2}" text-anchor="middle">${message}</text></svg>`;
}

/**
 * A line chart of `points` ({ x: block number, y, label }), `unit` on the y axis. Each
 * point has a tooltip.
 */
export function lineChart(points, { unit = "", height = 180, label = "chart" } = {}) {
  if (points.length === 0) return empty(height, "waiting for blocks…");
  const top = 22;
  const bottom = 22;
  const left = 44;
  const plotW = W - left - 8;
  const plotH = height - top - bottom;
  const yMax = niceMax(Math.max(...points.map((p) => p.y)));
  const xOf = (i) => left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const yOf = (v) => top + plotH - (v / yMax) * plotH;
  const line = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${xOf(i).toFixed(1)},${yOf(p.y).toFixed(1)}`)
    .join(" ");
  const area = `${line} L${xOf(points.length - 1).toFixed(1)},${top + plotH} L${xOf(0).toFixed(1)},${top + plotH} Z`;
  const dots = points.map(
    (p, i) =>
      html`<circle class="dot" cx="${xOf(i).toFixed(1)}" cy="${yOf(p.y).toFixed(1)}" r="2.5"><title>${p.label}</title></circle>`,
  );
  return html`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${label}">
    ${frame(height, top, bottom, left, yMax, unit)}
    <path class="area" d="${area}"></path>
    <path class="line" d="${line}"></path>
    ${dots}
    ${xLabels(points, xOf, height - 6)}
  </svg>`;
}

/** A bar chart of `points` ({ x, y, label, cls? }). */
export function barChart(points, { unit = "", height = 180, label = "chart" } = {}) {
  if (points.length === 0) return empty(height, "waiting for blocks…");
  const top = 22;
  const bottom = 22;
  const left = 44;
  const plotW = W - left - 8;
  const plotH = height - top - bottom;
  const yMax = niceMax(Math.max(...points.map((p) => p.y)));
  const slot = plotW / Math.max(points.length, 1);
  const barW = Math.max(1, slot * 0.75);
  const xOf = (i) => left + i * slot + slot / 2;
  const bars = points.map((p, i) => {
    const h = Math.max(p.y > 0 ? 1 : 0, (p.y / yMax) * plotH);
    return html`<rect class="bar ${p.cls ?? ""}" x="${(xOf(i) - barW / 2).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}"
      width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${p.label}</title></rect>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${label}">
    ${frame(height, top, bottom, left, yMax, unit)}
    ${bars}
    ${xLabels(points, xOf, height - 6)}
  </svg>`;
}

/**
 * A horizontal stacked bar of phases ({ name, ms, cls }), proportional to their times.
 * Positions are percentages of the SVG's own width, so the labels are never stretched.
 */
export function phaseBar(phases) {
  const shown = phases.filter((p) => Number.isFinite(p.ms) && p.ms > 0);
  const total = shown.reduce((s, p) => s + p.ms, 0);
  if (!(total > 0)) return html`<p class="muted">No phase timings recorded.</p>`;
  let x = 0;
  const segments = shown.map((p) => {
    const w = (100 * p.ms) / total;
    const seg = html`<g><rect class="phase ${p.cls}" x="${x.toFixed(3)}%" y="0" width="${w.toFixed(3)}%" height="28">
        <title>${p.name}: ${p.ms.toFixed(2)} ms (${w.toFixed(1)}%)</title></rect>
      ${w > 14 ? html`<text class="phase-label" x="${(x + 0.6).toFixed(3)}%" y="18">${p.name} ${p.ms.toFixed(1)} ms</text>` : ""}</g>`;
    x += w;
    return seg;
  });
  return html`<svg class="phasebar" width="100%" height="28" role="img" aria-label="phases">${segments}</svg>`;
}

function usLabel(us) {
  if (us >= 1000) return `${+(us / 1000).toFixed(2)} ms`;
  return `${Math.round(us)} µs`;
}

/**
 * A timeline of tasks per worker: `tasks` are { tx, worker, startUs, endUs, incarnation,
 * kind? } where kind is "execute" (the default), "validate", "abort" or "wait". An
 * execution whose transaction ran again later (a higher incarnation) is drawn as aborted.
 * `highlight` is a set of transaction indexes to outline (e.g. those in a conflict). One
 * row per worker; positions are percentages, so text keeps its size at any width.
 */
export function gantt(tasks, { workers = 0, highlight = new Set() } = {}) {
  if (!tasks.length) return html`<p class="muted">The timeline is empty.</p>`;
  const rows = Math.max(workers, ...tasks.map((r) => r.worker + 1));
  const t0 = Math.min(...tasks.map((r) => r.startUs));
  const t1 = Math.max(...tasks.map((r) => r.endUs));
  const span = Math.max(1, t1 - t0);
  const pct = (us) => ((100 * (us - t0)) / span).toFixed(3);
  const kindOf = (r) => r.kind ?? "execute";
  const last = new Map();
  for (const r of tasks)
    if (kindOf(r) === "execute") last.set(r.tx, Math.max(last.get(r.tx) ?? 0, r.incarnation));
  const lanes = [];
  for (let w = 0; w < rows; w++) {
    const bars = tasks
      .filter((r) => r.worker === w)
      .map((r) => {
        const kind = kindOf(r);
        const x = pct(r.startUs);
        const width = Math.max(0.2, (100 * (r.endUs - r.startUs)) / span);
        const execute = kind === "execute";
        const aborted = execute && r.incarnation < (last.get(r.tx) ?? 0);
        const cls = `run ${kind}${execute ? ` inc${Math.min(r.incarnation, 3)}` : ""}${aborted ? " aborted" : ""}${
          highlight.has(r.tx) && execute ? " hot" : ""
        }`;
        const text = `${kind} tx ${r.tx}, incarnation ${r.incarnation}${aborted ? " (aborted, ran again)" : ""}, worker ${r.worker}: ${usLabel(r.startUs - t0)} → ${usLabel(r.endUs - t0)} (${usLabel(r.endUs - r.startUs)})`;
        const y = execute ? 3 : 13;
        const h = execute ? 18 : 8;
        return html`<g><rect class="${cls}" data-tx="${r.tx}" data-kind="${kind}" x="${x}%" y="${y}" width="${width.toFixed(3)}%" height="${h}"><title>${text}</title></rect>
          ${execute && width > 2.5 ? html`<text class="run-label" x="${x}%" dx="4" y="16">${r.tx}</text>` : ""}</g>`;
      });
    lanes.push(html`<div class="gantt-row"><span class="gantt-label">worker ${w}</span>
      <svg class="gantt-lane${w % 2 ? " odd" : ""}" width="100%" height="24">${bars}</svg></div>`);
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) =>
      html`<text class="tick" x="${(100 * f).toFixed(1)}%" y="12" text-anchor="${f === 0 ? "start" : f === 1 ? "end" : "middle"}">${usLabel(f * span)}</text>`,
  );
  return html`<div class="gantt" role="img" aria-label="execution timeline">${lanes}
    <div class="gantt-row"><span></span><svg width="100%" height="16">${ticks}</svg></div></div>`;
}
