/** Text and JSON renderings of a bot report. */
import { fromUnits } from "./pool.js";
import type { BotReport, InventoryPoint } from "./runBot.js";

/** Rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

const num = (v: number, digits = 2) =>
  v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const signed = (v: number, digits = 2) => `${v >= 0 ? "+" : ""}${num(v, digits)}`;
const tokens = (v: bigint, digits = 4) => num(fromUnits(v), digits);

/** A one-line sparkline of `values`. */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return "";
  const marks = "▁▂▃▄▅▆▇█";
  const step = Math.max(1, values.length / width);
  const picked: number[] = [];
  for (let i = 0; i < values.length && picked.length < width; i += step)
    picked.push(values[Math.floor(i)] as number);
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  return picked.map((v) => marks[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * 7)]).join("");
}

function sample(points: readonly InventoryPoint[], count: number): InventoryPoint[] {
  if (points.length <= count) return [...points];
  const out: InventoryPoint[] = [];
  for (let i = 0; i < count; i++)
    out.push(points[Math.round((i * (points.length - 1)) / (count - 1))] as InventoryPoint);
  return out;
}

export function formatReport(
  r: BotReport,
  options: { baseSymbol?: string; quoteSymbol?: string } = {},
): string {
  const b = options.baseSymbol ?? "WETH";
  const q = options.quoteSymbol ?? "WUSD";
  const out: string[] = [];
  out.push(`${r.market} run: ${r.strategy}; ${r.ticks} ticks`);
  out.push("");
  out.push(
    formatTable(
      ["", "initial", "final", "change"],
      [
        [
          `price (${q}/${b})`,
          num(r.initial.price),
          num(r.final.price),
          signed(r.final.price - r.initial.price),
        ],
        [
          `${b}`,
          tokens(r.initial.holdings.base),
          tokens(r.final.holdings.base),
          signed(fromUnits(r.final.holdings.base - r.initial.holdings.base), 4),
        ],
        [
          `${q}`,
          tokens(r.initial.holdings.quote, 2),
          tokens(r.final.holdings.quote, 2),
          signed(fromUnits(r.final.holdings.quote - r.initial.holdings.quote)),
        ],
        [
          "coin (gas)",
          tokens(r.initial.holdings.coin, 6),
          tokens(r.final.holdings.coin, 6),
          signed(fromUnits(r.final.holdings.coin - r.initial.holdings.coin), 12),
        ],
        [`value (${q})`, num(r.initial.value), num(r.final.value), signed(r.final.value - r.initial.value)],
      ],
    ),
  );
  out.push("");
  out.push(
    formatTable(
      ["result", "value"],
      [
        [`P&L vs initial holdings (${q}, net of gas)`, signed(r.pnl)],
        [`hold value: initial holdings at the final price (${q})`, num(r.holdValue)],
        [`P&L vs hold (${q}, net of gas)`, signed(r.pnlVsHold)],
        ["trades (buys / sells)", `${r.trades} (${r.buys} / ${r.sells})`],
        ["orders rejected", r.rejected],
        [`volume (${b} / ${q})`, `${tokens(r.volume.base)} / ${tokens(r.volume.quote, 2)}`],
        [`swap fees, 0.3% (${q})`, num(fromUnits(r.fees.swapQuote), 4)],
        ["gas fees (coin)", `${fromUnits(r.fees.gasCoin).toExponential(4)} (${r.fees.gasCoin} units)`],
        [`total fees (${q}, coin at ${r.coinPrice})`, num(r.fees.totalQuote, 4)],
        ...Object.entries(r.strategyStats).map(([k, v]): [string, string | number] => [k, v]),
      ],
    ),
  );
  out.push("");
  out.push(`inventory over time (${b}): ${sparkline(r.inventory.map((p) => fromUnits(p.base)))}`);
  out.push(`price over time:          ${sparkline(r.inventory.map((p) => p.price))}`);
  out.push("");
  out.push(
    formatTable(
      ["step", "price", b, q, `value (${q})`],
      sample(r.inventory, 10).map((p) => [
        p.step,
        num(p.price),
        tokens(p.base),
        tokens(p.quote, 2),
        num(p.value),
      ]),
    ),
  );
  if (r.rejections.length > 0) {
    const reasons = new Map<string, number>();
    for (const x of r.rejections) reasons.set(x.reason, (reasons.get(x.reason) ?? 0) + 1);
    out.push("");
    out.push(`rejections: ${[...reasons].map(([k, v]) => `${k} (${v})`).join("; ")}`);
  }
  return out.join("\n");
}

/** The report as JSON-safe data (bigints as decimal strings). */
export function reportToJson(r: BotReport): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
