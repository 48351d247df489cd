/**
 * The gas schedule keeps time and bytes priced (src/vm/gasSchedule.ts, bench/calibrate.ts):
 * hashing per byte, state growth per gas, compiling paid at deployment and never by
 * calls (the same gas whatever the module cache holds), memory growth per page, calls
 * inside wasm, and receipts bounded per transaction. Gas accounting is asserted, never
 * time: the floors below are the calibrated costs at one gas per nanosecond.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { decodeRevert } from "../../../src/codec/metadata.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { limits } from "../../../src/vm/index.js";
import { createModuleCache } from "../../../src/vm/moduleCache.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";
import { wat } from "../../helpers/wat.js";

const alice = account(1);

/** A module whose method `run` reads (n, len) from its input and loops `body` n times. */
function looping(body: string, extra = ""): Uint8Array {
  return wat(`(module
    (import "weft" "input_copy" (func $input_copy (param i32)))
    (import "weft" "keccak256" (func $keccak256 (param i32 i32 i32)))
    (import "weft" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
    (import "weft" "emit" (func $emit (param i32 i32 i32 i32)))
    (memory (export "memory") 3)
    (func $empty)
    ${extra}
    (func (export "run") (local $i i32) (local $len i32)
      (call $input_copy (i32.const 0))
      (local.set $i (i32.load (i32.const 0)))
      (local.set $len (i32.load (i32.const 4)))
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $i)))
        ${body}
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $l)))))`);
}

function deploy(chain: TestChain, code: Uint8Array, salt = 0): { address: Address; receipt: Receipt } {
  const s = new Uint8Array(32);
  s[0] = salt;
  const receipt = chain.runOne({
    kind: "deploy",
    from: alice,
    code,
    args: new Uint8Array(0),
    salt: s,
    value: 0n,
    gasLimit: 100_000_000,
    gasPrice: 1n,
  });
  assert.equal(receipt.status, "success", receipt.invalidReason);
  return { address: receipt.contractAddress as Address, receipt };
}

function run(chain: TestChain, to: Address, n: number, len: number, gasLimit = 500_000_000): Receipt {
  const args = new Uint8Array(8);
  new DataView(args.buffer).setUint32(0, n, true);
  new DataView(args.buffer).setUint32(4, len, true);
  return chain.runOne({
    kind: "call",
    from: alice,
    to,
    method: "run",
    args,
    value: 0n,
    gasLimit,
    gasPrice: 1n,
  });
}

/** Gas of `run(n, len)` minus gas of `run(n0, len0)`. */
function marginal(
  chain: TestChain,
  to: Address,
  [n0, len0]: [number, number],
  [n, len]: [number, number],
): number {
  const a = run(chain, to, n0, len0);
  const b = run(chain, to, n, len);
  assert.equal(a.status, "success");
  assert.equal(b.status, "success");
  return b.gasUsed - a.gasUsed;
}

function revertMessage(receipt: Receipt): unknown {
  return decodeRevert(loadArtifact("probe").metadata, receipt.output);
}

