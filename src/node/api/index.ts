/**
 * The node's JSON-RPC API: the method table and the subscription topics
 * (docs/rpc.md lists every method with an example).
 *
 * Topics: `newHeads` (each block's header), `logs` (each log matching a filter
 * `{ address?, topics? }`), `pendingTransactions` (the hash of each admitted transaction).
 */
import type { ChainNode } from "../chainNode.js";
import { invalidParams, type RpcHandler, type TopicSpec } from "../rpc/index.js";
import type { LogJson } from "../store/records.js";
import { chainMethods, logMatches, parseLogFilter } from "./chainMethods.js";
import { contractMethods } from "./contractMethods.js";
import { devMethods } from "./devMethods.js";
import { stateMethods } from "./stateMethods.js";
import { txMethods } from "./txMethods.js";

export function nodeMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    ...chainMethods(node),
    ...stateMethods(node),
    ...txMethods(node),
    ...contractMethods(node),
    ...devMethods(node),
  };
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
