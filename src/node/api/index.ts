/**
 * The node's JSON-RPC API: the method table and the subscription topics
 * (docs/rpc.md lists every method with an example).
 *
 * Topics: `newHeads` (each block's header), `logs` (each log matching a filter
 * `{ address?, topics? }`), `pendingTransactions` (the hash of each admitted transaction).
 */
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError, type RpcHandler, type TopicSpec } from "../rpc/index.js";
import type { RpcServer } from "../rpc/server.js";
import type { LogJson, ReceiptJson, StoredBlock } from "../store/records.js";
import { storeErrorIn } from "../store/storeError.js";
import { chainMethods, logMatches, type NetworkStatus, NO_NETWORK, parseLogFilter } from "./chainMethods.js";
import { contractMethods } from "./contractMethods.js";
import { devAliases } from "./devAliases.js";
import { devMethods } from "./devMethods.js";
import { epochLinkMethods } from "./epochLinkMethods.js";
import { ethBlockMethods } from "./ethBlockMethods.js";
import { type EthLogCriteria, ethLogCriteria, ethLogMatches, ethLogMethods } from "./ethLogMethods.js";
import { ethMethods } from "./ethMethods.js";
import { blockShape, ethLog } from "./ethShapes.js";
import { ethTxMethods } from "./ethTxMethods.js";
import { evmSourceMethods } from "./evmSourceMethods.js";
import { evmStateMethods } from "./evmStateMethods.js";
import { stateMethods } from "./stateMethods.js";
import { txMethods } from "./txMethods.js";
import { txpoolMethods } from "./txpoolMethods.js";
import { validatorMethods } from "./validatorMethods.js";
import { ethFormsOf } from "./wasmEventLogs.js";

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
  const dev = devMethods(node);
  const methods: Record<string, RpcHandler> = {
    ...chainMethods(node, network),
    ...stateMethods(node),
    ...evmStateMethods(node),
    ...evmSourceMethods(node),
    ...txMethods(node),
    ...contractMethods(node),
    ...dev,
    ...devAliases(node, dev),
    ...validatorMethods(node),
    ...epochLinkMethods(node),
    ...ethMethods(node),
    ...ethBlockMethods(node, network ?? NO_NETWORK),
    ...ethTxMethods(node),
    ...ethLogMethods(node),
    ...txpoolMethods(node),
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
    weight: (filter) => {
      const f = filter as Parameters<typeof logMatches>[0];
      return (f.address === undefined ? 0 : 1) + topicEntries(f.topics);
    },
  },
  // eth_subscribe's topics (`rpc/subscriptions.ts` ETH_SUBSCRIPTIONS), in Ethereum's shapes.
  eth_newHeads: {},
  eth_newPendingTransactions: {},
  eth_logs: {
    validateFilter: (filter) => {
      const f = filter === undefined || filter === null ? {} : filter;
      if (typeof f !== "object" || Array.isArray(f))
        throw invalidParams("logs: expected { address?, topics? }");
      return ethLogCriteria(f as Record<string, unknown>);
    },
    matches: (filter, payload) => ethLogMatches(filter as EthLogCriteria, payload as LogJson),
    weight: (filter) => {
      const c = filter as EthLogCriteria;
      return c.addresses.length + topicEntries(c.topics);
    },
  },
};

/** The topic entries a log filter compares at most: one per fixed topic, one per alternative. */
function topicEntries(topics: ReadonlyArray<string | readonly string[] | null>): number {
  let n = 0;
  for (const t of topics) n += t === null ? 0 : Array.isArray(t) ? t.length : 1;
  return n;
}

/** Publishes a committed block to both families of subscribers (payloads built only when someone listens). */
export function publishBlock(
  node: ChainNode,
  rpc: Pick<RpcServer, "publish" | "hasSubscribers">,
  produced: { block: StoredBlock; receipts: readonly ReceiptJson[] },
): void {
  rpc.publish("newHeads", produced.block.header);
  for (const receipt of produced.receipts) for (const l of receipt.logs) rpc.publish("logs", l);
  if (rpc.hasSubscribers("eth_newHeads")) {
    const head = blockShape(node, produced.block, false);
    delete head.transactions;
    delete head.uncles;
    rpc.publish("eth_newHeads", head);
  }
  if (rpc.hasSubscribers("eth_logs")) {
    let first = 0;
    for (const receipt of produced.receipts) {
      for (const l of ethFormsOf(node, receipt.logs))
        rpc.publish("eth_logs", ethLog(l, produced.block.header.hash, first));
      first += receipt.logs.length;
    }
  }
}
