/**
 * A tiny document model for the benchmark report, rendered twice: Markdown (plots as
 * image links to the SVG files next to it) and a standalone HTML page (plots inlined).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type Cell = string | number;

export type Block =
  | { kind: "heading"; level: 2 | 3; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; headers: string[]; rows: Cell[][] }
  /** An SVG file in the results folder. */
  | { kind: "figure"; file: string; title: string };

export interface Doc {
  title: string;
  blocks: Block[];
}

export const h2 = (text: string): Block => ({ kind: "heading", level: 2, text });
export const h3 = (text: string): Block => ({ kind: "heading", level: 3, text });
export const p = (text: string): Block => ({ kind: "paragraph", text });
export const list = (items: string[]): Block => ({ kind: "list", items });
export const table = (headers: string[], rows: Cell[][]): Block => ({ kind: "table", headers, rows });
export const figure = (file: string, title: string): Block => ({ kind: "figure", file, title });

/** Numbers with thousands separators and at most `digits` decimals. */
export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const isNumeric = (c: Cell) => typeof c === "number" || /^[-+]?[\d,.]+(\s?[x%×]|\s?µs|\s?ms)?$/.test(c);

function mdCell(c: Cell): string {
  return String(c).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderMarkdown(doc: Doc): string {
  const out: string[] = [`# ${doc.title}`, ""];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case "heading":
        out.push(`${"#".repeat(b.level)} ${b.text}`, "");
        break;
      case "paragraph":
        out.push(b.text, "");
        break;
      case "list":
        out.push(...b.items.map((i) => `- ${i}`), "");
        break;
      case "table": {
        const align = b.headers.map((_, i) =>
          b.rows.length > 0 && b.rows.every((r) => isNumeric(r[i] ?? "")) ? "---:" : "---",
        );
        out.push(`| ${b.headers.map(mdCell).join(" | ")} |`, `| ${align.join(" | ")} |`);
        for (const r of b.rows) out.push(`| ${b.headers.map((_, i) => mdCell(r[i] ?? "")).join(" | ")} |`);
        out.push("");
        break;
      }
      case "figure":
        out.push(`![${b.title}](${b.file})`, "");
        break;
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Markdown-ish inline code (`x`) and bold (**x**) to HTML, after escaping. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #3b6ea8; padding-bottom: .3em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .8em 0 1.2em; font-size: 14px; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; }
th { background: #f3f6fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 1em 0 1.5em; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 13px; color: #555; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
nav ul { columns: 2; }
.missing { color: #a33; }
`;

/** The SVG file's markup for inlining (XML prolog dropped), or undefined when missing. */
function svgMarkup(dir: string, file: string): string | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, "utf8")
    .replace(/<\?xml[^>]*\?>\s*/, "")
    .trim();
}

/** A standalone HTML page; figures are read from `dir` and inlined. */
export function renderHtml(doc: Doc, dir: string): string {
  const body: string[] = [`<h1>${escapeHtml(doc.title)}</h1>`];
  const sections = doc.blocks.filter((b) => b.kind === "heading" && b.level === 2) as Array<{ text: string }>;
  if (sections.length > 2)
    body.push(
      `<nav><ul>${sections.map((s) => `<li><a href="#${slug(s.text)}">${escapeHtml(s.text)}</a></li>`).join("")}</ul></nav>`,
    );
  for (const b of doc.blocks) {
    switch (b.kind) {
      case "heading":
        body.push(`<h${b.level} id="${slug(b.text)}">${escapeHtml(b.text)}</h${b.level}>`);
        break;
      case "paragraph":
        body.push(`<p>${inline(b.text)}</p>`);
        break;
      case "list":
        body.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`);
        break;
      case "table": {
        const numeric = b.headers.map(
          (_, i) => b.rows.length > 0 && b.rows.every((r) => isNumeric(r[i] ?? "")),
        );
        const head = `<tr>${b.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
        const rows = b.rows.map(
          (r) =>
            `<tr>${b.headers.map((_, i) => `<td${numeric[i] ? ' class="num"' : ""}>${inline(String(r[i] ?? ""))}</td>`).join("")}</tr>`,
        );
        body.push(`<table>\n${head}\n${rows.join("\n")}\n</table>`);
        break;
      }
      case "figure": {
        const svg = svgMarkup(dir, b.file);
        body.push(
          svg === undefined
            ? `<p class="missing">(plot ${escapeHtml(b.file)} missing)</p>`
            : `<figure>${svg}<figcaption>${escapeHtml(b.title)} (<code>${escapeHtml(b.file)}</code>)</figcaption></figure>`,
        );
        break;
      }
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join("\n")}
</body>
</html>
`;
}
