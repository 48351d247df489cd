/**
 * How far the stack budget traps before V8's own stack runs out, on every kind of thread
 * that runs contracts: the main thread (sequential blocks), a worker made the way the
 * parallel engine makes them (`WORKER_STACK_MB`), and the main thread inside a JSON-RPC
 * handler (`weft_call`, `weft_estimateGas`).
 *
 * For each frame shape of `test/helpers/deepFrames.ts` (and chains of nested contract
 * calls) it finds, by bisection on the recursion depth, the smallest depth at which the
 * budget traps, and the smallest depth at which V8 overflows with the budget moved out
 * of the way (`VmOptions.stackStart`). The margin is their ratio: above 1 the budget
 * always decides first. For single contracts it also gives the stack units in use when
 * V8 overflowed, against the most a transaction can ever reach: the budget plus one
 * frame of `MAX_FRAME_UNITS` (V8 allocates a frame before its budget check runs).
 *
 *   node [--liftoff-only | --no-liftoff] dist/bench/stackMargin.js [--nest 0,16,63]
 *
 * Prints a table, writes bench/results/stackMargin.json.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Receipt } from "../src/chain/receipt.js";
import type { Address } from "../src/codec/address.js";
import { utf8 } from "../src/codec/bytes.js";
import { WORKER_STACK_MB } from "../src/engine/parallel/protocol.js";
import { createRpcServer } from "../src/node/rpc/index.js";
import { storageKey } from "../src/state/keys.js";
import { VmFault } from "../src/vm/errors.js";
import { MAX_FRAME_UNITS, MAX_STACK_UNITS } from "../src/vm/limits.js";
import { validateModule } from "../src/vm/wasm/index.js";
import { account } from "../test/helpers/chain.js";
import { TestChain } from "../test/helpers/contracts.js";
import {
  deepFrameContract,
  deepFrameInput,
  FRAME_SHAPES,
  type FrameShape,
} from "../test/helpers/deepFrames.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";

interface Case {
  shape: FrameShape;
  nest: number;
}

interface Row {
  thread: string;
  shape: string;
  nest: number;
  trapDepth: number;
  overflowDepth: number;
  margin: number;
  /** Stack units in use at V8's overflow (single contracts only), and that over the most reachable. */
  overflowUnits?: number;
  reachableMargin?: number;
}

type Ending = "success" | "budget" | "overflow";

const from = account(1);
/** The most stack units a transaction can have in use: a full budget, then one largest frame. */
const REACHABLE_UNITS = MAX_STACK_UNITS + MAX_FRAME_UNITS;

/** A chain with `nest + 1` copies of the shape's contract; `run` ends one way at each depth. */
function setup(c: Case, unbounded: boolean): (depth: number) => Ending {
  const chain = new TestChain(2, {}, unbounded ? { stackStart: -1_000_000_000 } : {});
  const code = deepFrameContract(c.shape);
  const contracts: Address[] = [];
  for (let i = 0; i <= c.nest; i++) {
    const salt = new Uint8Array(32);
    salt[0] = i;
    const tx = { kind: "deploy" as const, from, code, args: new Uint8Array(0), salt, value: 0n };
    const receipt = chain.runOne({ ...tx, gasLimit: 50_000_000, gasPrice: 1n });
    if (receipt.contractAddress === undefined) throw new Error(`deploying ${c.shape.kind} failed`);
    contracts.push(receipt.contractAddress);
  }
  const [first, ...rest] = contracts as [Address, ...Address[]];
  // The innermost recursion finished if its contract wrote key "d".
  const done = storageKey(contracts[contracts.length - 1] as Address, utf8("d"));
  return (depth) => {
    try {
      const result = chain.run([
        {
          kind: "call",
          from,
          to: first,
          method: "run",
          args: deepFrameInput(rest, depth),
          value: 0n,
          gasLimit: 1_000_000_000,
          gasPrice: 1n,
        },
      ]);
      const receipt = result.receipts[0] as Receipt;
      if (receipt.status === "outOfGas") throw new Error(`out of gas at depth ${depth}`);
      return result.writeSet.has(done) ? "success" : "budget";
    } catch (error) {
      if (error instanceof VmFault) return "overflow";
      throw error;
    }
  };
}