describe("gas pricing", () => {
  it("keccak256 pays at least 5 gas per byte hashed (measured ~5 ns per byte)", () => {
    const chain = new TestChain();
    const { address } = deploy(
      chain,
      looping("(call $keccak256 (i32.const 65536) (local.get $len) (i32.const 0))"),
    );
    const gas = marginal(chain, address, [10, 0], [10, 65_536]);
    assert.ok(gas / (10 * 65_536) >= 5, `${gas / (10 * 65_536)} gas per keccak byte`);
    // So a transaction at the gas ceiling hashes at most MAX_TX_GAS / 5 bytes (200 MB, ~1 s).
  });

  it("state grows by at most one byte per STORAGE_BYTE (250) gas", () => {
    const chain = new TestChain();
    // n writes of `len`-byte values under new 8-byte keys.
    const { address } = deploy(
      chain,
      looping(
        "(i32.store (i32.const 1024) (local.get $i)) (call $storage_set (i32.const 1024) (i32.const 8) (i32.const 65536) (local.get $len))",
      ),
    );
    const receipt = run(chain, address, 100, 4_096);
    assert.equal(receipt.status, "success");
    const grown = 100 * (8 + 4_096);
    assert.ok(receipt.gasUsed >= grown * 250, `${receipt.gasUsed} gas for ${grown} bytes of state`);
    assert.ok(GAS.STORAGE_BYTE >= 250 && GAS.DEPLOY_BYTE >= GAS.STORAGE_BYTE);
  });

  it("compiling is paid at deployment, per byte of code, and calls pay the same gas cached or not", () => {
    const cache = createModuleCache();
    const chain = new TestChain(5, {}, { cache });
    const code = looping("(call $empty)");
    const { address, receipt } = deploy(chain, code);
    assert.ok(
      receipt.gasUsed >= GAS.DEPLOY_BYTE * code.length && GAS.DEPLOY_BYTE >= 200,
      `deploy ${receipt.gasUsed}`,
    );
    assert.equal(cache.stats.compiles, 1, "the deployment compiled the module");
    const misses = cache.stats.misses;
    const warm = run(chain, address, 3, 0);
    assert.equal(cache.stats.misses, misses, "the first call did not compile");
    // Another node (or worker, or a restart) whose cache does not hold the module.
    const coldCache = createModuleCache();
    const cold = new TestChain(5, {}, { cache: coldCache });
    for (const [k, v] of chain.state.entries) cold.state.entries.set(k, v);
    const coldReceipt = run(cold, address, 3, 0);
    assert.equal(coldCache.stats.misses, 1, "this call compiled");
    assert.deepEqual(coldReceipt, warm, "same receipt, same gas, cached or not");
  });

  it("a deployment pays for each function it defines and each initial memory page past the first", () => {
    // bench/deployCost.ts: 2.5-5 µs per function whatever its size (4-byte functions paid
    // ~2,000 gas each by their bytes alone, ~5x the median ns/gas); a start function's
    // probe on 64 written pages ~40 µs per page (paid nothing beyond COMPILE_MODULE).
    assert.ok(GAS.DEPLOY_FUNCTION >= 8_000 && GAS.DEPLOY_MEMORY_PAGE >= 50_000);
    const cache = createModuleCache();
    const chain = new TestChain(5, {}, { cache });
    const shaped = (functions: number, pages: number) =>
      wat(
        `(module (memory (export "memory") ${pages}) ${"(func)".repeat(functions - 1)} (func (export "run")))`,
      );
    /** The fixed and per-byte deployment costs. */
    const fixedGas = (code: Uint8Array) =>
      GAS.TX_BASE + GAS.DEPLOY + GAS.COMPILE_MODULE + GAS.DEPLOY_BYTE * code.length;
    /** Gas beyond them. */
    const moduleGas = (code: Uint8Array, salt: number, gasLimit = 100_000_000) => {
      const s = new Uint8Array(32);
      s[0] = salt;
      const receipt = chain.runOne({
        kind: "deploy",
        from: alice,
        code,
        args: new Uint8Array(0),
        salt: s,
        value: 0n,
        gasLimit,
        gasPrice: 1n,
      });
      return { receipt, extra: receipt.gasUsed - fixedGas(code) };
    };
    for (const [functions, pages, salt] of [
      [1, 1, 1],
      [2_000, 1, 2],
      [1, 64, 3],
      [300, 17, 4],
    ] as const) {
      const { receipt, extra } = moduleGas(shaped(functions, pages), salt);
      assert.equal(receipt.status, "success");
      assert.equal(
        extra,
        GAS.DEPLOY_FUNCTION * functions + GAS.DEPLOY_MEMORY_PAGE * (pages - 1),
        `${functions} functions, ${pages} pages`,
      );
    }
    assert.ok(moduleGas(shaped(2_000, 1), 5).extra >= 2_000 * 8_000);
    assert.ok(moduleGas(shaped(1, 64), 6).extra >= 63 * 50_000);
    // A gas limit that cannot pay for the module: out of gas, and nothing compiled.
    const code = shaped(2, 64);
    const cost = 2 * GAS.DEPLOY_FUNCTION + GAS.DEPLOY_MEMORY_PAGE * 63;
    const compiles = cache.stats.compiles;
    const short = moduleGas(code, 7, fixedGas(code) + cost - 1).receipt;
    assert.equal(short.status, "outOfGas");
    assert.equal(short.gasUsed, fixedGas(code) + cost - 1);
    assert.equal(cache.stats.compiles, compiles, "the deployment that could not pay compiled nothing");
  });

  it("memory.grow pays at least 30,000 gas per page (measured ~33 µs per page)", () => {
    const chain = new TestChain();
    const { address } = deploy(chain, looping("(drop (memory.grow (i32.const 1)))"));
    const gas = marginal(chain, address, [0, 0], [20, 0]);
    assert.ok(gas / 20 >= 30_000, `${gas / 20} gas per page`);
  });

  it("a wasm function call pays for its stack metering (at least 10 gas)", () => {
    const chain = new TestChain();
    const { address } = deploy(chain, looping("(call $empty) (call $empty) (call $empty) (call $empty)"));
    const { address: plain } = deploy(chain, looping("(nop) (nop) (nop) (nop)"), 1);
    const calls = marginal(chain, address, [0, 0], [1_000, 0]);
    const nops = marginal(chain, plain, [0, 0], [1_000, 0]);
    assert.ok((calls - nops) / 4_000 >= 10, `${(calls - nops) / 4_000} gas per call`);
  });

  it("events pay per byte and stop at the per-transaction caps with LimitExceeded in the receipt", () => {
    const chain = new TestChain();
    // Each iteration: one event with one topic and `len` bytes of data.
    const { address } = deploy(
      chain,
      looping("(call $emit (i32.const 0) (i32.const 1) (i32.const 65536) (local.get $len))"),
    );
    const perByte = marginal(chain, address, [4, 0], [4, 1_000]) / 4_000;
    assert.ok(perByte >= GAS.RECEIPT_BYTE && GAS.RECEIPT_BYTE >= 8, `${perByte} gas per event byte`);

    const full = limits.MAX_EVENT_BYTES;
    const fits = Math.floor(limits.MAX_TX_EVENT_BYTES / (full + 32));
    const ok = run(chain, address, fits, full);
    assert.equal(ok.status, "success");
    assert.equal(ok.events.length, fits);
    const over = run(chain, address, fits + 1, full);
    assert.equal(over.status, "revert");
    assert.equal(over.events.length, 0, "a failed transaction keeps no events");
    const error = revertMessage(over) as { name: string; args: { message: string } };
    assert.equal(error.name, "LimitExceeded");
    assert.match(error.args.message, /bytes of events in one transaction \(max 262144/);

    const many = run(chain, address, limits.MAX_TX_EVENTS + 1, 0);
    assert.equal(many.status, "revert");
    assert.match(
      (revertMessage(many) as { args: { message: string } }).args.message,
      /more than 1024 events/,
    );
    assert.equal(run(chain, address, limits.MAX_TX_EVENTS, 0).status, "success");
  });
});

describe("gas pricing on the parallel engine", () => {
  it("a block that deploys code and calls it from other transactions (each worker compiling on its own), hashes and hits the event caps matches sequential", async () => {
    const chain = new TestChain();
    const keccak = deploy(
      chain,
      looping("(call $keccak256 (i32.const 65536) (local.get $len) (i32.const 0))"),
    );
    const events = deploy(
      chain,
      looping("(call $emit (i32.const 0) (i32.const 1) (i32.const 65536) (local.get $len))"),
      1,
    );
    const fresh = looping("(call $empty) (call $empty)", "(func $unused (result i32) (i32.const 77))");
    const deployer = account(2);
    const salt = new Uint8Array(32);
    const freshAddress = contractAddress(deployer, salt, keccak256(fresh), new Uint8Array(0));
    const input = (n: number, len: number) => {
      const args = new Uint8Array(8);
      new DataView(args.buffer).setUint32(0, n, true);
      new DataView(args.buffer).setUint32(4, len, true);
      return args;
    };
    const call = (from: number, to: Address, n: number, len: number): Transaction => ({
      kind: "call",
      from: account(from),
      to,
      method: "run",
      args: input(n, len),
      value: 0n,
      gasLimit: 200_000_000,
      gasPrice: 1n,
    });
    const txs: Transaction[] = [
      {
        kind: "deploy",
        from: deployer,
        code: fresh,
        args: new Uint8Array(0),
        salt,
        value: 0n,
        gasLimit: 50_000_000,
        gasPrice: 1n,
      },
      call(3, freshAddress, 100, 0),
      call(4, keccak.address, 20, 4_096),
      call(5, events.address, 17, limits.MAX_EVENT_BYTES),
      call(1, freshAddress, 5, 0),
      call(3, events.address, 3, 100),
      call(4, freshAddress, 7, 0),
    ];
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "success", "revert", "success", "success", "success"],
      );
    } finally {
      await engine.close();
    }
  });
});
