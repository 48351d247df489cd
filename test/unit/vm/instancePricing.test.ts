/**
 * What a call's instance costs, priced from the code alone (issue 12's call pricing):
 *
 * - Static data: the data segments are flattened at compile time into a few runs (the memory
 *   they leave, byte for byte), and every call pays for the runs and bytes it copies in
 *   (`dataCopyGas`). On c53253c overlapping segments stayed unmerged, a call copied each
 *   one and paid nothing for it: 40,000 one-byte segments ran at ~140x the median ns/gas.
 * - Memory growth: the pool keeps no instance whose memory grew, so the next frame of that
 *   contract in the transaction pays the instantiation (the cold price) again. On c53253c
 *   it re-instantiated at the warm price (16-23x the median with a large table).
 * - Tables: instantiation scales with the table, which is capped at deployment
 *   (`MAX_TABLE_ELEMENTS`); a 4,096-entry table was accepted on c53253c (cold calls 6-10x
 *   underpriced).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { coldCallGas } from "../../../src/vm/callContract.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { type DataSegment, flattenSegments, MERGE_GAP } from "../../../src/vm/wasm/dataSegments.js";
import { CYCLE_CALLER, cycleCallee, cycleTx, deploySalted } from "../../helpers/callCycle.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";
import { wat } from "../../helpers/wat.js";

const PAGE = 65536;

let k = 0;
/** A callee of `pages` pages with `data` (wat data declarations) and `noop`, which grows the memory by `grow` pages. */
const callee = (pages: number, data: string, grow = 0): Uint8Array =>
  cycleCallee({ k: ++k, pages, data, grow });
const deploy = deploySalted;
const cycle = cycleTx;

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x;
  };
}

/** Many overlapping segments, some far apart, some all zeros. */
function hostileSegments(count: number, seed: number): DataSegment[] {
  const next = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const len = 1 + (next() % 40);
    const offset = i % 7 === 0 ? next() % (4 * PAGE - len) : next() % 512;
    const bytes = new Uint8Array(len).map(() => (i % 5 === 0 ? 0 : next() % 256));
    return { offset, bytes };
  });
}

