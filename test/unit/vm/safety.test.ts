/**
 * VM safety: every hostile contract fails deterministically, with the right status and
 * error, and leaves the host healthy (the next call on the same executor works).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeRevert } from "../../../src/codec/metadata.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { limits } from "../../../src/vm/index.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { wat } from "../../helpers/wat.js";

const alice = account(1);

function setup(): { chain: TestChain; probe: Contract } {
  const chain = new TestChain();
  return { chain, probe: chain.deploy("probe") };
}

/** The host still works: a plain write and read succeed. */
function assertHealthy(probe: Contract): void {
  assert.equal(probe.send(alice, "set", ["health", "ok"]).receipt.status, "success");
  assert.equal(probe.view("get", ["health"]), "ok");
}

describe("VM safety", () => {
  it("an infinite loop runs out of gas, using all of it", () => {
    const { probe } = setup();
    const out = probe.send(alice, "spin", [], { gasLimit: 300_000 });
    assert.equal(out.receipt.status, "outOfGas");
    assert.equal(out.receipt.gasUsed, 300_000);
    assert.equal(out.error?.name, "OutOfGas");
    assertHealthy(probe);
  });

  it("deep recursion traps on the stack budget, not V8's stack", () => {
    const { probe } = setup();
    assert.equal(probe.view("recurse", [200]), 200n);
    const out = probe.send(alice, "recurse", [10_000_000], { gasLimit: 500_000_000 });
    assert.equal(out.receipt.status, "revert");
    assert.deepEqual(out.error, { name: "Trap", args: { message: "stack exhausted" } });
    assert.ok(out.receipt.gasUsed < 500_000_000);
    assertHealthy(probe);
  });

  it("a memory bomb stops at the page limit and pays for every page", () => {
    const { probe } = setup();
    const grown = probe.send(alice, "growAll", [], { gasLimit: 20_000_000 });
    assert.equal(grown.receipt.status, "success");
    const pages = Number(grown.value);
    assert.ok(pages > 0 && pages < limits.MAX_MEMORY_PAGES, `grew ${pages} pages`);
    // Same bomb with too little gas for the pages: out of gas, deterministically.
    const poor = probe.send(alice, "growAll", [], { gasLimit: 60_000 });
    assert.equal(poor.receipt.status, "outOfGas");
    assertHealthy(probe);
  });

  it("a contract declaring its own memory maximum runs, and grows up to that maximum only", () => {
    const chain = new TestChain();
    const code = wat(`(module (memory (export "memory") 1 3)
      (func (export "grow")
        (if (i32.ne (memory.grow (i32.const 2)) (i32.const 1)) (then unreachable))
        (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (if (i32.ne (memory.size) (i32.const 3)) (then unreachable))))`);
    const deployed = chain.runOne({
      kind: "deploy",
      from: alice,
      code,
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 5_000_000,
      gasPrice: 1n,
    });
    assert.equal(deployed.status, "success");
    const to = deployed.contractAddress as `0x${string}`;
    const tx = { kind: "call" as const, from: alice, to, method: "grow", args: new Uint8Array(0), value: 0n };
    assert.equal(chain.runOne({ ...tx, gasLimit: 5_000_000, gasPrice: 1n }).status, "success");
  });

  it("huge return data reverts with ReturnDataTooLarge", () => {
    const { probe } = setup();
    assert.equal((probe.view("bigReturn", [1000]) as Uint8Array).length, 1000);
    const out = probe.send(alice, "bigReturn", [limits.MAX_RETURN_BYTES + 1], { gasLimit: 5_000_000 });
    assert.equal(out.receipt.status, "revert");
    assert.equal(out.error?.name, "ReturnDataTooLarge");
    assertHealthy(probe);
  });

  it("an AssemblyScript abort (index out of range) reverts with Panic", () => {
    const { probe } = setup();
    const out = probe.send(alice, "panic", [5]);
    assert.equal(out.receipt.status, "revert");
    assert.equal(out.error?.name, "Panic");
    assert.match(String(out.error?.args.message), /Index out of range/);
  });

  it("reentrancy into a contract mid-call is refused and the caller can react", () => {
    const { chain, probe } = setup();
    const other = chain.deploy("probe", [], account(2));
    // probe.reenter(other) → other.forward(probe, "get") → probe.get: refused.
    const out = probe.send(alice, "reenter", [other.address], { gasLimit: 5_000_000 });
    assert.equal(out.receipt.status, "success");
    assert.equal(out.value, 1n, "the inner call reports a revert");
    assert.notEqual(probe.view("get", ["reenter"]), "", "the outer frame continued and wrote");
  });

  it("calls with arguments that do not decode revert with InvalidArguments", () => {
    const { chain, probe } = setup();
    const tx = probe.tx(alice, "set", ["a", "b"]);
    if (tx.kind !== "call") throw new Error("unreachable");
    const receipt = chain.runOne({ ...tx, args: tx.args.subarray(0, 3) });
    assert.equal(receipt.status, "revert");
    assert.equal(decodeRevert(probe.meta, receipt.output).name, "InvalidArguments");
    const trailing = chain.runOne({ ...tx, args: new Uint8Array([...tx.args, 0]) });
    assert.equal(decodeRevert(probe.meta, trailing.output).name, "InvalidArguments");
  });

  it("calling a missing method or a non-contract reverts with a typed error", () => {
    const { chain, probe } = setup();
    const missing = chain.runOne({ ...probe.tx(alice, "get", ["k"]), method: "nope" } as never);
    assert.equal(decodeRevert(probe.meta, missing.output).name, "NoSuchMethod");
    const reserved = chain.runOne({ ...probe.tx(alice, "get", ["k"]), method: "__weft_start" } as never);
    assert.equal(decodeRevert(probe.meta, reserved.output).name, "NoSuchMethod");
    const nobody = chain.runOne({ ...probe.tx(alice, "get", ["k"]), to: account(99) } as never);
    assert.equal(decodeRevert(probe.meta, nobody.output).name, "NoSuchContract");
  });
});

