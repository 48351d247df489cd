/**
 * The main thread's synchronous stretches in a V8 CPU profile (`.cpuprofile`, e.g. from
 * `blockStall.js --cpu-prof <dir>`): runs of samples with no idle sample between them,
 * the longest first, each with what it was doing.
 *
 *   node dist/bench/profileStretches.js --file <x.cpuprofile> [--min-ms 20] [--top 40]
 *
 * A stretch is a run of consecutive samples none of which is `(idle)` and whose stacks enter
 * the JavaScript through the same frames under the root (a timer, an immediate, the
 * microtask queue, an I/O callback: another entry is another task; collector and `(program)`
 * samples stay with the task they interrupt). Two tasks of the same kind back to back count as
 * one (the profile cannot tell them apart). Its length is the sum of the samples' time deltas
 * (wall time: on a loaded machine it includes waiting for a core). Per
 * stretch: its start (ms from the profile's start), its length, the share of garbage
 * collection, the outermost named project function (`/src/` or `/bench/` in the url) its
 * samples were under, and the innermost project function each sample was in (else V8's own
 * name: the collector, a builtin), summed. Prints a table; writes nothing.
 */
import { readFileSync } from "node:fs";
import { benchArgs } from "./lib/args.js";
import { printTable } from "./lib/report.js";

const USAGE = "node dist/bench/profileStretches.js --file <x.cpuprofile> [--min-ms 20] [--top 40]";
const args = benchArgs(USAGE, {
  options: {
    file: { type: "string" },
    "min-ms": { type: "string", default: "20" },
    top: { type: "string", default: "40" },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = args.file;
if (file === undefined) throw new Error(`usage: ${USAGE}`);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const minMs = Number(args["min-ms"]);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const name = (n: ProfileNode): string => {
  const url = n.callFrame.url;
  const short = url.slice(url.lastIndexOf("/") + 1).replace(/\.js$/, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${short}:${n.callFrame.lineNumber + 1}`;
};
const own = (n: ProfileNode) =>
  /\/(src|bench)\//.test(n.callFrame.url) && !n.callFrame.url.includes("node_modules");

/** The project frames of a sample's stack, outermost first, each once. */
const stacks = new Map<number, string[]>();
function stackOf(id: number): string[] {
  const known = stacks.get(id);
  if (known !== undefined) return known;
  const frames: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at) as ProfileNode;
    if (own(node)) frames.push(name(node));
  }
  frames.reverse();
  const unique = [...new Set(frames)];
  stacks.set(id, unique);
  return unique;
}

/** Names of the first two frames under the root: what the event loop entered the JavaScript through. */
function entryOf(id: number): string {
  const path: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    path.push((byId.get(at) as ProfileNode).callFrame.functionName);
  }
  path.reverse(); // (root), then the entry frames
  return path.slice(1, 3).join(" > ");
}
const UNATTACHED = new Set(["(garbage collector)", "(program)"]);

interface Stretch {
  startMs: number;
  ms: number;
  samples: number[];
  deltas: number[];
}
const stretches: Stretch[] = [];
let clock = 0;
let current: Stretch | undefined;
let currentEntry = "";
profile.samples.forEach((id, i) => {
  const delta = (profile.timeDeltas[i] ?? 0) / 1000;
  clock += delta;
  const node = byId.get(id) as ProfileNode;
  if (node.callFrame.functionName === "(idle)") {
    if (current !== undefined) stretches.push(current);
    current = undefined;
    return;
  }
  // A different entry from the event loop starts another task: GC and V8's own samples belong to the task they interrupt.
  if (!UNATTACHED.has(node.callFrame.functionName)) {
    const entry = entryOf(id);
    if (current !== undefined && currentEntry !== "" && entry !== currentEntry) {
      stretches.push(current);
      current = undefined;
    }
    currentEntry = entry;
  }
  current ??= { startMs: clock, ms: 0, samples: [], deltas: [] };
  current.ms += delta;
  current.samples.push(id);
  current.deltas.push(delta);
});
if (current !== undefined) stretches.push(current);

const long = stretches.filter((s) => s.ms >= minMs).sort((a, b) => b.ms - a.ms);
const rows = long.slice(0, Number(args.top)).map((s) => {
  // Each sample goes to its innermost project frame (else V8's own name: GC, program, a builtin).
  const inner = new Map<string, number>();
  const outer = new Map<string, number>();
  let gc = 0;
  s.samples.forEach((id, i) => {
    const d = s.deltas[i] ?? 0;
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(garbage collector)") gc += d;
    const stack = stackOf(id);
    const innermost = stack.at(-1) ?? node.callFrame.functionName;
    inner.set(innermost, (inner.get(innermost) ?? 0) + d);
    const entry = stack.find((f) => !f.startsWith("(anonymous)")) ?? stack[0] ?? "-";
    outer.set(entry, (outer.get(entry) ?? 0) + d);
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([f, ms]) => `${f} ${ms.toFixed(0)}`)
      .join(", ");
  return [
    s.startMs.toFixed(0),
    s.ms.toFixed(1),
    ((gc / s.ms) * 100).toFixed(0),
    top(outer, 2),
    top(inner, 4),
  ];
});
const total = stretches.reduce((sum, s) => sum + s.ms, 0);
console.log(
  `${file}: ${stretches.length} stretches, ${total.toFixed(0)} ms busy of ${clock.toFixed(0)} ms; ${long.length} of ${minMs} ms or more (${long.reduce((sum, s) => sum + s.ms, 0).toFixed(0)} ms)`,
);
printTable(["start ms", "ms", "GC %", "entered from (ms)", "innermost project frame (ms)"], rows);
