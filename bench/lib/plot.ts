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
