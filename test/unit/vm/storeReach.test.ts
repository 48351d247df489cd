/**
 * The pool resets only the part of a memory a call may have written (`src/vm/wasm/storeReach.ts`,
 * `instancePool.ts`): whatever way a call writes (a store at any address or static offset,
 * `memory.fill`, `memory.copy`, a host function, in a nested function left by `return` or by a
 * branch to its end) and however it ends (returned, trapped, reverted), the next call sees
 * zeros everywhere but the static data, or exactly the start function's snapshot when it
 * starts from it (written back only from the lowest byte the call wrote).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { createInstancePool } from "../../../src/vm/instancePool.js";
import { createMemoryPool } from "../../../src/vm/memoryPool.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { deployOnFreshVm, type FreshVmContract } from "../../helpers/deployWat.js";
import { wat } from "../../helpers/wat.js";

// What both scribblers share: their imports, a page of memory with the byte "D" at 16, a
// store left by a branch to a block's end ($deep) and one by `return` ($early), and how
// "scribble" writes in modes 2 to 5, 7 and 8 (at $at, the value $v).
const PROLOGUE = `  (import "weft" "input_copy" (func $input (param i32)))
  (import "weft" "revert" (func $revert (param i32 i32)))
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "D")
  (func $deep (param $at i32) (param $v i32)
    (block
      (i32.store (local.get $at) (local.get $v))
      (br 1)))
  (func $early (param $at i32) (param $v i32)
    (i64.store8 (local.get $at) (i64.extend_i32_u (local.get $v)))
    (return)
    (unreachable))`;
const WRITES_2_TO_5 = `    (if (i32.eq (local.get $mode) (i32.const 2)) (then (memory.fill (local.get $at) (local.get $v) (i32.const 100))))
    (if (i32.eq (local.get $mode) (i32.const 3)) (then (memory.copy (local.get $at) (i32.const 16) (i32.const 1))))
    (if (i32.eq (local.get $mode) (i32.const 4)) (then (call $input (local.get $at))))
    (if (i32.eq (local.get $mode) (i32.const 5))
      (then (i32.store (local.get $at) (local.get $v)) (unreachable)))`;
const WRITES_7_AND_8 = `    (if (i32.eq (local.get $mode) (i32.const 7)) (then (call $early (local.get $at) (local.get $v))))
    (if (i32.eq (local.get $mode) (i32.const 8))
      (then (call $deep (local.get $at) (local.get $v)) (call $revert (i32.const 0) (i32.const 0))))`;

// The input is [mode, address, value] as three little-endian u32, copied to 0 by "scribble".
// "check" returns how many bytes of the memory are not zero, the data byte at 16 aside.
const SCRIBBLER = wat(`(module
${PROLOGUE}
  (func $nested (param $at i32) (param $v i32)
    (call $deep (local.get $at) (local.get $v)))
  (func (export "scribble")
    (local $mode i32) (local $at i32) (local $v i32)
    (call $input (i32.const 0))
    (local.set $mode (i32.load (i32.const 0)))
    (local.set $at (i32.load (i32.const 4)))
    (local.set $v (i32.load (i32.const 8)))
    (if (i32.eq (local.get $mode) (i32.const 0)) (then (i32.store (local.get $at) (local.get $v))))
    (if (i32.eq (local.get $mode) (i32.const 1))
      (then (i64.store16 offset=60000 (local.get $at) (i64.extend_i32_u (local.get $v)))))
${WRITES_2_TO_5}
    (if (i32.eq (local.get $mode) (i32.const 6)) (then (call $nested (local.get $at) (local.get $v))))
${WRITES_7_AND_8}
    (i32.store (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (i32.const 0))
    (i32.store (i32.const 8) (i32.const 0)))
  (func (export "check")
    (local $i i32) (local $n i32)
    (loop $scan
      (if (i32.and (i32.ne (local.get $i) (i32.const 16)) (i32.ne (i32.load8_u (local.get $i)) (i32.const 0)))
        (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $scan (i32.lt_u (local.get $i) (i32.const 65536))))
    (i32.store (i32.const 0) (local.get $n))
    (call $ret (i32.const 0) (i32.const 4))))`);

// The start function writes the words [1024, 9216) (each its address times K): the snapshot.
// "scribble" takes [mode, address, value] at 60000 (above the snapshot) and writes as
// SCRIBBLER's does; "check" returns how many words of the memory differ from the snapshot.
const K = 0x9e3779b1;
const SNAPSHOT_SCRIBBLER = wat(`(module
${PROLOGUE}
  (func $start (local $i i32)
    (local.set $i (i32.const 1024))
    (loop $fill
      (i32.store (local.get $i) (i32.mul (local.get $i) (i32.const ${K | 0})))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 9216)))))
  (start $start)
  (func (export "scribble")
    (local $mode i32) (local $at i32) (local $v i32)
    (call $input (i32.const 60000))
    (local.set $mode (i32.load (i32.const 60000)))
    (local.set $at (i32.load (i32.const 60004)))
    (local.set $v (i32.load (i32.const 60008)))
    (i64.store (i32.const 60000) (i64.const 0))
    (i32.store (i32.const 60008) (i32.const 0))
    (if (i32.eq (local.get $mode) (i32.const 0)) (then (i32.store (local.get $at) (local.get $v))))
${WRITES_2_TO_5}
    (if (i32.eq (local.get $mode) (i32.const 6)) (then (call $deep (local.get $at) (local.get $v))))
${WRITES_7_AND_8})
  (func (export "check")
    (local $a i32) (local $want i32) (local $n i32)
    (loop $scan
      (local.set $want (i32.const 0))
      (if (i32.eq (local.get $a) (i32.const 16)) (then (local.set $want (i32.const 0x44))))
      (if (i32.and (i32.ge_u (local.get $a) (i32.const 1024)) (i32.lt_u (local.get $a) (i32.const 9216)))
        (then (local.set $want (i32.mul (local.get $a) (i32.const ${K | 0})))))
      (if (i32.ne (i32.load (local.get $a)) (local.get $want))
        (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br_if $scan (i32.lt_u (local.get $a) (i32.const 65536))))
    (i32.store (i32.const 60000) (local.get $n))
    (call $ret (i32.const 60000) (i32.const 4))))`);

function args(mode: number, at: number, value: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, mode, true);
  view.setUint32(4, at, true);
  view.setUint32(8, value, true);
  return out;
}

type ScribbleCase = [mode: number, at: number, status: string];

/** Every mode (but 1's static offset) at each of `ats`, and the status its scribble ends with. */
function scribbleCases(ats: number[]): ScribbleCase[] {
  const cases: ScribbleCase[] = [];
  for (const at of ats)
    for (const mode of [0, 2, 3, 4, 5, 6, 7, 8]) {
      const width = [4, 0, 100, 1, 12, 4, 4, 1, 4][mode] as number;
      const fits = at + width <= 65_536;
      cases.push([mode, at, !fits || mode === 5 || mode === 8 ? "revert" : "success"]);
    }
  return cases;
}

