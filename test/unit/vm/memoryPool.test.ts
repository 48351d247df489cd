/**
 * The memory pool (`src/vm/memoryPool.ts`) is bounded by bytes: memories that grew, of
 * any sizes, never stay idle past its budget, and the largest go first.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createChainExecutor } from "../../../src/chain/executeTransaction.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import type { Address } from "../../../src/codec/address.js";
import { createMemoryPool } from "../../../src/vm/memoryPool.js";
import { createVm } from "../../../src/vm/vm.js";
import { account, blockContext, fundedState, runBlock } from "../../helpers/chain.js";
import { wat } from "../../helpers/wat.js";

const PAGE = 65536;

/** grow(n: u32 input): grows its one-page memory by n pages and writes into the last one. */
const GROWER = wat(`(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (memory (export "memory") 1)
  (func (export "grow") (local $n i32)
    (call $input_copy (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (drop (memory.grow (local.get $n)))
    (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const 7))))`);

/** run(count, addresses): calls "noop" on each address. */
const CALLER = wat(`(module
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 2) (data (i32.const 2048) "noop")
  (func (export "run") (local $j i32) (local $m i32)
    (call $input_copy (i32.const 4096))
    (local.set $m (i32.load (i32.const 4096)))
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $j) (local.get $m)))
      (drop (call $call (i32.add (i32.const 4100) (i32.mul (local.get $j) (i32.const 20))) (i32.const 2048) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1100) (i64.const 0)))
      (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $l)))))`);

describe("memory pool bounds", () => {
  it("keeps at most maxIdleBytes, dropping the largest memories first", () => {
    const pool = createMemoryPool();
    const budget = pool.maxIdleBytes;
    const grown = (pages: number): WebAssembly.Memory => {
      const memory = pool.acquire(1);
      memory.grow(pages - 1);
      new Uint8Array(memory.buffer).fill(9, 0, 64);
      return memory;
    };
    // Released largest first: each smaller one pushes a larger one out.
    for (let pages = 32; pages >= 1; pages--) {
      pool.release(grown(pages));
      assert.ok(pool.stats.idleBytes <= budget, `${pool.stats.idleBytes} idle bytes after ${pages} pages`);
    }
    // Released smallest first: once full, each larger one is dropped itself.
    for (let pages = 1; pages <= 32; pages++) pool.release(grown(pages));
    assert.ok(pool.stats.idleBytes <= budget, `${pool.stats.idleBytes} idle bytes`);
    assert.ok(pool.stats.idleBytes > 0);
    const created = pool.stats.created;
    const small = pool.acquire(2);
    assert.equal(pool.stats.created, created, "a small memory is still pooled");
    assert.ok(
      new Uint8Array(small.buffer).every((b) => b === 0),
      "a pooled memory comes back zeroed",
    );
    pool.acquire(32);
    assert.equal(pool.stats.created, created + 1, "the largest memory was dropped");
  });

  it("after transactions that grow memories of many sizes, idle memories are within the budget", () => {
    const vm = createVm();
    const state = fundedState([[account(1), 10n ** 24n]]);
    const executor = createChainExecutor(blockContext({}), { vm });
    const [deployed] = runBlock(executor, state, [
      {
        kind: "deploy",
        from: account(1),
        code: GROWER,
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 5_000_000,
        gasPrice: 0n,
      },
    ]).receipts;
    const address = deployed?.contractAddress;
    assert.ok(address !== undefined, `deploy: ${deployed?.status}`);
    const grow = (n: number): Transaction => ({
      kind: "call",
      from: account(1),
      to: address,
      method: "grow",
      args: new Uint8Array(new Uint32Array([n]).buffer),
      value: 0n,
      gasLimit: 20_000_000,
      gasPrice: 0n,
    });
    const sizes = Array.from({ length: 40 }, (_, i) => i + 1);
    const receipts = runBlock(executor, state, [...sizes, ...sizes].map(grow)).receipts;
    for (const r of receipts) assert.equal(r.status, "success");
    // Grew 1 + n pages each time: 80 memories, 1,720 pages (107 MiB) given back.
    const memories = vm.cache.memories;
    const created = memories.stats.created;
    memories.acquire(41);
    assert.equal(memories.stats.created, created + 1, "a 41-page memory that grew stayed idle");
    assert.ok(
      memories.stats.idleBytes <= memories.maxIdleBytes,
      `${memories.stats.idleBytes} idle bytes over the budget ${memories.maxIdleBytes}`,
    );
    assert.ok(memories.stats.dropped > 0);
    assert.ok(memories.maxIdleBytes <= 64 * PAGE * 2);
  });

  it("when a transaction ends, the instances it pinned go back to the idle bounds", () => {
    const vm = createVm();
    const state = fundedState([[account(1), 10n ** 24n]]);
    const executor = createChainExecutor(blockContext({}), { vm });
    const deploy = (code: Uint8Array): Address => {
      const [r] = runBlock(executor, state, [
        {
          kind: "deploy",
          from: account(1),
          code,
          args: new Uint8Array(0),
          value: 0n,
          gasLimit: 50_000_000,
          gasPrice: 0n,
        },
      ]).receipts;
      assert.ok(r?.contractAddress !== undefined, `deploy: ${r?.status}`);
      return r.contractAddress;
    };
    // Six distinct 64-page contracts (24 MiB), all called by one transaction: pinned while it runs.
    const callees = Array.from({ length: 6 }, (_, k) =>
      deploy(
        wat(`(module (memory (export "memory") 64) (global $g (mut i32) (i32.const ${k}))
        (func (export "noop") (global.set $g (i32.const 1))))`),
      ),
    );
    const caller = deploy(CALLER);
    const input = new Uint8Array(4 + 20 * callees.length);
    new DataView(input.buffer).setUint32(0, callees.length, true);
    for (const [j, a] of callees.entries()) input.set(Buffer.from(a.slice(2), "hex"), 4 + 20 * j);
    const [r] = runBlock(executor, state, [
      {
        kind: "call",
        from: account(1),
        to: caller,
        method: "run",
        args: input,
        value: 0n,
        gasLimit: 500_000_000,
        gasPrice: 0n,
      },
    ]).receipts;
    assert.equal(r?.status, "success");
    assert.ok(vm.instances.created >= 7);
    assert.ok(vm.instances.idleBytes <= 16 * 1024 * 1024, `${vm.instances.idleBytes} idle instance bytes`);
    const memories = vm.cache.memories;
    assert.ok(
      memories.stats.idleBytes <= memories.maxIdleBytes,
      `${memories.stats.idleBytes} idle memory bytes`,
    );
  });
});
