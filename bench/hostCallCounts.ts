/**
 * Host calls per transaction and their mean cost, per workload: how much of a contract
 * transaction is the host ABI, and which functions.
 *
 *   node dist/bench/hostCallCounts.js [--workloads token-transfer,amm-swap,lending,staking,defi-mix]
 *                                     [--block 1000] [--blocks 5]
 *
 * A bench-only wrapper: before the VM is loaded, `WebAssembly.Instance` is replaced by one
 * that wraps each function of an instance's `"weft"` imports in a counter and a timer
 * (`performance.now()` on entry and exit). A host call's time is its own: the time of host
 * calls made inside it (a `call_contract`'s callee frame and its host calls) is taken out.
 * The timer's own cost, measured on an empty wrapped function, is subtracted. Per function:
 * the median of its calls' own times (robust to the process being descheduled inside a call
 * on a loaded machine, or a collection landing there) and the mean. Wrapping adds a JS
 * frame per call, so the times are a bound, the counts exact.
 * Per workload: one block to warm up, then `--blocks` blocks of `executeSequential`.
 */
import { benchArgs } from "./lib/args.js";
import { printTable, writeJson } from "./lib/report.js";

const USAGE =
  "node dist/bench/hostCallCounts.js [--workloads token-transfer,amm-swap,lending,staking,defi-mix] [--block 1000] [--blocks 5]";
const args = benchArgs(USAGE, {
  options: {
    workloads: { type: "string", default: "token-transfer,amm-swap,lending,staking" },
    block: { type: "string", default: "1000" },
    blocks: { type: "string", default: "5" },
  },
});

interface Tally {
  calls: number;
  ms: number;
  /** Each call's own time (ms), the first `MAX_KEPT` calls: for the median. */
  kept: Float64Array;
}
const MAX_KEPT = 1 << 18;
let tallies = new Map<string, Tally>();
/** Time spent in wrapped host calls nested in the current one (taken out of its own). */
let nested = 0;

function wrap(name: string, fn: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return (...a: unknown[]) => {
    const outer = nested;
    nested = 0;
    const began = performance.now();
    try {
      return fn(...a);
    } finally {
      const spent = performance.now() - began;
      let t = tallies.get(name);
      if (t === undefined) {
        t = { calls: 0, ms: 0, kept: new Float64Array(MAX_KEPT) };
        tallies.set(name, t);
      }
      if (t.calls < MAX_KEPT) t.kept[t.calls] = spent - nested;
      t.calls++;
      t.ms += spent - nested;
      nested = outer + spent;
    }
  };
}

const wrappedImports = new WeakMap<object, object>();
const Original = WebAssembly.Instance;
function wrapImports(imports: WebAssembly.Imports | undefined): WebAssembly.Imports | undefined {
  const weft = imports?.weft as Record<string, unknown> | undefined;
  if (imports === undefined || weft === undefined) return imports;
  let wrapped = wrappedImports.get(weft);
  if (wrapped === undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(weft))
      out[k] = typeof v === "function" ? wrap(k, v as (...a: unknown[]) => unknown) : v;
    wrapped = out;
    wrappedImports.set(weft, wrapped);
  }
  return { ...imports, weft: wrapped as WebAssembly.ModuleImports };
}
(WebAssembly as { Instance: unknown }).Instance = function Instance(
  module: WebAssembly.Module,
  imports?: WebAssembly.Imports,
) {
  return new Original(module, wrapImports(imports));
};

// The VM is loaded only now, so that it sees the wrapper.
const { BENCH_BLOCK, tokenTransfers } = await import("./workloads.js");
const { ammSwaps, defiMix, lendingActions, stakingActions } = await import("./defiWorkloads.js");
const { createChainExecutor } = await import("../src/chain/executeTransaction.js");
const { executeSequential } = await import("../src/engine/sequential.js");
type Workload = ReturnType<typeof tokenTransfers>;

const WORKLOADS: Record<string, (block: number) => Workload> = {
  "token-transfer": (block) => tokenTransfers(1_000, block),
  "amm-swap": (block) => ammSwaps(10, block),
  lending: (block) => lendingActions(block),
  staking: (block) => stakingActions(block),
  "defi-mix": (block) => defiMix(block),
};
const names = (args.workloads ?? "").split(",").filter((n) => n !== "");
for (const n of names) {
  if (WORKLOADS[n] === undefined) {
    console.error(`unknown workload ${n}\nusage: ${USAGE}`);
    process.exit(2);
  }
}
const blockSize = Number(args.block);
const blocks = Number(args.blocks);

// The wrapper's own cost per call: an empty function through it.
const empty = wrap("(empty)", () => undefined);
for (let i = 0; i < 200_000; i++) empty();
const median = (t: Tally): number => {
  const n = Math.min(t.calls, MAX_KEPT);
  return n === 0 ? 0 : (t.kept.subarray(0, n).sort()[n >> 1] as number);
};
const overheadMs = median(tallies.get("(empty)") as Tally);

const results: Record<
  string,
  Array<{ fn: string; perTx: number; nsMedian: number; nsMean: number; nsPerTx: number }>
> = {};
for (const name of names) {
  const w = (WORKLOADS[name] as (b: number) => Workload)(blockSize);
  const executor = createChainExecutor(BENCH_BLOCK);
  executeSequential(executor, w.pre, w.txs); // warm-up
  tallies = new Map();
  const began = performance.now();
  for (let i = 0; i < blocks; i++) executeSequential(executor, w.pre, w.txs);
  const totalMs = performance.now() - began;
  const txs = blocks * w.txs.length;
  const rows = [...tallies.entries()]
    .map(([fn, t]) => {
      const nsMedian = Math.max(0, (median(t) - overheadMs) * 1e6);
      const nsMean = Math.max(0, (t.ms / t.calls - overheadMs) * 1e6);
      return { fn, perTx: t.calls / txs, nsMedian, nsMean, nsPerTx: (nsMedian * t.calls) / txs };
    })
    .sort((a, b) => b.nsPerTx - a.nsPerTx);
  results[name] = rows;
  const calls = rows.reduce((s, r) => s + r.perTx, 0);
  const hostNs = rows.reduce((s, r) => s + r.nsPerTx, 0);
  console.log(
    `\n${name}: ${calls.toFixed(1)} host calls/tx, ${(hostNs / 1000).toFixed(2)} µs/tx in them (own time, medians) of ${((totalMs * 1000) / txs).toFixed(1)} µs/tx wrapped`,
  );
  printTable(
    ["host function", "calls/tx", "ns median", "ns mean", "median ns/tx"],
    rows.map((r) => [
      r.fn,
      r.perTx.toFixed(2),
      r.nsMedian.toFixed(0),
      r.nsMean.toFixed(0),
      r.nsPerTx.toFixed(0),
    ]),
  );
}
console.log(`\n(the timer's own cost, ${(overheadMs * 1e6).toFixed(0)} ns a call, is subtracted)`);
writeJson("bench/results/host-call-counts.json", { overheadNs: overheadMs * 1e6, results });
