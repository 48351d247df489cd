/**
 * The node's WebAssembly tooling on its own: validation never fails with anything but a
 * typed DeployError (fuzzed with mutated real contracts), instrumented modules always
 * pass V8's validation, and metering does not change what a contract computes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { DeployError } from "../../../src/vm/errors.js";
import { instrumentContract, MEMORY_IMPORT_MODULE, validateContract } from "../../../src/vm/wasm/index.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { wat } from "../../helpers/wat.js";

describe("wasm validation and instrumentation", () => {
  it("never throws anything but DeployError on mutated contracts (fuzz)", () => {
    const code = loadArtifact("token").code;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(code.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.option(fc.nat(code.length), { nil: undefined }),
        (mutations, cut) => {
          const bytes = code.slice(0, cut ?? code.length);
          for (const [at, value] of mutations) if (at < bytes.length) bytes[at] = value;
          try {
            validateContract(bytes);
          } catch (error) {
            assert.ok(error instanceof DeployError, `threw ${String(error)}`);
            return;
          }
          // Accepted: the instrumented module must be valid too.
          assert.ok(
            WebAssembly.validate(instrumentContract(bytes).bytes),
            "instrumented module failed validation",
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("instruments multi-value blocks and functions, loops with params and nested branches", () => {
    const code = wat(`(module
      (memory (export "memory") 1)
      (func $pair (param i32) (result i32 i64) local.get 0 i64.const 7)
      (func $sum (param i32) (result i32) (local i32)
        (block $out
          (loop $top
            local.get 0 i32.eqz br_if $out
            local.get 1 local.get 0 i32.add local.set 1
            local.get 0 i32.const 1 i32.sub local.set 0
            br $top))
        local.get 1)
      (func $early (param i32) (result i32)
        local.get 0 if (result i32) i32.const 1 return else i32.const 2 end
        br 0)
      (func (export "run")
        i32.const 3 call $pair drop drop
        i32.const 100 call $sum i32.const 5050 i32.ne if unreachable end
        i32.const 1 call $early i32.const 1 i32.ne if unreachable end
        i32.const 0 call $early i32.const 2 i32.ne if unreachable end))`);
    const prepared = instrumentContract(code);
    const module = new WebAssembly.Module(prepared.bytes);
    const memory = new WebAssembly.Memory({ initial: prepared.initialPages, maximum: prepared.maxPages });
    const instance = new WebAssembly.Instance(module, { [MEMORY_IMPORT_MODULE]: { memory } });
    const exports = instance.exports as Record<string, unknown>;
    const gas = exports.__weft_gas as WebAssembly.Global;
    const stack = exports.__weft_stack as WebAssembly.Global;
    gas.value = 1_000_000;
    assert.deepEqual(prepared.methods, ["run"]);
    (exports.__weft_call as (method: number) => void)(0);
    assert.ok(
      (gas.value as number) < 1_000_000 - 100 * 10,
      `gas left ${gas.value}: the loop was charged per iteration`,
    );
    assert.equal(stack.value, 0, "every frame left the stack budget as it found it");
  });

  it("metering does not change results: metered and unmetered chains agree on outputs", () => {
    const run = (metering: boolean) => {
      const chain = new TestChain(5, {}, { metering });
      const t = chain.deploy("token", ["T", "T", 2, 10_000n, account(1)]);
      const p = chain.deploy("probe");
      return [
        t.send(account(1), "transfer", [account(2), 10n]).receipt.output,
        t.send(account(2), "transfer", [account(3), 11n]).receipt.output,
        p.send(account(1), "mulDiv", [10n ** 30n, 7n, 3n]).receipt.output,
        p.send(account(1), "recurse", [50]).receipt.output,
        t.send(account(1), "balanceOf", [account(1)]).receipt.output,
      ];
    };
    assert.deepEqual(run(true), run(false));
  });
});
