/**
 * Reused instances (`src/vm/instancePool.ts`) behave exactly as fresh ones: a call never
 * sees the globals, memory or static data another call left behind, whether that call
 * succeeded, trapped, or grew its memory.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import { toHex } from "../../../src/codec/bytes.js";
import { createInstancePool } from "../../../src/vm/instancePool.js";
import { createMemoryPool } from "../../../src/vm/memoryPool.js";
import { type CachedModule, compileContract } from "../../../src/vm/moduleCache.js";
import { deployOnFreshVm } from "../../helpers/deployWat.js";
import { wat } from "../../helpers/wat.js";

// bump: g += 1, h *= 10, mem[100] += 1, byte 120 (data "A") += 1; returns
// mem[100..121] = counter ‖ g + k ‖ h ‖ 0 ‖ byte. dirty: changes all of that, then traps.
// grow: grows the memory by a page and writes into the new page, returns bump's answer, then changes g.
const PROBE = wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 5))
  (global $h (mut i64) (i64.const -3))
  (global $k i32 (i32.const 9))
  (data (i32.const 120) "A")
  (func $bump
    global.get $g i32.const 1 i32.add global.set $g
    global.get $h i64.const 10 i64.mul global.set $h
    i32.const 100 i32.const 100 i32.load i32.const 1 i32.add i32.store
    i32.const 104 global.get $g global.get $k i32.add i32.store
    i32.const 108 global.get $h i64.store
    i32.const 120 i32.const 120 i32.load8_u i32.const 1 i32.add i32.store8
    i32.const 100 i32.const 21 call $ret)
  (func (export "bump") call $bump)
  (func (export "dirty")
    i32.const 1000 global.set $g
    i64.const 1000 global.set $h
    i32.const 100 i32.const 77 i32.store
    i32.const 120 i32.const 0 i32.store8
    i32.const 300 i32.const 99 i32.store
    unreachable)
  (func (export "grow")
    i32.const 1 memory.grow drop
    i32.const 65540 i32.const 7 i32.store
    call $bump
    i32.const 42 global.set $g))`);

// counter 1, g 6 (+ k 9 = 15), h -30, four untouched zero bytes, byte "B".
const EXPECTED = "01000000" + "0f000000" + "e2ffffffffffffff" + "00000000" + "42";

describe("instance reuse", () => {
  it("every call starts from a fresh instance's state, after success, traps and growth", () => {
    const { vm, run, call } = deployOnFreshVm(PROBE, 1_000_000);
    const methods = ["bump", "bump", "dirty", "bump", "grow", "bump", "dirty", "dirty", "bump", "bump"];
    const receipts = run(methods.map((method) => call(method)));
    methods.forEach((method, i) => {
      const r = receipts[i] as Receipt;
      if (method === "dirty") {
        assert.equal(r.status, "revert", `call ${i}`);
        return;
      }
      assert.equal(r.status, "success", `call ${i} (${method})`);
      assert.equal(toHex(r.output), EXPECTED, `call ${i} (${method}) saw another call's state`);
    });
    // The same gas for the same work: reuse changes nothing a receipt shows.
    const bumps = receipts.filter((_, i) => methods[i] === "bump").map((r) => r.gasUsed);
    assert.equal(new Set(bumps).size, 1, `bump gas ${bumps.join(", ")}`);
    assert.ok(vm.instances.reused >= 6, `instances reused ${vm.instances.reused} times`);
  });
});

describe("instance pool bounds", () => {
  const stubs = (cached: CachedModule) =>
    Object.fromEntries(
      WebAssembly.Module.imports(cached.module)
        .filter((i) => i.module === "weft")
        .map((i) => [i.name, () => 0]),
    );

  it("keeps at most maxIdleBytes of idle instances, giving up the least recently used module's first", () => {
    const a = compileContract(loadArtifact("probe").code);
    const b = compileContract(loadArtifact("token").code);
    const pageBytes = 65536;
    const budget = (a.initialPages + b.initialPages) * pageBytes;
    const pool = createInstancePool(createMemoryPool(), { ...stubs(a), ...stubs(b) }, budget);
    const a1 = pool.acquire(a);
    const a2 = pool.acquire(a);
    pool.release(a, a1);
    pool.release(a, a2); // only one of a's fits beside b's later, but both fit now if b is small
    assert.ok(pool.stats.idleBytes <= budget);
    const b1 = pool.acquire(b);
    pool.release(b, b1); // room is made by giving up a's idle instances first
    assert.ok(pool.stats.idleBytes <= budget, `idle ${pool.stats.idleBytes} > ${budget}`);
    const before = pool.stats.reused;
    pool.release(b, pool.acquire(b));
    assert.equal(pool.stats.reused, before + 1, "the most recent module's instance was kept");
    // A budget smaller than one instance keeps nothing, and every call still gets a working instance.
    const tiny = createInstancePool(createMemoryPool(), stubs(a), 1);
    tiny.release(a, tiny.acquire(a));
    assert.equal(tiny.stats.idleBytes, 0);
    tiny.release(a, tiny.acquire(a));
    assert.equal(tiny.stats.reused, 0);
    assert.equal(tiny.stats.created, 2);
  });
});

describe("memory views kept per instance", () => {
  // Host functions read through views made once per instance (`MemoryViews`): after the
  // contract grows its memory (grow(0) included, which also replaces the buffer) they
  // must see the new memory, in the same frame and in the next call.
  const GROWER = wat(`(module
    (import "weft" "set_return" (func $ret (param i32 i32)))
    (import "weft" "keccak256" (func $keccak (param i32 i32 i32)))
    (memory (export "memory") 1)
    (func (export "grow")
      i32.const 1 memory.grow drop
      i32.const 65536 i32.const 0x01020304 i32.store
      i32.const 0 memory.grow drop
      i32.const 65532 i32.const 8 i32.const 65600 call $keccak
      i32.const 65532 i32.const 8 call $ret)
    (func (export "zero")
      i32.const 0 memory.grow drop
      i32.const 65532 i32.const 4 call $ret))`);

  it("host functions see the memory after memory.grow, in the frame and after", () => {
    const { run, call } = deployOnFreshVm(GROWER, 1_000_000);
    const receipts = run(["zero", "grow", "zero", "grow", "zero"].map((method) => call(method)));
    const outputs = receipts.map((r) => `${r.status} ${toHex(r.output)}`);
    assert.deepEqual(outputs, [
      "success 00000000",
      "success 0000000004030201",
      "success 00000000",
      "success 0000000004030201",
      "success 00000000",
    ]);
  });
});
