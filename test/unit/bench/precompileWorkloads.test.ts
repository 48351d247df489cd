/**
 * The EVM benchmark's precompile loops (`bench/evm/weftGasWorkloads.ts` `PRECOMPILE_LOOPS`,
 * the "precompile" rows of `bench/evmGasWeight.ts`): every input is one its precompile
 * accepts (a failed call reverts the loop, so a row would time an early failure, not the
 * work), and every precompile priced by `EVM_PRECOMPILE_GAS` has a row, as do ECRECOVER,
 * SHA-256, RIPEMD-160 and identity.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PRECOMPILE_LOOPS, precompileWorkloads } from "../../../bench/evm/weftGasWorkloads.js";
import { EvmRunner } from "../../../src/evm/evmRunner.js";
import { EVM_PRECOMPILE_GAS } from "../../../src/evm/weftGas.js";

describe("bench: precompile loops", () => {
  it("every priced precompile, and 0x01-0x04, has a row", () => {
    const covered = new Set(Object.values(PRECOMPILE_LOOPS).map(([address]) => address));
    const wanted = [...EVM_PRECOMPILE_GAS.keys()].map((hex) => Number.parseInt(hex, 16));
    for (const address of [1, 2, 3, 4, ...wanted])
      assert.ok(covered.has(address), `no loop calls precompile 0x${address.toString(16)}`);
  });

  it("every loop's calls succeed", () => {
    const runner = new EvmRunner(undefined, undefined, { weftPricing: false });
    const workloads = precompileWorkloads(runner, 1n, () => true, 2);
    assert.equal(workloads.length, Object.keys(PRECOMPILE_LOOPS).length);
    for (const w of workloads) {
      assert.match(w.name, / ×2$/);
      const out = w.run(false);
      assert.equal(out.ok, true, w.name);
      assert.ok(out.gas > 2n * 100n, `${w.name}: ${out.gas} EVM gas`);
    }
  });

  it("an input its precompile refuses makes the loop throw", () => {
    const runner = new EvmRunner(undefined, undefined, { weftPricing: false });
    const [address] = PRECOMPILE_LOOPS["precompile 0x0b bls g1 add"] as [number, string];
    PRECOMPILE_LOOPS["broken g1 add"] = [address, "00"];
    try {
      assert.throws(
        () => precompileWorkloads(runner, 1n, (name) => name === "broken g1 add", 2),
        /broken g1 add: the precompile call failed/,
      );
    } finally {
      delete PRECOMPILE_LOOPS["broken g1 add"];
    }
  });
});
