/**
 * `memory.copy` and `memory.fill` (src/vm/wasm/instrument.ts): allowed, charged
 * `MEMORY_BULK` plus `MEMORY_BULK_WORD` per 16 bytes before they run, so a length too
 * large for the gas left runs out of gas instead of copying, and one past the memory
 * traps after paying; the rest of bulk memory (`memory.init`, `data.drop`) stays refused.
 * Parallel execution charges the same as sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Address } from "../../../src/codec/address.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { validateContract } from "../../../src/vm/wasm/index.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";
import { wat } from "../../helpers/wat.js";

const alice = account(1);

/**
 * `run(op, dst, src or byte, len)`: one memory.copy (op 0) or memory.fill (op 1) of the
 * input's arguments, then returns the 64 bytes at 1024.
 */
const BULK = wat(`(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "set_return" (func $set_return (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 2048) "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  (func (export "run")
    (call $input_copy (i32.const 0))
    (if (i32.eqz (i32.load (i32.const 0)))
      (then (memory.copy (i32.load (i32.const 4)) (i32.load (i32.const 8)) (i32.load (i32.const 12))))
      (else (memory.fill (i32.load (i32.const 4)) (i32.load (i32.const 8)) (i32.load (i32.const 12)))))
    (call $set_return (i32.const 1024) (i32.const 64))))`);

function deploy(chain: TestChain): Address {
  const receipt = chain.runOne({
    kind: "deploy",
    from: alice,
    code: BULK,
    args: new Uint8Array(0),
    value: 0n,
    gasLimit: 100_000_000,
    gasPrice: 1n,
  });
  assert.equal(receipt.status, "success", receipt.invalidReason);
  return receipt.contractAddress as Address;
}

function call(to: Address, op: number, dst: number, src: number, len: number, gasLimit = 10_000_000) {
  const args = new Uint8Array(16);
  const view = new DataView(args.buffer);
  [op, dst, src, len].forEach((v, i) => {
    view.setUint32(i * 4, v >>> 0, true);
  });
  return {
    kind: "call" as const,
    from: alice,
    to,
    method: "run",
    args,
    value: 0n,
    gasLimit,
    gasPrice: 1n,
  };
}

function run(
  chain: TestChain,
  to: Address,
  op: number,
  dst: number,
  src: number,
  len: number,
  gasLimit?: number,
): Receipt {
  return chain.runOne(call(to, op, dst, src, len, gasLimit));
}

describe("bulk memory: memory.copy and memory.fill", () => {
  it("copies and fills what the instruction says", () => {
    const chain = new TestChain(1);
    const to = deploy(chain);
    const copied = run(chain, to, 0, 1024 + 3, 2048, 10);
    assert.equal(copied.status, "success", copied.invalidReason);
    assert.equal(Buffer.from(copied.output.subarray(3, 13)).toString(), "0123456789");
    assert.ok(copied.output.subarray(13).every((b: number) => b === 0));
    const filled = run(chain, to, 1, 1024 + 8, 0x1ab, 20);
    assert.equal(filled.status, "success", filled.invalidReason);
    assert.deepEqual([...filled.output.subarray(6, 30)], [0, 0, ...Array(20).fill(0xab), 0, 0]);
  });

  it("charges MEMORY_BULK_WORD per 16 bytes, rounded up, on top of the same fixed cost", () => {
    const chain = new TestChain(1);
    const to = deploy(chain);
    for (const op of [0, 1]) {
      const gas = (len: number) => {
        const r = run(chain, to, op, 4096, 8192, len);
        assert.equal(r.status, "success", r.invalidReason);
        return r.gasUsed;
      };
      const none = gas(0);
      assert.equal(gas(1) - none, GAS.MEMORY_BULK_WORD);
      assert.equal(gas(16) - none, GAS.MEMORY_BULK_WORD);
      assert.equal(gas(17) - none, 2 * GAS.MEMORY_BULK_WORD);
      assert.equal(gas(16000) - none, 1000 * GAS.MEMORY_BULK_WORD);
    }
  });

  it("runs out of gas before a length it cannot pay for, whatever the length (no overflow)", () => {
    const chain = new TestChain(1);
    const to = deploy(chain);
    for (const op of [0, 1]) {
      for (const len of [0xffff_ffff, 0x8000_0000, 40_000_000]) {
        const r = run(chain, to, op, 0, 0, len, 2_000_000);
        assert.equal(r.status, "outOfGas", `op ${op} len ${len}: ${r.status}`);
        assert.equal(r.gasUsed, 2_000_000);
      }
    }
  });

  it("traps past the memory after paying for the length", () => {
    const chain = new TestChain(1);
    const to = deploy(chain);
    for (const [op, dst, src, len] of [
      [0, 65536 - 8, 2048, 16],
      [0, 1024, 65536 - 4, 16],
      [1, 65536 - 1, 7, 2],
    ] as const) {
      const short = run(chain, to, op, dst, src, len);
      const long = run(chain, to, op, dst, src, len + 64);
      assert.equal(short.status, "revert", `${op} ${dst} ${src} ${len}: ${short.status}`);
      assert.equal(long.status, "revert");
      assert.equal(long.gasUsed - short.gasUsed, 4 * GAS.MEMORY_BULK_WORD);
    }
  });

  it("refuses the rest of bulk memory (memory.init, data.drop) at deployment", () => {
    for (const body of ["i32.const 0 i32.const 0 i32.const 1 memory.init 0", "data.drop 0"]) {
      const code = wat(`(module (memory (export "memory") 1) (data "x") (func (export "f") ${body}))`);
      assert.throws(
        () => validateContract(code),
        (e: Error & { code?: string }) => e.code === "FEATURE_NOT_ALLOWED",
      );
    }
  });

  it("parallel execution charges what sequential does", async () => {
    const chain = new TestChain(1);
    const to = deploy(chain);
    const txs = [
      call(to, 0, 1024, 2048, 64),
      call(to, 1, 1024, 7, 4096),
      call(to, 0, 0, 0, 0xffff_ffff, 2_000_000),
      call(to, 1, 65530, 0, 64),
    ];
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(engine, store, chain.block, txs);
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "outOfGas", "revert"],
      );
    } finally {
      await engine.close();
    }
  });
});