/** The smallest depth at which `run` ends with `ending` (exponential search, then bisection). */
function firstDepth(run: (depth: number) => Ending, ending: Ending): number {
  let lo = 0;
  let hi = 1;
  for (;;) {
    if (run(hi) === ending) break;
    lo = hi;
    hi *= 2;
    if (hi > 1 << 24) throw new Error(`never reached ${ending}`);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (run(mid) === ending) hi = mid;
    else lo = mid;
  }
  return hi;
}

function measure(thread: string, c: Case): Row {
  const name = `${c.shape.kind}-${c.shape.size}`;
  const trapDepth = firstDepth(setup(c, false), "budget");
  const overflowDepth = firstDepth(setup(c, true), "overflow");
  const row: Row = {
    thread,
    shape: name,
    nest: c.nest,
    trapDepth,
    overflowDepth,
    margin: Math.round((overflowDepth / trapDepth) * 100) / 100,
  };
  if (c.nest === 0) {
    // run's own frame, then the recursive function's (the first defined one) per level.
    const [recursive, run] = validateModule(deepFrameContract(c.shape)).frameUnits as [number, number];
    row.overflowUnits = run + overflowDepth * recursive;
    row.reachableMargin = Math.round((row.overflowUnits / REACHABLE_UNITS) * 100) / 100;
  }
  return row;
}

function cases(nests: number[]): Case[] {
  const out: Case[] = FRAME_SHAPES.map((shape) => ({ shape, nest: 0 }));
  for (const nest of nests) if (nest > 0) out.push({ shape: { kind: "minimal", size: 0 }, nest });
  for (const nest of nests) if (nest > 0) out.push({ shape: { kind: "wide", size: 64 }, nest });
  return out;
}

if (!isMainThread) {
  const { list } = workerData as { list: Case[] };
  parentPort?.postMessage(list.map((c) => measure("worker", c)));
} else {
  const args = benchArgs("node [--liftoff-only | --no-liftoff] dist/bench/stackMargin.js [--nest 0,16,63]", {
    options: { nest: { type: "string", default: "0,16,63" } },
  });
  const list = cases(String(args.nest).split(",").map(Number));
  const rows: Row[] = list.map((c) => measure("main", c));

  const worker = new Worker(new URL(import.meta.url), {
    workerData: { list },
    resourceLimits: { stackSizeMb: WORKER_STACK_MB },
  });
  rows.push(
    ...(await new Promise<Row[]>((resolve, reject) => worker.once("message", resolve).once("error", reject))),
  );

  const server = createRpcServer({
    port: 0,
    methods: { measure: (params) => measure("rpc", (params as [Case])[0]) },
  });
  const { url } = await server.listen();
  for (const c of list) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "measure", params: [c] }),
    });
    const body = (await res.json()) as { result?: Row; error?: unknown };
    if (body.result === undefined) throw new Error(`rpc measure failed: ${JSON.stringify(body.error)}`);
    rows.push(body.result);
  }
  await server.close();

  const flags = process.execArgv.join(" ") || "(default tiers)";
  console.log(`stack budget ${MAX_STACK_UNITS} units; workers ${WORKER_STACK_MB} MiB; node flags ${flags}`);
  printTable(
    [
      "thread",
      "shape",
      "nest",
      "trap depth",
      "V8 overflow depth",
      "margin",
      "units at overflow",
      "/ reachable",
    ],
    rows.map((r) => [
      r.thread,
      r.shape,
      r.nest,
      r.trapDepth,
      r.overflowDepth,
      r.margin.toFixed(2),
      r.overflowUnits ?? "",
      r.reachableMargin?.toFixed(2) ?? "",
    ]),
  );
  for (const thread of ["main", "worker", "rpc"]) {
    const worst = rows.filter((r) => r.thread === thread).sort((a, b) => a.margin - b.margin)[0];
    if (worst !== undefined)
      console.log(
        `${thread}: smallest margin ${worst.margin.toFixed(2)}x (${worst.shape}, nest ${worst.nest})`,
      );
    const fewest = rows
      .filter((r) => r.thread === thread && r.overflowUnits !== undefined)
      .sort((a, b) => (a.overflowUnits ?? 0) - (b.overflowUnits ?? 0))[0];
    if (fewest !== undefined)
      console.log(
        `${thread}: V8 overflowed at ${fewest.overflowUnits} units at the fewest (${fewest.shape}), ${fewest.reachableMargin?.toFixed(2)}x the ${REACHABLE_UNITS} a transaction can reach`,
      );
  }
  writeJson("bench/results/stackMargin.json", {
    machine: machineInfo(),
    flags,
    budget: MAX_STACK_UNITS,
    rows,
  });
}
