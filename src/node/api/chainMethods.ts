/** RPC methods that read the chain: blocks, transactions, receipts, logs, status. */
import type { ChainNode } from "../chainNode.js";
import {
  LogReadBudget,
  type LogsJob,
  type LogsResult,
  MAX_LOG_READS,
  MAX_LOGS,
} from "../readOnly/logScan.js";
import { invalidParams } from "../rpc/errors.js";
import type { RpcHandler, RpcMethodContext } from "../rpc/types.js";
import type { LogJson, StoredBlock } from "../store/records.js";
import { storeFailureJson } from "../store/storeError.js";
import type { SyncProgress } from "../validator/chainSync.js";
import { chargeAnswer } from "./answerBytes.js";
import { address, blockTag, bool, hash, object, positional } from "./params.js";
import { runReadOnly } from "./stateMethods.js";
import { pendingTxJson, rawTxJson } from "./txJson.js";

/** Blocks one `eth_getFilterChanges` poll of a log filter covers (the next poll goes on). */
export const MAX_LOG_RANGE = 10_000;
/**
 * Log queries' bounds (`readOnly/logScan.ts`, where they run): at most `MAX_LOGS` logs, and
 * at most `MAX_LOG_READS` records (blocks, receipts and the logs checked) read, which bounds a
 * query's cost, not its block range. (Attacker HIGH: logs were not counted, and a query whose
 * filter matched nothing over ~14,000 logs held the main thread 0.9 s, 3.2 s with 14,000 topic
 * alternatives: a block of 300 one-topic floods holds 307,200.)
 */
export { LogReadBudget, MAX_LOG_READS, MAX_LOGS };
/** Most alternatives a log filter gives for one topic position (weft_ and eth_ filters alike). */
export const MAX_TOPIC_CHOICES = 100;

/**
 * Runs a log query in the node's read-only pool (a worker thread, with the calling client's
 * time budget: `readOnly/logScan.ts`), within what the message's response budget has left,
 * and charges the answer to it.
 */
export async function runLogQuery(
  node: ChainNode,
  ctx: RpcMethodContext,
  job: Omit<LogsJob, "kind" | "maxBytes">,
): Promise<LogsResult> {
  const maxBytes = ctx.response?.left() ?? Number.POSITIVE_INFINITY;
  const result = (await runReadOnly(node, ctx, { kind: "logs", ...job, maxBytes })) as LogsResult;
  chargeAnswer(ctx, result.bytes);
  return result;
}
export const NODE_VERSION = "weft/0.1.0";

function blockView(node: ChainNode, block: StoredBlock, full: boolean): Record<string, unknown> {
  const transactions = full
    ? block.txHashes.map((h) => {
        const stored = node.db.tx(h);
        return stored === undefined
          ? h
          : { ...rawTxJson(stored.raw, node.db.receipt(h)?.from), index: stored.index };
      })
    : block.txHashes;
  return { ...block.header, transactions, execution: block.execution ?? null };
}

export interface LogFilter {
  fromBlock: number;
  toBlock: number;
  address?: string;
  /** Per position: a topic, a list of alternatives, or null for any. */
  topics: Array<string | string[] | null>;
}

export function parseLogFilter(value: unknown, head: number): LogFilter {
  const f = object(value ?? {}, "filter");
  const toBlock = Math.min(blockTag(f.toBlock ?? "latest", "toBlock", head), head);
  // Without fromBlock the range is the single block toBlock (by default the head).
  const fromBlock = f.fromBlock === undefined ? toBlock : blockTag(f.fromBlock, "fromBlock", head);
  if (fromBlock > toBlock) throw invalidParams(`fromBlock ${fromBlock} is after toBlock ${toBlock}`);
  const topics = f.topics === undefined ? [] : f.topics;
  if (!Array.isArray(topics) || topics.length > 4)
    throw invalidParams("topics: expected at most 4 positions");
  const parsed = topics.map((t, i) => {
    if (t === null) return null;
    if (Array.isArray(t)) {
      if (t.length > MAX_TOPIC_CHOICES)
        throw invalidParams(`topics[${i}]: ${t.length} alternatives, at most ${MAX_TOPIC_CHOICES}`);
      return t.map((x, j) => hash(x, `topics[${i}][${j}]`));
    }
    return hash(t, `topics[${i}]`);
  });
  const filter: LogFilter = { fromBlock, toBlock, topics: parsed };
  if (f.address !== undefined) filter.address = address(f.address, "address");
  return filter;
}

export function logMatches(filter: Omit<LogFilter, "fromBlock" | "toBlock">, log: LogJson): boolean {
  if (filter.address !== undefined && log.address !== filter.address) return false;
  return filter.topics.every((want, i) => {
    if (want === null) return true;
    const have = log.topics[i];
    return have !== undefined && (Array.isArray(want) ? want.includes(have) : want === have);
  });
}

/**
 * The logs matching `filter`, read through the address or topic index when the filter names
 * one (`readOnly/logScan.ts`: -32020 past `MAX_LOG_READS` reads, -32021 past `MAX_LOGS` logs).
 */
