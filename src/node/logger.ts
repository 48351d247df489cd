/**
 * The node's logger (pino). One JSON object per line on stdout when stdout is a file, a
 * pipe or a log collector; short coloured lines when it is a terminal:
 *
 *   14:02:07.311 INFO  block committed number=12 txs=3 gasUsed=15000 mode=sequential
 *
 * `pretty` overrides the choice (tests, `--log-format`-style wrappers).
 */
import { type DestinationStream, type Logger, pino } from "pino";
import type { NodeConfig } from "./config.js";

const LEVELS: Readonly<Record<number, { name: string; colour: string }>> = {
  10: { name: "TRACE", colour: "\x1b[90m" },
  20: { name: "DEBUG", colour: "\x1b[36m" },
  30: { name: "INFO", colour: "\x1b[32m" },
  40: { name: "WARN", colour: "\x1b[33m" },
  50: { name: "ERROR", colour: "\x1b[31m" },
  60: { name: "FATAL", colour: "\x1b[35m" },
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
/** Fields every line has, shown by position rather than as key=value. */
const POSITIONAL = new Set(["level", "time", "msg", "pid", "hostname", "service"]);

/** One JSON log line as a line for people (the line itself when it is not JSON). */
export function prettyLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 23) : "";
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level), colour: "" };
  const fields = Object.entries(entry)
    .filter(([k, v]) => !POSITIONAL.has(k) && v !== undefined)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === "string" ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`,
    )
    .join(" ");
  const name = level.name.padEnd(5);
  const msg = String(entry.msg ?? "");
  return colour
    ? `${DIM}${time}${RESET} ${level.colour}${name}${RESET} ${msg}${fields === "" ? "" : ` ${DIM}${fields}${RESET}`}`
    : `${time} ${name} ${msg}${fields === "" ? "" : ` ${fields}`}`;
}

/** A pino destination that writes each JSON line to `out` as a pretty line. */
export function prettyDestination(out: NodeJS.WritableStream, colour: boolean): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) if (line !== "") out.write(`${prettyLogLine(line, colour)}\n`);
    },
  };
}

export function createLogger(
  config: Pick<NodeConfig, "logLevel">,
  options: { pretty?: boolean; out?: NodeJS.WritableStream } = {},
): Logger {
  const settings = { level: config.logLevel, base: { service: "weft-node" } };
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    const out = options.out ?? process.stdout;
    return pino(settings, prettyDestination(out, out === process.stdout && process.stdout.isTTY === true));
  }
  return options.out === undefined ? pino(settings) : pino(settings, options.out);
}
