/**
 * Conformance: the official ethereum/tests GeneralStateTests vendored in
 * `test/vectors/ethereum-tests` (their Cancun post-states; source and licence beside them),
 * run through Weft's EVM integration (`test/helpers/stateTests.ts`): each case's
 * post-state root, computed from Weft's state keys, and logs hash must be the vector's.
 * Prints the pass rate and the failures grouped by reason; fails when fewer pass than
 * `MIN_PASSING` (the count seen when the suite was vendored: a regression guard).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { EvmRunner } from "../../../src/evm/evmRunner.js";
import { createEvmRealm } from "../../../src/evm/realm.js";
import { loadStateCases, runStateCase, STATE_TEST_FORK } from "../../helpers/stateTests.js";

const VECTORS = fileURLToPath(new URL("../../../../test/vectors/ethereum-tests", import.meta.url));
const MIN_PASSING = 813;

describe("ethereum/tests GeneralStateTests (Cancun) through Weft's EVM", () => {
  it("post-state roots and logs match the vectors", async () => {
    const cases = loadStateCases(VECTORS);
    // Ethereum's rules: no step limit, the fee for gas used only (`src/evm/weftGas.ts`).
    const runner = new EvmRunner(createEvmRealm(), STATE_TEST_FORK, { weftPricing: false });
    const reasons = new Map<string, string[]>();
    let passed = 0;
    for (const c of cases) {
      let outcome: Awaited<ReturnType<typeof runStateCase>>;
      try {
        outcome = await runStateCase(runner, c);
      } catch (error) {
        outcome = {
          pass: false,
          reason: `threw: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        };
      }
      if (outcome.pass) passed++;
      else reasons.set(outcome.reason, [...(reasons.get(outcome.reason) ?? []), c.name]);
    }
    console.log(
      `GeneralStateTests: ${passed} of ${cases.length} cases pass (${((100 * passed) / cases.length).toFixed(1)}%)`,
    );
    for (const [reason, names] of [...reasons].sort((a, b) => b[1].length - a[1].length))
      console.log(
        `  ${names.length} × ${reason}: ${names.slice(0, 4).join(", ")}${names.length > 4 ? ", …" : ""}`,
      );
    assert.ok(cases.length > 800, `${cases.length} cases loaded`);
    assert.ok(passed >= MIN_PASSING, `${passed} pass, at least ${MIN_PASSING} did`);
  });
});