function applied(segments: readonly DataSegment[], size: number): Uint8Array {
  const memory = new Uint8Array(size);
  for (const s of segments) memory.set(s.bytes, s.offset);
  return memory;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const dataDecl = (segments: readonly DataSegment[]) =>
  segments
    .map(
      (s) =>
        `(data (i32.const ${s.offset}) "${[...s.bytes].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("")}")`,
    )
    .join(" ");

describe("flattened data segments", () => {
  it("give the memory the segments give, byte for byte, in few runs", () => {
    for (const seed of [1, 2, 3]) {
      const segments = hostileSegments(3_000, seed);
      const runs = flattenSegments(segments);
      assert.equal(hex(applied(runs, 4 * PAGE)), hex(applied(segments, 4 * PAGE)));
      for (let i = 1; i < runs.length; i++) {
        const prev = runs[i - 1] as DataSegment;
        assert.ok((runs[i] as DataSegment).offset - (prev.offset + prev.bytes.length) >= MERGE_GAP);
      }
      assert.ok(runs.length <= Math.ceil((4 * PAGE) / MERGE_GAP), `${runs.length} runs`);
    }
  });

  it("a compiled module's data is what V8 instantiating the original module leaves", () => {
    const segments = hostileSegments(400, 9);
    const code = callee(4, dataDecl(segments));
    const original = new WebAssembly.Instance(new WebAssembly.Module(code), {});
    const memory = new Uint8Array((original.exports.memory as WebAssembly.Memory).buffer);
    const cached = compileContract(code);
    assert.ok(cached.data.length <= Math.ceil((4 * PAGE) / MERGE_GAP));
    assert.equal(hex(applied(cached.data, 4 * PAGE)), hex(memory));
    // 40,000 overlapping one-byte segments become one run (c53253c kept all 40,000).
    const many = Array.from({ length: 40_000 }, (_, i) => `(data (i32.const ${i % 64}) "\\01")`).join(" ");
    assert.equal(compileContract(callee(1, many)).data.length, 1);
  });
});

describe("what a call's instance costs", () => {
  const chain = new TestChain(8);
  const caller = deploy(chain, CYCLE_CALLER);
  /** 4 one-byte segments farther apart than MERGE_GAP: 4 runs. */
  const spreadData = Array.from(
    { length: 4 },
    (_, i) => `(data (i32.const ${i * (MERGE_GAP + 1) + 7}) "\\2a")`,
  ).join(" ");
  const codes = {
    globals: cycleCallee({ k: 1_000, pages: 16, grow: 0, globals: 100 }),
    plain: callee(16, ""),
    spread: callee(16, spreadData),
    grows: callee(1, "", 1),
    still: callee(1, "", 0),
  };
  const addr = {
    globals: deploy(chain, codes.globals),
    plain: deploy(chain, codes.plain),
    spread: deploy(chain, codes.spread),
    grows: deploy(chain, codes.grows),
    still: deploy(chain, codes.still),
  };
  const gasOf = (tx: Transaction) => {
    const receipt = chain.runOne(tx);
    assert.equal(receipt.status, "success", receipt.invalidReason);
    return receipt.gasUsed;
  };
  /** Gas of one more warm lap over `to`. */
  const warmLap = (to: Address) =>
    gasOf(cycle(account(2), caller, [to], 3)) - gasOf(cycle(account(2), caller, [to], 2));

  it("a warm call pays for every run and byte of static data it copies", () => {
    const runs = compileContract(codes.spread).data;
    assert.equal(runs.length, 4);
    const extra = warmLap(addr.spread) - warmLap(addr.plain);
    // c53253c: 0 (the same warm price however many segments).
    assert.equal(extra, GAS.DATA_RUN * 3 + GAS.DATA_WORD * 4);
  });

  it("every frame pays for each mutable global the dispatcher resets or restores", () => {
    const extra = warmLap(addr.globals) - warmLap(addr.plain);
    // af57d7a: 0 (1,023 globals cost 1-4 ns each on every call, unpriced).
    assert.equal(extra, 100 * GAS.FRAME_GLOBAL);
    assert.equal(compileContract(codes.globals).globalsGas - compileContract(codes.plain).globalsGas, extra);
  });

  it("a frame after one that grew the memory pays the instantiation again", () => {
    const cold = coldCallGas(compileContract(codes.grows));
    assert.equal(coldCallGas(compileContract(codes.still)), cold);
    const extra = warmLap(addr.grows) - warmLap(addr.still);
    // c53253c: MEMORY_GROW_PAGE alone (a new instance at the warm price).
    assert.equal(extra, GAS.MEMORY_GROW_PAGE + cold);
  });

  it("refuses a table larger than MAX_TABLE_ELEMENTS at deployment", () => {
    const receipt = chain.runOne({
      kind: "deploy",
      from: account(1),
      code: wat(`(module (memory (export "memory") 1) (table 4096 funcref) (func (export "f")))`),
      args: new Uint8Array(0),
      salt: new Uint8Array(32).fill(0xee),
      value: 0n,
      gasLimit: 100_000_000,
      gasPrice: 1n,
    });
    assert.notEqual(receipt.status, "success"); // c53253c: deployed
    deploy(chain, wat(`(module (memory (export "memory") 1) (table 128 funcref) (func (export "f")))`));
  });

  describe("parallel = sequential", () => {
    let engine: ChainEngine;
    before(async () => {
      engine = await chainEngine(2);
    });
    after(() => engine.close());

    it("a block mixing many-run, growing and plain callees", async () => {
      const all = [addr.plain, addr.spread, addr.grows, addr.still, addr.globals];
      const txs: Transaction[] = [];
      for (let t = 0; t < 16; t++) {
        const window = all.slice(t % 4).concat(all.slice(0, t % 4));
        if (t % 2 === 1) window.reverse();
        txs.push(cycle(account((t % 8) + 1), caller, window, 1 + (t % 3)));
      }
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.ok(result.receipts.every((r) => r.status === "success"));
    });
  });
});