/** Runs each case's scribble then a check in one block: every check must find the memory reset. */
function assertEachReset(contract: FreshVmContract, cases: ScribbleCase[]): void {
  const { vm, run, call } = contract;
  const txs = cases.flatMap(([mode, at]) => [
    call("scribble", args(mode, at, 0xa5a5a5a5)),
    call("check", new Uint8Array(0)),
  ]);
  const receipts = run(txs);
  cases.forEach(([mode, at, status], i) => {
    const scribble = receipts[2 * i] as Receipt;
    const check = receipts[2 * i + 1] as Receipt;
    const what = `mode ${mode} at ${at}`;
    assert.equal(scribble.status, status, what);
    assert.equal(check.status, "success", what);
    assert.deepEqual([...check.output], [0, 0, 0, 0], `${what}: the next call saw what it wrote`);
  });
  assert.ok(vm.instances.reused >= txs.length - 2, `instances reused ${vm.instances.reused} times`);
}

describe("memory reset up to the store reach", () => {
  it("the next call sees zeros wherever and however the last one wrote, whatever way it ended", () => {
    const contract = deployOnFreshVm(SCRIBBLER, 50_000_000);
    const cases = scribbleCases([20, 4096, 30_001, 65_000, 65_532]);
    for (const at of [0, 17, 5_000, 5_534]) cases.push([1, at, "success"]);
    assertEachReset(contract, cases);
  });

  it("after a call from the snapshot the next sees exactly the snapshot, wherever and however the last one wrote", () => {
    const contract = deployOnFreshVm(SNAPSHOT_SCRIBBLER, 50_000_000);
    assert.ok(
      compileContract(SNAPSHOT_SCRIBBLER).snapshot !== undefined,
      "its calls start from the snapshot",
    );
    // Below, at the start of, inside, across the end of and above the snapshot.
    assertEachReset(contract, scribbleCases([0, 20, 1020, 1024, 5000, 9212, 9216, 30_001, 65_532]));
  });

  it("writes the snapshot back from the lowest byte a call wrote, and whole after one that did not return", () => {
    const cached = compileContract(SNAPSHOT_SCRIBBLER);
    const image = cached.snapshot?.memory[0];
    assert.ok(
      image !== undefined && image.offset === 16,
      "the snapshot holds the data and what the start function wrote",
    );
    const host = Object.fromEntries(
      WebAssembly.Module.imports(cached.module)
        .filter((i) => i.module === "weft")
        .map((i) => [i.name, () => 0]),
    );
    const pool = createInstancePool(createMemoryPool(), host);
    const warm = pool.acquire(cached, true);
    const bytes = warm.views.bytes();
    // Bytes of the snapshot no store or host write reported: a returned call's reset
    // leaves them (nothing but this test could have changed them).
    bytes[1024] = 1;
    bytes[9000] = 1;
    pool.release(cached, warm, true);
    assert.equal(pool.acquire(cached, true), warm, "the same instance comes back");
    assert.deepEqual([bytes[1024], bytes[9000]], [1, 1], "only the reported part was written back");
    pool.release(cached, warm, false);
    assert.equal(pool.acquire(cached, true), warm);
    assert.deepEqual(
      [bytes[1024], bytes[9000]],
      [image.bytes[1024 - 16], image.bytes[9000 - 16]],
      "written back whole",
    );
    pool.release(cached, warm, true);
  });

  it("resets below the reach after a call that returned, and the whole memory after one that did not", () => {
    const cached = compileContract(SCRIBBLER);
    assert.equal(cached.storeReach, 60_002, "i64.store16 offset=60000 is the farthest static reach");
    const host = Object.fromEntries(
      WebAssembly.Module.imports(cached.module)
        .filter((i) => i.module === "weft")
        .map((i) => [i.name, () => 0]),
    );
    const pool = createInstancePool(createMemoryPool(), host);
    const warm = pool.acquire(cached);
    const bytes = warm.views.bytes();
    // A byte no store, host write or copy reported: past the reach, so a returned call's
    // reset leaves it (nothing but this test could have put it there).
    bytes[65_000] = 1;
    pool.release(cached, warm, true);
    assert.equal(pool.acquire(cached), warm, "the same instance comes back");
    assert.equal(bytes[65_000], 1, "only the reported part was reset");
    pool.release(cached, warm, false);
    assert.equal(pool.acquire(cached), warm);
    assert.equal(bytes[65_000], 0, "a call that did not return gets the whole memory reset");
  });
});