describe("deployment validation", () => {
  const cases: Array<[string, string, string]> = [
    [
      "a float instruction",
      `(module (memory (export "memory") 1) (func (export "f") f32.const 1 drop))`,
      "FLOAT_NOT_ALLOWED",
    ],
    [
      "a float parameter",
      `(module (memory (export "memory") 1) (func $g (param f64)) (func (export "f")))`,
      "FLOAT_NOT_ALLOWED",
    ],
    [
      "an import outside the host ABI",
      `(module (import "env" "abort" (func)) (memory (export "memory") 1) (func (export "f")))`,
      "IMPORT_NOT_ALLOWED",
    ],
    [
      "a host import with the wrong signature",
      `(module (import "weft" "input_size" (func (result i64))) (memory (export "memory") 1) (func (export "f")))`,
      "IMPORT_NOT_ALLOWED",
    ],
    [
      "an imported memory",
      `(module (import "weft" "memory" (memory 1)) (func (export "f")))`,
      "IMPORT_NOT_ALLOWED",
    ],
    [
      "a memory above the limit",
      `(module (memory (export "memory") 65) (func (export "f")))`,
      "MEMORY_LIMIT",
    ],
    [
      "a memory maximum above the limit",
      `(module (memory (export "memory") 1 100) (func (export "f")))`,
      "MEMORY_LIMIT",
    ],
    [
      "a table above the limit",
      `(module (memory (export "memory") 1) (table 5000 funcref) (func (export "f")))`,
      "TABLE_LIMIT",
    ],
    ["no exported memory", `(module (memory 1) (func (export "f")))`, "MISSING_EXPORT"],
    [
      "a reserved export name",
      `(module (memory (export "memory") 1) (func (export "__x")))`,
      "RESERVED_EXPORT",
    ],
    [
      "a method with parameters",
      `(module (memory (export "memory") 1) (func (export "f") (param i32)))`,
      "BAD_EXPORT_SIGNATURE",
    ],
    [
      "bulk memory other than memory.copy and memory.fill",
      `(module (memory (export "memory") 1) (func (export "f") i32.const 0 i32.const 0 i32.const 1 memory.init 0) (data "x"))`,
      "FEATURE_NOT_ALLOWED",
    ],
  ];
  for (const [what, source, code] of cases) {
    it(`rejects ${what} with ${code}`, () => {
      const { chain, probe } = setup();
      const receipt = chain.runOne({
        kind: "deploy",
        from: alice,
        code: wat(source),
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 10_000_000,
        gasPrice: 1n,
      });
      assert.equal(receipt.status, "revert");
      const error = decodeRevert(probe.meta, receipt.output);
      assert.equal(error.name, "DeployRejected");
      assert.equal(error.args.code, code, JSON.stringify(error.args));
      assert.equal(receipt.contractAddress, undefined);
      assertHealthy(probe);
    });
  }

  it("rejects garbage and oversized code", () => {
    const { chain, probe } = setup();
    for (const [code, expected] of [
      [new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]), "MALFORMED_MODULE"],
      [new Uint8Array([1, 2, 3]), "MALFORMED_MODULE"],
      [new Uint8Array(limits.MAX_CODE_BYTES + 1), "CODE_TOO_LARGE"],
    ] as const) {
      const receipt = chain.runOne({
        kind: "deploy",
        from: alice,
        code,
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 200_000_000,
        gasPrice: 1n,
      });
      assert.equal(decodeRevert(probe.meta, receipt.output).args.code, expected);
    }
  });

  it("meters a hand-written loop per iteration and its memory.grow per page", () => {
    const { chain } = setup();
    const code = wat(`(module (memory (export "memory") 1)
      (func (export "loop") (loop br 0))
      (func (export "grow") i32.const 10 memory.grow drop))`);
    const deploy = chain.runOne({
      kind: "deploy",
      from: alice,
      code,
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 20_000_000,
      gasPrice: 1n,
    });
    assert.equal(deploy.status, "success");
    const to = deploy.contractAddress as `0x${string}`;
    const call = (method: string, gasLimit: number) =>
      chain.runOne({
        kind: "call",
        from: alice,
        to,
        method,
        args: new Uint8Array(0),
        value: 0n,
        gasLimit,
        gasPrice: 1n,
      });
    assert.equal(call("loop", 100_000).status, "outOfGas");
    const grow = call("grow", 2_000_000);
    assert.equal(grow.status, "success");
    assert.ok(grow.gasUsed > 10 * GAS.MEMORY_GROW_PAGE, `grow used ${grow.gasUsed}`);
    assert.equal(call("grow", 9 * GAS.MEMORY_GROW_PAGE).status, "outOfGas");
  });

  it("a call never sees memory a previous call wrote, even in grown pages", () => {
    const { chain } = setup();
    const deployWat = (source: string) => {
      const receipt = chain.runOne({
        kind: "deploy",
        from: alice,
        code: wat(source),
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 20_000_000,
        gasPrice: 1n,
      });
      assert.equal(receipt.status, "success");
      return receipt.contractAddress as `0x${string}`;
    };
    // One page; "write" dirties it, "grow" dirties a second page and returns the memory
    // to the pool as a two-page memory.
    const small = deployWat(`(module
      (import "weft" "set_return" (func $ret (param i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "static")
      (func (export "write") i32.const 60000 i32.const 42 i32.store8 i32.const 16 i32.const 88 i32.store8)
      (func (export "grow") i32.const 1 memory.grow drop i32.const 70000 i32.const 43 i32.store8)
      (func (export "read")
        i32.const 0 i32.const 60000 i32.load8_u i32.store8
        i32.const 1 i32.const 16 i32.load8_u i32.store8
        i32.const 0 i32.const 2 call $ret))`);
    // Two pages from the start: gets the grown memory back from the pool.
    const big = deployWat(`(module
      (import "weft" "set_return" (func $ret (param i32 i32)))
      (memory (export "memory") 2)
      (func (export "read") i32.const 0 i32.const 70000 i32.load8_u i32.store8 i32.const 0 i32.const 1 call $ret))`);
    const call = (to: `0x${string}`, method: string) =>
      chain.runOne({
        kind: "call",
        from: alice,
        to,
        method,
        args: new Uint8Array(0),
        value: 0n,
        gasLimit: 1_000_000,
        gasPrice: 1n,
      });
    for (let i = 0; i < 3; i++) {
      assert.equal(call(small, "write").status, "success");
      assert.deepEqual(call(small, "read").output, new Uint8Array([0, "s".charCodeAt(0)]));
      assert.equal(call(small, "grow").status, "success");
      assert.deepEqual(call(big, "read").output, new Uint8Array([0]));
    }
  });
});
