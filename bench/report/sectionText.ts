/** Text shared by the report's sections: when and where results were measured, ratios, missing results. */
import { type Block, p } from "./document.js";
import type { Machine } from "./results.js";

export function measured(machine: Machine | undefined, startedAt: Date | undefined): string {
  if (machine === undefined) return "";
  const when = new Date(machine.date);
  const earlier = startedAt !== undefined && when.getTime() < startedAt.getTime() - 1000;
  return `Measured ${machine.date.replace("T", " ").replace(/\.\d+Z$/, " UTC")}${earlier ? " (**an earlier run**, not this report's)" : ""} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}.`;
}

export const x = (v: number | undefined, digits = 2) => (v === undefined ? "–" : `${v.toFixed(digits)}x`);

export function missing(file: string): Block {
  return p(`No results: \`bench/results/${file}\` is missing (its benchmark did not run or failed).`);
}
