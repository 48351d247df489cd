/**
 * The node's JSON-RPC API: the method table and the subscription topics
 * (docs/rpc.md lists every method with an example).
 *
 * Topics: `newHeads` (each block's header), `logs` (each log matching a filter
 * `{ address?, topics? }`), `pendingTransactions` (the hash of each admitted transaction).
 */
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError, type RpcHandler, type TopicSpec } from "../rpc/index.js";
import type { LogJson } from "../store/records.js";
import { storeErrorIn } from "../store/storeError.js";
import { chainMethods, logMatches, type NetworkStatus, parseLogFilter } from "./chainMethods.js";
import { contractMethods } from "./contractMethods.js";
import { devMethods } from "./devMethods.js";
import { ethMethods } from "./ethMethods.js";
import { stateMethods } from "./stateMethods.js";
import { txMethods } from "./txMethods.js";
import { validatorMethods } from "./validatorMethods.js";

/** A failure of the chain database (`StoreError`), answered by every method with its code, path and advice. */
export const STORE_FAILURE = -32070;

/** `handler`, answering a failure of the chain database as `STORE_FAILURE` rather than an internal error. */
function storeFailures(handler: RpcHandler): RpcHandler {
  const answer = (error: unknown): never => {
    const failure = storeErrorIn(error);
    if (failure === undefined) throw error;
    throw new RpcError(STORE_FAILURE, failure.message, {
      code: failure.code,
      path: failure.path,
      advice: failure.advice,
    });
  };
  return (params, ctx) => {
    try {
      const out = handler(params, ctx);
      return out instanceof Promise ? out.catch(answer) : out;
    } catch (error) {
      return answer(error);
    }
  };
}

/** Every method; `network` tells `weft_status` the peers and sync state (none for a node of one). */
export function nodeMethods(node: ChainNode, network?: () => NetworkStatus): Record<string, RpcHandler> {
  const methods: Record<string, RpcHandler> = {
    ...chainMethods(node, network),
    ...stateMethods(node),
    ...txMethods(node),
    ...contractMethods(node),
    ...devMethods(node),
    ...validatorMethods(node),
    ...ethMethods(node),
  };
  return Object.fromEntries(Object.entries(methods).map(([name, h]) => [name, storeFailures(h)]));
}

export const NODE_TOPICS: Record<string, TopicSpec> = {
  newHeads: {},
  pendingTransactions: {},
  logs: {
    validateFilter: (filter) => {
      const f = (filter ?? {}) as Record<string, unknown>;
      if (typeof f === "object" && (f.fromBlock !== undefined || f.toBlock !== undefined))
        throw invalidParams(
          "logs subscriptions take { address?, topics? }: they follow new blocks, so fromBlock/toBlock do not apply (use weft_getLogs for past blocks)",
        );
      const { address, topics } = parseLogFilter(filter ?? {}, 0);
      return { address, topics };
    },
    matches: (filter, payload) => logMatches(filter as Parameters<typeof logMatches>[0], payload as LogJson),
  },
};
