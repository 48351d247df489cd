/**
 * Price series for backtests: a CSV/JSON loader for recorded series, and a deterministic
 * synthetic generator (a geometric random walk from a seeded PRNG), so a backtest is
 * reproducible from its parameters alone.
 */
import { readFileSync, statSync } from "node:fs";
import { seededRandom } from "../../codec/seededRandom.js";

export interface PricePoint {
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** Quote per base. */
  price: number;
}

export interface SyntheticOptions {
  /** First price. */
  start: number;
  /** Number of points (the first included). */
  steps: number;
  /** Standard deviation of the log return per step (0.01 = 1%). */
  volatility: number;
  /** Mean log return per step (before the -σ²/2 correction). */
  drift?: number;
  seed: number;
  /** Time of the first point and spacing, in ms. */
  startTime?: number;
  stepMs?: number;
}

/** The shared seeded generator (`codec/seededRandom.ts`), re-exported where it was defined before. */
export { seededRandom };

/** Standard normal samples (Box–Muller) from a uniform source. */
export function normalFrom(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A geometric random walk: p[t+1] = p[t] · exp(μ - σ²/2 + σ·Z), Z standard normal from the
 * seed. Prices are rounded to 6 decimal places, so a CSV round trip is exact.
 */
export function syntheticSeries(options: SyntheticOptions): PricePoint[] {
  const { start, steps, volatility, seed } = options;
  if (!(start > 0)) throw new RangeError(`start price must be positive, got ${start}`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(volatility >= 0)) throw new RangeError(`volatility must be >= 0, got ${volatility}`);
  const drift = options.drift ?? 0;
  const startTime = options.startTime ?? Date.UTC(2026, 0, 1);
  const stepMs = options.stepMs ?? 60_000;
  const normal = normalFrom(seededRandom(seed));
  const out: PricePoint[] = [];
  let logPrice = Math.log(start);
  for (let i = 0; i < steps; i++) {
    if (i > 0) logPrice += drift - (volatility * volatility) / 2 + volatility * normal();
    out.push({ time: startTime + i * stepMs, price: Number(Math.exp(logPrice).toFixed(6)) });
  }
  return out;
}

/**
 * Parses a CSV series: a `time,price` header (or `price` alone, or no header); time as
 * epoch milliseconds or an ISO date; blank lines and `#` comments skipped. Without a
 * time column, points are a minute apart.
 */
export function parseCsvSeries(text: string): PricePoint[] {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (rows.length === 0) throw new Error("empty price series");
  let timeCol = -1;
  let priceCol = 0;
  const first = (rows[0] as string).split(",").map((c) => c.trim().toLowerCase());
  if (first.some((c) => Number.isNaN(Number(c)))) {
    priceCol = first.findIndex((c) => c === "price" || c === "close");
    timeCol = first.findIndex((c) => c === "time" || c === "timestamp" || c === "date");
    if (priceCol < 0) throw new Error(`CSV header has no price column: ${rows[0]}`);
    rows.shift();
  } else if (first.length >= 2) {
    timeCol = 0;
    priceCol = 1;
  }
  const base = Date.UTC(2026, 0, 1);
  return rows.map((row, i) => {
    const cells = row.split(",").map((c) => c.trim());
    const price = Number(cells[priceCol]);
    if (!(price > 0) || !Number.isFinite(price))
      throw new Error(`line ${i + 1}: bad price ${JSON.stringify(cells[priceCol])}`);
    let time = base + i * 60_000;
    if (timeCol >= 0) {
      const cell = cells[timeCol] ?? "";
      time = /^\d+$/.test(cell) ? Number(cell) : Date.parse(cell);
      if (Number.isNaN(time)) throw new Error(`line ${i + 1}: bad time ${JSON.stringify(cell)}`);
    }
    return { time, price };
  });
}

/** A series as CSV (`time,price`), the format `parseCsvSeries` reads. */
export function seriesToCsv(points: readonly PricePoint[], comment?: string): string {
  const lines = comment === undefined ? [] : comment.split("\n").map((l) => `# ${l}`);
  lines.push("time,price", ...points.map((p) => `${p.time},${p.price}`));
  return `${lines.join("\n")}\n`;
}

/** Parses a JSON series: an array of prices, of `{ time?, price }`, or `{ points: [...] }`. */
export function parseJsonSeries(text: string): PricePoint[] {
  const data = JSON.parse(text) as unknown;
  const list = Array.isArray(data) ? data : (data as { points?: unknown }).points;
  if (!Array.isArray(list) || list.length === 0) throw new Error("JSON series: expected a non-empty array");
  const base = Date.UTC(2026, 0, 1);
  return list.map((item, i) => {
    const price = typeof item === "number" ? item : Number((item as { price?: unknown }).price);
    const time = typeof item === "number" ? undefined : (item as { time?: unknown }).time;
    if (!(price > 0) || !Number.isFinite(price)) throw new Error(`JSON series: bad price at ${i}`);
    return { time: typeof time === "number" ? time : base + i * 60_000, price };
  });
}

/** The largest series file read (a year of minutes as CSV is about 12 MiB). */
export const MAX_SERIES_BYTES = 64 * 1024 * 1024;

/** Reads a series file: `.json` as JSON, anything else as CSV. Only a regular file of at most `MAX_SERIES_BYTES`. */
export function loadSeries(path: string): PricePoint[] {
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`series ${path}: not a regular file`);
  if (stat.size > MAX_SERIES_BYTES)
    throw new Error(`series ${path}: ${stat.size} bytes, more than the ${MAX_SERIES_BYTES} read`);
  const text = readFileSync(path, "utf8");
  return path.toLowerCase().endsWith(".json") ? parseJsonSeries(text) : parseCsvSeries(text);
}
