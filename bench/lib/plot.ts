/**
 * Minimal SVG bar charts for benchmark results (no dependency: a chart is a few
 * rectangles and labels). Written next to the JSON so a run leaves a picture.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Bar {
  label: string;
  value: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A horizontal bar chart: one bar per entry, value printed at its end. */
export function barChartSvg(title: string, unit: string, bars: readonly Bar[]): string {
  const rowHeight = 28;
  const labelWidth = 260;
  const chartWidth = 420;
  const width = labelWidth + chartWidth + 120;
  const height = 50 + bars.length * rowHeight + 20;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rows = bars.map((b, i) => {
    const y = 45 + i * rowHeight;
    const w = Math.max(1, (b.value / max) * chartWidth);
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="#3b6ea8"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 17}">${b.value.toLocaleString("en-US")} ${escapeXml(unit)}</text>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...rows,
    "</svg>",
  ].join("\n");
}

export function writeSvg(path: string, svg: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${svg}\n`);
}

export interface Series {
  label: string;
  points: Array<{ x: number; y: number }>;
}

const COLORS = ["#3b6ea8", "#d1495b", "#66a182", "#edae49", "#8d6cab", "#2e4057"];

/** A line chart with a logarithmic x axis (e.g. number of accounts) and a linear y axis from 0. */
export function lineChartSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
): string {
  const width = 560;
  const height = 340;
  const left = 70;
  const right = 150;
  const top = 40;
  const bottom = 50;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const minX = Math.log10(Math.min(...xs));
  const maxX = Math.log10(Math.max(...xs));
  const maxY = Math.max(...ys, 1e-9) * 1.1;
  const px = (x: number) =>
    left + ((Math.log10(x) - minX) / Math.max(maxX - minX, 1e-9)) * (width - left - right);
  const py = (y: number) => top + (1 - y / maxY) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#444"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#444"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${(top + height - bottom) / 2}" transform="rotate(-90 16 ${(top + height - bottom) / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(
      `<text x="${px(x)}" y="${height - bottom + 16}" text-anchor="middle">${x.toLocaleString("en-US")}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const y = (maxY / 1.1) * (i / 4);
    parts.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${formatTick(y)}</text>`);
    parts.push(`<line x1="${left}" y1="${py(y)}" x2="${width - right}" y2="${py(y)}" stroke="#ddd"/>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const path = s.points
      .map((p, k) => `${k === 0 ? "M" : "L"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points)
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(
      `<text x="${width - right + 10}" y="${top + 16 * i + 10}" fill="${color}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function formatTick(v: number): string {
  if (v >= 1000) return `${Math.round(v / 1000)}k`;
  if (v >= 10) return String(Math.round(v));
  return v.toFixed(2);
}