export async function findLogs(
  node: ChainNode,
  filter: LogFilter,
  ctx: RpcMethodContext,
): Promise<LogJson[]> {
  const topics = filter.topics.map((t) => (t === null ? null : Array.isArray(t) ? t : [t]));
  // A position with no alternatives matches nothing.
  if (topics.some((t) => t !== null && t.length === 0)) return [];
  const firstTopic = filter.topics[0];
  const index: LogsJob["index"] =
    filter.address !== undefined
      ? [["address", filter.address]]
      : typeof firstTopic === "string"
        ? [["topic", firstTopic]]
        : [];
  const result = await runLogQuery(node, ctx, {
    form: "weft",
    fromBlock: filter.fromBlock,
    toBlock: filter.toBlock,
    addresses: filter.address === undefined ? [] : [filter.address],
    topics,
    index,
    costlyCode: -32020,
  });
  return result.logs;
}

/** What `weft_status` says of the peer-to-peer side; a node of one has none. */
export interface NetworkStatus {
  /** Peers connected now. */
  peers: number;
  /** Behind the network and catching up (block sync). */
  syncing: boolean;
  /** While syncing, from where, where it is and how far there is to go (`eth_syncing`); else null. */
  progress: SyncProgress | null;
}

export const NO_NETWORK: () => NetworkStatus = () => ({ peers: 0, syncing: false, progress: null });

export function chainMethods(
  node: ChainNode,
  network: () => NetworkStatus = NO_NETWORK,
): Record<string, RpcHandler> {
  return {
    /** [] → the chain id (a decimal string). */
    weft_chainId(params) {
      positional(params, 0, 0, "[]");
      return node.options.chainId.toString();
    },
    /** [] → the head block's number. */
    weft_blockNumber(params) {
      positional(params, 0, 0, "[]");
      return node.head().number;
    },
    /** [] → chain id, head, mempool, engine workers, version. */
    weft_status(params) {
      positional(params, 0, 0, "[]");
      const head = node.head();
      const failure = node.storeFailure;
      const { peers, syncing } = network();
      return {
        version: NODE_VERSION,
        chainId: node.options.chainId.toString(),
        head: { number: head.number, hash: head.hash, time: head.time, stateRoot: head.stateRoot },
        // The chain's clock (seconds): what a block made now would take; ahead of the wall clock after dev time travel.
        time: Math.floor(node.clock.nowMs() / 1000),
        nextBaseFee: (node.nextBlock().baseFee ?? 0n).toString(),
        mempool: node.mempool.stats(),
        workers: node.options.workers,
        peers,
        syncing,
        // The failure of the chain database that stopped block production, or null.
        storeFailure: failure === undefined ? null : storeFailureJson(failure),
      };
    },
    /** [] → { baseFee (head), nextBaseFee, suggestedPriorityFee, suggestedMaxFee } as decimal strings. */
    weft_feeData(params) {
      positional(params, 0, 0, "[]");
      const next = node.nextBlock().baseFee ?? 0n;
      const tip = 1n;
      return {
        baseFee: node.head().baseFee ?? "0",
        nextBaseFee: next.toString(),
        suggestedPriorityFee: tip.toString(),
        // Room for the base fee to rise for a few full blocks while the transaction waits.
        suggestedMaxFee: (2n * next + tip).toString(),
      };
    },
    /** [] → the genesis: chain id, time, the contracts deployed and the dev accounts (addresses and public keys). */
    weft_genesis(params) {
      positional(params, 0, 0, "[]");
      const g = node.genesis;
      return {
        chainId: g.chainId,
        time: g.time,
        contracts: g.contracts,
        accounts: g.accounts.map((a) => ({ address: a.address, kind: a.kind, publicKey: a.publicKey })),
      };
    },
    /** [number | "latest" | "earliest", fullTransactions?] → the block or null. */
    weft_getBlockByNumber(params) {
      const [tag, full] = positional(params, 1, 2, '[number | "latest", fullTransactions?]');
      const block = node.db.block(blockTag(tag, "block", node.head().number));
      return block === undefined ? null : blockView(node, block, bool(full, "fullTransactions", false));
    },
    /** [hash, fullTransactions?] → the block or null. */
    weft_getBlockByHash(params) {
      const [h, full] = positional(params, 1, 2, "[blockHash, fullTransactions?]");
      const number = node.db.blockNumberOf(hash(h, "blockHash"));
      const block = number === undefined ? undefined : node.db.block(number);
      return block === undefined ? null : blockView(node, block, bool(full, "fullTransactions", false));
    },
    /** [hash] → the transaction (included or pending) or null. */
    weft_getTransaction(params) {
      const [h] = positional(params, 1, 1, "[txHash]");
      const txh = hash(h, "txHash");
      const stored = node.db.tx(txh);
      if (stored !== undefined) {
        const block = node.db.block(stored.blockNumber);
        return {
          ...rawTxJson(stored.raw, node.db.receipt(txh)?.from),
          status: "included",
          blockNumber: stored.blockNumber,
          blockHash: block?.header.hash ?? null,
          index: stored.index,
        };
      }
      const pending = node.mempool.get(txh);
      return pending === undefined ? null : { ...pendingTxJson(pending.tx), status: "pending" };
    },
    /** [hash] → the receipt or null (pending or unknown). */
    weft_getReceipt(params) {
      const [h] = positional(params, 1, 1, "[txHash]");
      return node.db.receipt(hash(h, "txHash")) ?? null;
    },
    /** [filter] → logs matching { fromBlock, toBlock, address?, topics? } (at most 10,000 blocks and 10,000 logs). */
    weft_getLogs(params, ctx) {
      const [filter] = positional(params, 0, 1, "[{ fromBlock?, toBlock?, address?, topics? }]");
      return findLogs(node, parseLogFilter(filter, node.head().number), ctx);
    },
  };
}
