/**
 * Calibration rows for reading many distinct keys in one transaction (`bench/calibrate.ts`,
 * `--only distinct`): each read names a key no earlier read of the transaction named (a
 * cold access, `GAS.COLD_KEY`), at 1,000 keys, 100,000 keys and the most one transaction at
 * `MAX_TX_GAS` can name, so that what grows with the count (the garbage collector, the
 * slot-key intern tables, the transaction's access set) shows at the worst scale. A second
 * read of a key (a warm access) has rows of its own: 1,024 keys read over and over.
 *
 * Each row times a transaction of `n` reads against one of none (the fixed costs cancel),
 * in CPU time of the process (the garbage collector's threads included: these
 * transactions run for up to a second), the median of the rounds. The loop's own
 * instructions are part of the row (a few gas an iteration, priced as they run).
 */
import type { Address } from "../../src/codec/address.js";
import { MAX_TX_GAS } from "../../src/vm/limits.js";
import { probeModule } from "./calibrationProbes.js";
import type { Bench, CalibrationRow } from "./calibrationRun.js";
import { result } from "./calibrationRun.js";
import { median } from "./report.js";

/** Bytes of each key: the loop counter and the call's `aux` (distinct across calls). */
const KEY_BYTES = 8;
/** The key at 1024: the counter, then the call's aux. */
const KEY_AT_1024 =
  "(i32.store (i32.const 1024) (local.get $i)) (i32.store (i32.const 1028) (local.get $aux))";

interface Op {
  name: string;
  body: string;
}

const read = {
  storage_has: `(drop (call $storage_has (i32.const 1024) (i32.const ${KEY_BYTES})))`,
  storage_get: `(drop (call $storage_get (i32.const 1024) (i32.const ${KEY_BYTES}) (i32.const 65536) (i32.const 32)))`,
  // An account's balance at an address made of the counter and aux (zeros after).
  balance: "(call $balance (i32.const 1024) (i32.const 1100))",
};

const OPS: Op[] = [
  { name: "storage_has", body: `${KEY_AT_1024} ${read.storage_has}` },
  { name: "storage_get", body: `${KEY_AT_1024} ${read.storage_get}` },
  { name: "balance", body: `${KEY_AT_1024} ${read.balance}` },
];

/** Reads of 1,024 keys over and over: all but the first 1,024 are warm. */
const WARM: Op[] = (["storage_has", "balance"] as const).map((name) => ({
  name: `${name}, warm (1,024 keys read over and over`,
  body: `(i32.store (i32.const 1024) (i32.and (local.get $i) (i32.const 1023))) (i32.store (i32.const 1028) (local.get $aux)) ${read[name]}`,
}));

/** Input of the probe: n, len (unused), aux. */
function input(n: number, aux: number): Uint8Array {
  const bytes = new Uint8Array(512);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, n, true);
  view.setUint32(8, aux, true);
  return bytes;
}

let aux = 1 << 24;

function run(bench: Bench, to: Address, n: number, wall = false): { ms: number; gas: number } {
  const tx = bench.callTx(to, "run", input(n, ++aux));
  const cpu = process.cpuUsage();
  const out = bench.run(tx);
  const used = process.cpuUsage(cpu);
  if (out.receipt.status !== "success") throw new Error(`distinct keys (n ${n}): ${out.receipt.status}`);
  return { ms: wall ? out.ms : (used.user + used.system) / 1000, gas: out.receipt.gasUsed };
}

/** Most iterations of the probe at `to` that fit in one transaction of `MAX_TX_GAS`. */
function mostIn(bench: Bench, to: Address): number {
  const a = run(bench, to, 1_000);
  const b = run(bench, to, 2_000);
  const perIteration = (b.gas - a.gas) / 1_000;
  return Math.floor((MAX_TX_GAS - a.gas) / perIteration) - 16;
}

/** Rows of `ops` at `scales` (a number, or "max": the most one transaction can name). */
export function distinctKeyRows(
  bench: Bench,
  rounds: number,
  scales: readonly (number | "max")[] = [1_000, 100_000, "max"],
  only = "",
): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const op of [...OPS, ...WARM]) {
    if (!op.name.startsWith(only)) continue;
    const to = bench.deploy(probeModule("", op.body));
    const warm = WARM.includes(op);
    for (const scale of warm ? (["max"] as const) : scales) {
      const most = mostIn(bench, to);
      if (scale !== "max" && scale >= most) continue;
      const n = scale === "max" ? most : scale;
      // Below 10,000 keys a transaction takes a few ms: wall time, the fastest round (CPU
      // time is counted in coarser steps); above, CPU time, the median (garbage collection;
      // and on a loaded machine a long transaction's wall time counts its waits for a core).
      const small = n < 10_000;
      const sample = (count: number) => {
        const ms: number[] = [];
        let gas = 0;
        run(bench, to, count, small);
        for (let r = 0; r < rounds * (small ? 4 : 1); r++) {
          const m = run(bench, to, count, small);
          ms.push(m.ms);
          gas = m.gas;
        }
        return { ms: small ? Math.min(...ms) : median(ms), gas };
      };
      const full = sample(n);
      const base = sample(0);
      const label =
        scale === "max" ? `${n.toLocaleString("en-US")}, the most in one tx` : scale.toLocaleString("en-US");
      rows.push(
        result(
          warm ? `${op.name}, ${label})` : `${op.name} (distinct keys, ${label})`,
          "host",
          "key",
          ((full.ms - base.ms) * 1e6) / n,
          (full.gas - base.gas) / n,
        ),
      );
      process.stderr.write(".");
    }
  }
  return rows;
}
