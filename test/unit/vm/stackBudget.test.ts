/**
 * The stack budget counts what a frame really holds: params, locals and the deepest the
 * operand stack gets. A V8 stack overflow inside a contract is a node fault (`VmFault`),
 * never a result.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { DeployError, VmFault } from "../../../src/vm/errors.js";
import { limits } from "../../../src/vm/index.js";
import { assertThreadStack, REQUIRED_STACK_UNITS, threadStackUnits } from "../../../src/vm/stackCheck.js";
import { validateModule } from "../../../src/vm/wasm/index.js";
import { maxStackHeight } from "../../../src/vm/wasm/stackHeight.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { deployShape, runTx } from "../../helpers/deepFrameBlock.js";
import { wat } from "../../helpers/wat.js";

/** The operand stack height of each function of a module written in WAT. */
function heights(funcs: string): number[] {
  const v = validateModule(
    wat(`(module (memory (export "memory") 1) (type $two (func (param i32 i32) (result i32))) ${funcs})`),
  );
  const { parsed } = v;
  return v.code.map((instrs, i) => {
    const type = parsed.types[parsed.functionTypes[parsed.importedFunctionCount + i] as number];
    return maxStackHeight(parsed.bytes, instrs, type?.results.length ?? 0, parsed);
  });
}

describe("stack budget", () => {
  it("counts the deepest the operand stack gets on any path", () => {
    assert.deepEqual(heights(`(func)`), [0]);
    assert.deepEqual(
      heights(`(func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3))))`),
      [3],
    );
    // Values held across a call count, and so do the call's arguments.
    assert.deepEqual(
      heights(`(func $f (param i32 i32) (result i32) (local.get 0))
               (func (result i64) (i64.const 1) (i64.const 2) (drop (call $f (i32.const 1) (i32.const 2))) (i64.add))`),
      [1, 4],
    );
    // Both arms of an if, a multi-value block, unreachable code after br.
    assert.deepEqual(
      heights(`(func (param i32) (result i32)
                 (if (result i32) (local.get 0)
                   (then (i32.const 1) (i32.const 2) (i32.const 3) (i32.add) (i32.add))
                   (else (i32.const 4))))
               (func (result i32) (i32.const 1) (i32.const 2) (block (type $two) (i32.add)))
               (func (block (br 0) (i32.const 1) (drop)))`),
      [3, 2, 1],
    );
  });

  it("refuses at deployment a function whose one frame exceeds MAX_FRAME_UNITS", () => {
    // V8 allocates the frame before the budget can be checked: such a frame is refused outright.
    const pushes = (n: number) => `${"(i64.const 1) ".repeat(n)}${"drop ".repeat(n)}`;
    const module = (n: number) =>
      wat(`(module (memory (export "memory") 1) (func (export "f") ${pushes(n)}))`);
    const fits = limits.MAX_FRAME_UNITS - limits.FRAME_OVERHEAD_UNITS - 2;
    assert.equal(validateModule(module(fits)).frameUnits[0], limits.MAX_FRAME_UNITS);
    assert.throws(
      () => validateModule(module(fits + 1)),
      (e: unknown) => e instanceof DeployError && e.code === "MODULE_LIMIT" && /stack units/.test(e.message),
    );
  });

  it("a frame that holds many values traps on the budget at a depth set by the budget alone", () => {
    const chain = new TestChain(2);
    const [wide] = deployShape(chain, { kind: "wide", size: 1000 }) as [`0x${string}`];
    const shallow = chain.runOne(runTx(account(1), [wide], 5));
    assert.equal(shallow.status, "success");
    const deep = chain.runOne(runTx(account(1), [wide], 200));
    assert.equal(deep.status, "revert", "1000 values a frame: 200 frames exceed the budget");
  });

  it("a V8 stack overflow inside a contract is thrown as VmFault, not returned as a result", () => {
    // The budget moved out of the way (benchmarks only): V8's own limit is reached first.
    const chain = new TestChain(2, {}, { stackStart: -1_000_000_000 });
    const [nested, ...rest] = deployShape(chain, { kind: "minimal", size: 0 }, 3);
    assert.throws(
      () => chain.runOne(runTx(account(1), [nested as `0x${string}`, ...rest], 10_000_000)),
      (e: unknown) => e instanceof VmFault && e.code === "STACK_OVERFLOW",
    );
  });

  it("the thread stack check passes on Node's default stack and refuses a smaller one", () => {
    assert.ok(threadStackUnits() >= REQUIRED_STACK_UNITS);
    assertThreadStack();
    const module = new URL("../../../src/vm/stackCheck.js", import.meta.url).href;
    const script = `import(${JSON.stringify(module)}).then((m) => { try { m.assertThreadStack(); console.log("ok"); } catch (e) { console.log(e.code); } })`;
    const run = (flags: string[]) =>
      execFileSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" }).trim();
    assert.equal(run([]), "ok");
    assert.equal(run(["--stack-size=300"]), "STACK_TOO_SMALL");
  });
});
