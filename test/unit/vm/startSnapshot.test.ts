/**
 * Calls that start from the start function's snapshot (`src/vm/startSnapshot.ts`) are
 * indistinguishable from calls that run it: same outputs, same gas, same failures at
 * every gas and stack boundary; a start function that calls the host still runs on every
 * call; and no call sees what another left in memory or globals.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { type CallOutcome, coldCallGas } from "../../../src/vm/callContract.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import type { BlockEnv } from "../../../src/vm/hostContext.js";
import { createInstancePool } from "../../../src/vm/instancePool.js";
import { createMemoryPool } from "../../../src/vm/memoryPool.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { PROBE_GAS, PROBE_RUNS, PROBE_STACK_START, probeWork } from "../../../src/vm/startSnapshot.js";
import { TxState } from "../../../src/vm/txState.js";
import { createVm, type Vm } from "../../../src/vm/vm.js";
import { account } from "../../helpers/chain.js";
import { wat } from "../../helpers/wat.js";

// The start function sets both globals (the i64 with both halves non-zero), writes memory
// near and far from the data, recurses 20 deep (stack) and loops (gas). `read` returns
// g ‖ h ‖ mem[300] ‖ mem[200..202] ‖ mem[5000] ‖ the top 16 bytes (where the globals
// pass through) and then changes all of them; `dirty`
// changes them and traps.
const STARTS = wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 5))
  (global $h (mut i64) (i64.const -3))
  (global $k i32 (i32.const 9))
  (data (i32.const 200) "AB")
  (func $deep (param $n i32)
    local.get $n
    if local.get $n i32.const 1 i32.sub call $deep end)
  (func $start (local $i i32)
    global.get $k global.set $g
    i64.const 0x1122334455667788 global.set $h
    i32.const 300 i32.const 0xdeadbeef i32.store
    (loop $l local.get $i i32.const 1 i32.add local.tee $i i32.const 50 i32.lt_u br_if $l)
    i32.const 20 call $deep
    i32.const 5000 i32.const 1 i32.store8)
  (start $start)
  (func $spoil
    i32.const 1 global.set $g
    i64.const 1 global.set $h
    i32.const 300 i32.const 0 i32.store
    i32.const 200 i32.const 0 i32.store
    i32.const 5000 i32.const 9 i32.store8)
  (func (export "read")
    i32.const 100 global.get $g i32.store
    i32.const 104 global.get $h i64.store
    i32.const 112 i32.const 300 i32.load i32.store
    i32.const 116 i32.const 200 i32.load16_u i32.store
    i32.const 120 i32.const 5000 i32.load8_u i32.store
    i32.const 124 i32.const 65520 i64.load i64.store
    i32.const 132 i32.const 65528 i64.load i64.store
    call $spoil
    i32.const 100 i32.const 40 call $ret)
  (func (export "dirty") call $spoil unreachable))`);

// g = 9, h = 0x1122334455667788, mem[300] = 0xdeadbeef, "AB", mem[5000] = 1, zeros.
const READ = ["09000000", "8877665544332211", "efbeadde", "41420000", "01000000", "00".repeat(16)].join("");

const HOST_IN_START = wat(`(module
  (import "weft" "caller" (func $caller (param i32)))
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (func $start i32.const 0 call $caller)
  (start $start)
  (func (export "who") i32.const 0 i32.const 20 call $ret))`);

const GROWS_IN_START = wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $start i32.const 1 memory.grow global.set $g)
  (start $start)
  (func (export "read") i32.const 0 global.get $g i32.store i32.const 0 i32.const 4 call $ret))`);

const LOOPS_IN_START = wat(`(module
  (memory (export "memory") 1)
  (func $start (loop $l br $l))
  (start $start)
  (func (export "read")))`);

const TRAPS_IN_START = wat(`(module
  (memory (export "memory") 1)
  (func $start unreachable)
  (start $start)
  (func (export "read")))`);

// Writes where the dispatcher exchanges the globals with the VM (the top of the memory).
const WRITES_TOP_IN_START = wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $start i32.const 65532 i32.const 7 i32.store i32.const 3 global.set $g)
  (start $start)
  (func (export "read")
    i32.const 65528 global.get $g i32.store
    i32.const 65528 i32.const 8 call $ret))`);

// A start function that leaves only a global: the snapshot's memory is zeros but its slot.
const GLOBAL_ONLY_START = wat(`(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $start i32.const 3 global.set $g)
  (start $start)
  (func (export "read")))`);

/** A start function that loops `iterations` times (about 8 gas each), then recurses `depth` deep. */
const burnsThenRecurses = (iterations: number, depth: number, salt: number) =>
  wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (global $salt i32 (i32.const ${salt}))
  (global $g (mut i32) (i32.const 0))
  (func $deep (param $n i32)
    local.get $n
    if local.get $n i32.const 1 i32.sub call $deep end)
  (func $start (local $i i32)
    (loop $l local.get $i i32.const 1 i32.add local.tee $i i32.const ${iterations} i32.lt_u br_if $l)
    i32.const ${depth} call $deep
    i32.const 7 global.set $g)
  (start $start)
  (func (export "read") i32.const 0 global.get $g i32.store i32.const 0 i32.const 4 call $ret))`);

const UNBOUNDED_RECURSION_IN_START = wat(`(module
  (memory (export "memory") 1)
  (func $deep call $deep)
  (func $start call $deep)
  (start $start)
  (func (export "read")))`);

// Writes bytes at 7, in page 5 and 100 bytes below the top of 16 pages (far from the
// globals' slots); \`read\` returns the three bytes and the one between.
const WRITES_FAR_APART = wat(`(module
  (import "weft" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 16)
  (global $g (mut i32) (i32.const 0))
  (func $start
    i32.const 7 i32.const 1 i32.store8
    i32.const ${5 * 65536 + 3} i32.const 3 i32.store8
    i32.const ${16 * 65536 - 100} i32.const 2 i32.store8
    i32.const 1 global.set $g)
  (start $start)
  (func (export "read")
    i32.const 0 i32.const 7 i32.load8_u i32.store8
    i32.const 1 i32.const ${5 * 65536 + 3} i32.load8_u i32.store8
    i32.const 2 i32.const 8 i32.load8_u i32.store8
    i32.const 3 i32.const ${16 * 65536 - 100} i32.load8_u i32.store8
    i32.const 0 i32.const 4 call $ret))`);

const ENV: BlockEnv = { height: 1n, time: 1_700_000_000n, chainId: 1337n };

/** A VM with `code` deployed, and a way to call it on a fresh transaction state. */
function deployed(code: Uint8Array, options: { snapshots: boolean; stackStart?: number }) {
  const vm: Vm = createVm({ startSnapshots: options.snapshots, stackStart: options.stackStart ?? 0 });
  const pre = new TxState({ read: () => undefined });
  const salt = new Uint8Array(32);
  const outcome = vm.deploy(pre, ENV, {
    deployer: account(1),
    code,
    args: new Uint8Array(0),
    salt,
    value: 0n,
    gasLimit: 10_000_000,
  });
  assert.equal(outcome.status, "success");
  const address = outcome.address as Address;
  return (method: string, gasLimit = 5_000_000, caller = account(1)): CallOutcome => {
    const state = new TxState({ read: (key) => pre.writes.get(key) ?? undefined });
    return vm.call(state, ENV, {
      caller,
      target: address,
      method,
      input: new Uint8Array(0),
      value: 0n,
      gasLimit,
    });
  };
}

const shown = (o: CallOutcome) => `${o.status} gas ${o.gasUsed} ${toHex(o.data)}`;

describe("start function snapshot", () => {
  it("is taken for a start function that only computes, with its gas and stack bound", () => {
    const cached = compileContract(STARTS);
    const snapshot = cached.snapshot;
    assert.ok(snapshot !== undefined);
    assert.ok(snapshot.gas > 50, `start gas ${snapshot.gas}: the loop is charged`);
    assert.equal(snapshot.maxStackStart, PROBE_STACK_START);
    for (const code of [HOST_IN_START, GROWS_IN_START, LOOPS_IN_START, TRAPS_IN_START, WRITES_TOP_IN_START])
      assert.equal(compileContract(code).snapshot, undefined);
    assert.equal(compileContract(STARTS, true, false).snapshot, undefined);
  });

  it("calls see the state the start function leaves, never what another call left", () => {
    const call = deployed(STARTS, { snapshots: true });
    for (const method of ["read", "dirty", "read", "read", "dirty", "dirty", "read"]) {
      const outcome = call(method);
      if (method === "dirty") assert.equal(outcome.status, "revert");
      else assert.equal(toHex(outcome.data), READ, `${method}: ${shown(outcome)}`);
    }
  });

  it("gives the same outcome and gas as running the start function, at every gas limit around it", () => {
    const snap = deployed(STARTS, { snapshots: true });
    const fresh = deployed(STARTS, { snapshots: false });
    const cached = compileContract(STARTS);
    const startGas = cached.snapshot?.gas ?? 0;
    const full = fresh("read").gasUsed;
    // What a frame pays on entry: its memory, and the cold price (each call is a transaction).
    const entry = GAS.MEMORY_PAGE * cached.initialPages + coldCallGas(cached);
    const limits = [0, 1, entry - 1, entry, entry + 1];
    for (let d = -3; d <= 3; d++) limits.push(entry + startGas + d, full + d);
    for (const limit of limits) {
      for (const method of ["read", "dirty"])
        assert.equal(shown(snap(method, limit)), shown(fresh(method, limit)), `${method} with gas ${limit}`);
    }
    assert.equal(snap("read").status, "success");
  });

  it("gives the same outcome and gas as running the start function, at every stack start around its bound", () => {
    const bound = compileContract(STARTS).snapshot?.maxStackStart ?? 0;
    for (const stackStart of [bound - 1, bound, bound + 1, bound + 2, 23_800, 23_900, 23_990, 24_000]) {
      const snap = deployed(STARTS, { snapshots: true, stackStart });
      const fresh = deployed(STARTS, { snapshots: false, stackStart });
      assert.equal(shown(snap("read")), shown(fresh("read")), `stack start ${stackStart}`);
    }
    assert.equal(deployed(STARTS, { snapshots: true, stackStart: bound })("read").status, "success");
    assert.match(
      Buffer.from(deployed(STARTS, { snapshots: true, stackStart: 24_000 })("read").data).toString(),
      /stack exhausted/,
    );
  });

  it("pooled memories hold exactly the data or the snapshot, whichever the call asks for", () => {
    for (const code of [STARTS, GLOBAL_ONLY_START]) {
      const cached = compileContract(code);
      const snapshot = cached.snapshot;
      assert.ok(snapshot !== undefined);
      const image = (segments: readonly { offset: number; bytes: Uint8Array }[]) => {
        const out = new Uint8Array(cached.initialPages * 65536);
        for (const s of segments) out.set(s.bytes, s.offset);
        return out;
      };
      const host = Object.fromEntries(
        WebAssembly.Module.imports(cached.module)
          .filter((i) => i.module === "weft")
          .map((i) => [i.name, () => 0]),
      );
      const pool = createInstancePool(createMemoryPool(), host);
      for (const fromSnapshot of [true, false, false, true, true, false, true]) {
        const warm = pool.acquire(cached, fromSnapshot);
        const expected = image(fromSnapshot ? snapshot.memory : cached.data);
        assert.equal(Buffer.compare(warm.views.bytes(), expected), 0, `fromSnapshot ${fromSnapshot}`);
        warm.views.bytes().fill(0xab); // a call that wrote everywhere
        pool.release(cached, warm);
      }
      assert.ok(pool.stats.reused >= 6);
    }
  });

  it("runs a start function that calls the host on every call", () => {
    const call = deployed(HOST_IN_START, { snapshots: true });
    assert.equal(toHex(call("who", 1_000_000, account(7)).data), account(7).slice(2));
    assert.equal(toHex(call("who", 1_000_000, account(8)).data), account(8).slice(2));
  });

  it("leaves start functions it cannot snapshot as they were: growing, looping, trapping, writing the top", () => {
    for (const code of [GROWS_IN_START, LOOPS_IN_START, TRAPS_IN_START, WRITES_TOP_IN_START]) {
      const snap = deployed(code, { snapshots: true });
      const fresh = deployed(code, { snapshots: false });
      const entry = coldCallGas(compileContract(code)) + GAS.MEMORY_PAGE;
      for (const gas of [entry + 100_000, entry + PROBE_GAS + 100_000])
        assert.equal(shown(snap("read", gas)), shown(fresh("read", gas)));
    }
    assert.match(shown(deployed(WRITES_TOP_IN_START, { snapshots: true })("read")), / 0300000007000000$/);
  });

  it("probes a start function with bounded work, however much gas and stack it uses", () => {
    const probed = (code: Uint8Array, expectedRuns: number) => {
      const before = { ...probeWork };
      const snapshot = compileContract(code).snapshot;
      const runs = probeWork.runs - before.runs;
      const gas = probeWork.gas - before.gas;
      assert.ok(runs <= PROBE_RUNS, `${runs} probe runs`);
      assert.equal(runs, expectedRuns, "probe runs");
      assert.ok(gas <= runs * PROBE_GAS, `${gas} probe gas`);
      return snapshot;
    };
    // Burns ~8M gas then recurses: used to cost ~16 runs and ~130M gas of probing per compile.
    // Out of gas, a trap or a host call ends the probe at once: from lower on the stack
    // the start function would do the same (on be831e4 each took a second run).
    assert.equal(probed(burnsThenRecurses(1_000_000, 100, 1), 1), undefined);
    assert.equal(probed(burnsThenRecurses(40_000, 100, 2), 1), undefined);
    assert.equal(probed(LOOPS_IN_START, 1), undefined);
    assert.equal(probed(TRAPS_IN_START, 1), undefined);
    assert.equal(probed(HOST_IN_START, 1), undefined);
    // Only the stack budget, which depends on where the run began, earns a second run.
    assert.equal(probed(UNBOUNDED_RECURSION_IN_START, 2), undefined);
    // Within the gas bound, too deep for nested calls: only calls at the bottom of the stack start from it.
    const deep = burnsThenRecurses(5_000, 300, 3);
    assert.equal(probed(deep, 2)?.maxStackStart, 0);
    assert.equal(probed(burnsThenRecurses(5_000, 20, 4), 1)?.maxStackStart, PROBE_STACK_START);
    for (const stackStart of [0, 1, 300]) {
      const snap = deployed(deep, { snapshots: true, stackStart });
      const fresh = deployed(deep, { snapshots: false, stackStart });
      assert.equal(shown(snap("read")), shown(fresh("read")), `stack start ${stackStart}`);
      assert.equal(snap("read").status, "success");
    }
  });

  it("snapshots a start function that writes far apart in a large memory, and calls see exactly it", () => {
    const cached = compileContract(WRITES_FAR_APART);
    const snapshot = cached.snapshot;
    assert.ok(snapshot !== undefined);
    const [image] = snapshot.memory;
    assert.equal(image?.offset, 7);
    assert.equal(image?.bytes.length, 16 * 65536 - 100 - 7 + 1);
    assert.equal(image?.bytes[0], 1);
    assert.equal(image?.bytes.at(-1), 2);
    assert.equal(
      image?.bytes.subarray(1, -1).some((b) => b !== 0),
      true,
      "the page-5 byte is kept",
    );
    const snap = deployed(WRITES_FAR_APART, { snapshots: true });
    const fresh = deployed(WRITES_FAR_APART, { snapshots: false });
    assert.equal(shown(snap("read")), shown(fresh("read")));
    assert.equal(toHex(snap("read").data), "01030002");
  });
});
