/**
 * The read-only call pool's settings (`readOnly/pool.ts`) from the node's configuration. A
 * validator's calls (eth_call, eth_estimateGas, eth_getLogs on the call workers), all clients
 * together, run at most `VALIDATOR_CALL_BUDGET_MS` a second unless `rpc.callBudgetMsTotal`
 * says otherwise: the workers share the machine with the validator's own thread, whose votes
 * must not wait behind a hostile client's calls. With the pool's default (1,000 ms a second
 * per worker) one client's flood of calls kept a validator of a 4-validator testnet from
 * voting in time: it missed 29 of 33 blocks in a minute, and was jailed and slashed 1% after
 * three such minutes.
 */
import type { NodeConfig } from "./nodeConfig.js";
import type { ReadOnlySettings } from "./readOnly/pool.js";

export const VALIDATOR_CALL_BUDGET_MS = 250;

export function readOnlySettings(config: Pick<NodeConfig, "rpc" | "validatorKey">): ReadOnlySettings {
  const total =
    config.rpc.callBudgetMsTotal ??
    (config.validatorKey !== undefined ? VALIDATOR_CALL_BUDGET_MS : undefined);
  return {
    workers: config.rpc.callWorkers,
    gasCap: config.rpc.callGasCap,
    budgetMsPerSecond: config.rpc.callBudgetMs,
    ...(total === undefined ? {} : { budgetMsTotal: total }),
    maxQueue: config.rpc.callQueue,
    maxQueuePerClient: config.rpc.callQueuePerClient,
    maxCallMs: config.rpc.callTimeoutMs,
  };
}
