/**
 * A validator's read-only calls share the machine with its votes: all clients together get
 * `VALIDATOR_CALL_BUDGET_MS` of the call workers a second unless the operator sets
 * `rpc.callBudgetMsTotal` (before: the pool's default, 1,000 ms a second per worker, and one
 * client's flood of eth_estimateGas / eth_call / eth_getLogs got a testnet validator jailed).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultConfig } from "../../../src/node/nodeConfig.js";
import { readOnlySettings, VALIDATOR_CALL_BUDGET_MS } from "../../../src/node/readOnlySettings.js";

describe("read-only call settings", () => {
  it("a validator's calls get a quarter of a worker a second; a full node keeps the pool's default", () => {
    const config = defaultConfig("/tmp");
    assert.equal(readOnlySettings(config).budgetMsTotal, undefined);
    const validator = { ...config, validatorKey: "/tmp/validator.key" };
    assert.equal(readOnlySettings(validator).budgetMsTotal, VALIDATOR_CALL_BUDGET_MS);
    assert.ok(VALIDATOR_CALL_BUDGET_MS < 1_000);
    const set = { ...validator, rpc: { ...config.rpc, callBudgetMsTotal: 2_000 } };
    assert.equal(readOnlySettings(set).budgetMsTotal, 2_000);
    assert.equal(readOnlySettings(validator).workers, config.rpc.callWorkers);
    assert.equal(readOnlySettings(validator).maxCallMs, config.rpc.callTimeoutMs);
  });
});
