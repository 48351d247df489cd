/**
 * Ethereum's logs and polling filters: `eth_getLogs`, `eth_newFilter`, `eth_newBlockFilter`,
 * `eth_newPendingTransactionFilter`, `eth_getFilterChanges`, `eth_getFilterLogs`,
 * `eth_uninstallFilter`. Logs are in Ethereum's shape (`ethShapes.ts`: block-wide
 * `logIndex`, `blockHash`, `removed: false`).
 *
 * Bounds: a query reads at most `MAX_LOG_READS` blocks and receipts (`LogReadBudget`, else
 * -32005): through the address or topic-0 index only matching logs' records are read, so any
 * range is fine, and without one an empty block is one read. It returns at most `MAX_LOGS`
 * logs (else -32021); a filter names at most `MAX_FILTER_ADDRESSES` addresses and
 * `MAX_TOPIC_CHOICES` alternatives per topic position. The node holds at most `MAX_FILTERS`
 * filters, at most `MAX_FILTERS_PER_CLIENT` of one client (`rpc/clientKey.ts`; the next
 * `eth_new*Filter` is refused with -32008 until one is uninstalled or expires: one client
 * once took every slot of the node); a filter not polled for `FILTER_TTL_MS` (5 minutes, as
 * geth) is removed. A pending transaction filter sees at most the last `MAX_PENDING_HASHES`
 * hashes between polls (the oldest go), read from one log all filters share (`pendingHashLog.ts`).
 * A log filter's changes span at most `MAX_LOG_RANGE` blocks per poll (the next poll goes on).
 */
import { randomBytes } from "node:crypto";
import type { Address } from "../../codec/address.js";
import type { ChainNode } from "../chainNode.js";
import type { BlockHashesResult, LogsJob } from "../readOnly/logScan.js";
import { clientKey } from "../rpc/clientKey.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler, RpcMethodContext } from "../rpc/types.js";
import type { Hex, LogJson } from "../store/records.js";
import { chargeAnswer } from "./answerBytes.js";
import { MAX_LOG_RANGE, MAX_TOPIC_CHOICES, runLogQuery } from "./chainMethods.js";
import { ethLog } from "./ethShapes.js";
import { ethBlockNumber } from "./ethTxMethods.js";
import { address, hash, object, positional, shown } from "./params.js";
import { PendingHashLog } from "./pendingHashLog.js";
import { runReadOnly } from "./stateMethods.js";
import { storedTopics0 } from "./wasmEventLogs.js";

export const MAX_FILTERS = 10_000;
export const MAX_FILTERS_PER_CLIENT = 100;
export const FILTER_TTL_MS = 5 * 60 * 1000;
export const MAX_FILTER_ADDRESSES = 100;
export { MAX_TOPIC_CHOICES };
export const MAX_PENDING_HASHES = 10_000;

/** What a log must match: any of `addresses` (empty: any), and per topic position any of the choices (null: any). */
export interface EthLogCriteria {
  addresses: Address[];
  topics: Array<string[] | null>;
}

interface EthLogQuery extends EthLogCriteria {
  fromBlock: number;
  toBlock: number;
}

/** Reads `{ address?, topics? }` (addresses and topics as Ethereum gives them). */
export function ethLogCriteria(f: Record<string, unknown>): EthLogCriteria {
  const given =
    f.address === undefined || f.address === null ? [] : Array.isArray(f.address) ? f.address : [f.address];
  if (given.length > MAX_FILTER_ADDRESSES)
    throw invalidParams(`address: ${given.length} addresses, at most ${MAX_FILTER_ADDRESSES}`);
  const addresses = given.map((a, i) => address(a, `address[${i}]`));
  const topicsGiven = f.topics === undefined || f.topics === null ? [] : f.topics;
  if (!Array.isArray(topicsGiven) || topicsGiven.length > 4)
    throw invalidParams(`topics: expected an array of at most 4 positions, got ${shown(topicsGiven)}`);
  const topics = topicsGiven.map((t, i) => {
    if (t === null) return null;
    const choices = Array.isArray(t) ? t : [t];
    if (choices.length > MAX_TOPIC_CHOICES)
      throw invalidParams(`topics[${i}]: ${choices.length} alternatives, at most ${MAX_TOPIC_CHOICES}`);
    return choices.map((x, j) => hash(x, `topics[${i}][${j}]`));
  });
  return { addresses, topics };
}

/** Whether `log` (any shape with `address` and `topics`) matches `c`. */
export function ethLogMatches(c: EthLogCriteria, log: Pick<LogJson, "address" | "topics">): boolean {
  if (c.addresses.length > 0 && !c.addresses.includes(log.address)) return false;
  return c.topics.every((want, i) => {
    if (want === null || want.length === 0) return true;
    const have = log.topics[i];
    return have !== undefined && want.includes(have);
  });
}

/**
 * The Ethereum-shaped logs of blocks [from, to] matching `c`, through the address or topic
 * index when it can, found in the read-only pool (`readOnly/logScan.ts`); with the last block
 * scanned (a worker whose committed head is older stops there).
 */
async function queryLogs(
  node: ChainNode,
  q: EthLogQuery,
  ctx: RpcMethodContext,
): Promise<{ logs: Record<string, unknown>[]; toBlock: number }> {
  const firstTopic = q.topics[0];
  const index: LogsJob["index"] =
    q.addresses.length > 0
      ? q.addresses.map((a) => ["address", a])
      : firstTopic !== null && firstTopic !== undefined && firstTopic.length > 0
        ? firstTopic.flatMap((t) => storedTopics0(node, t).map((s): ["topic", string] => ["topic", s]))
        : [];
  const found = await runLogQuery(node, ctx, {
    form: "eth",
    fromBlock: q.fromBlock,
    toBlock: q.toBlock,
    addresses: q.addresses,
    topics: q.topics,
    index,
    costlyCode: -32005,
  });
  const places = found.places ?? [];
  const logs = found.logs.map((log, k) => {
    const [blockHash, firstLog] = places[k] ?? ["", 0];
    return ethLog(log, blockHash as Hex, firstLog);
  });
  return { logs, toBlock: found.toBlock };
}

/** Reads an `eth_getLogs` filter: a range (fromBlock/toBlock, default the head) or one blockHash. */
function logQuery(node: ChainNode, value: unknown): EthLogQuery {
  const f = object(value ?? {}, "filter");
  const criteria = ethLogCriteria(f);
  if (f.blockHash !== undefined && f.blockHash !== null) {
    if (f.fromBlock !== undefined || f.toBlock !== undefined)
      throw invalidParams("blockHash: give blockHash or fromBlock/toBlock, not both");
    const n = node.db.blockNumberOf(hash(f.blockHash, "blockHash"));
    if (n === undefined) throw invalidParams(`blockHash: unknown block ${String(f.blockHash)}`);
    return { ...criteria, fromBlock: n, toBlock: n };
  }
  const head = node.head().number;
  const toBlock = ethBlockNumber(node, f.toBlock, "toBlock") ?? head;
  // Past the head, fromBlock is -32602 as weft_getLogs answers it (and geth, Nethermind, Besu,
  // Erigon: execution-apis#875), not an empty list a client cannot tell from "no logs".
  const fromBlock = ethBlockNumber(node, f.fromBlock, "fromBlock") ?? Number(BigInt(String(f.fromBlock)));
  if (fromBlock > toBlock) throw invalidParams(`fromBlock ${fromBlock} is after toBlock ${toBlock}`);
  return { ...criteria, fromBlock, toBlock };
}

/** A filter as installed, with the client that installed it (`clientKey`). */
type Filter = { client: string; polled: number } & (
  | { kind: "logs"; criteria: EthLogCriteria; from: number; next: number; toBlock?: number }
  | { kind: "blocks"; next: number }
  | { kind: "pending"; next: number }
);

/** A filter's fields but its client (`install` adds it), kind by kind. */
type NewFilter = WithoutClient<Filter>;
type WithoutClient<F> = F extends unknown ? Omit<F, "client"> : never;

export function ethLogMethods(node: ChainNode): Record<string, RpcHandler> {
  const filters = new Map<string, Filter>();
  /** Admitted transactions' hashes, from the first pending filter on. */
  let pending: PendingHashLog | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [id, f] of filters) if (now - f.polled > FILTER_TTL_MS) filters.delete(id);
  };
  const install = (given: NewFilter, ctx: RpcMethodContext): string => {
    sweep();
    const client = clientKey(ctx.remoteAddress);
    let held = 0;
    for (const f of filters.values()) if (f.client === client) held++;
    if (held >= MAX_FILTERS_PER_CLIENT)
      throw new RpcError(
        -32008,
        `too many filters installed by this client (limit ${MAX_FILTERS_PER_CLIENT}): uninstall one or let one expire`,
        { limit: MAX_FILTERS_PER_CLIENT },
      );
    if (filters.size >= MAX_FILTERS)
      throw new RpcError(
        -32008,
        `too many filters installed (limit ${MAX_FILTERS}): uninstall one or let one expire`,
        {
          limit: MAX_FILTERS,
        },
      );
    const id = `0x${randomBytes(16).toString("hex")}`;
    filters.set(id, { ...given, client } as Filter);
    return id;
  };
  const get = (params: unknown): [string, Filter] => {
    const [given] = positional(params, 1, 1, "[filterId]");
    if (typeof given !== "string" || given.length > 66)
      throw invalidParams(`filterId: expected a filter id, got ${shown(given)}`);
    sweep();
    const filter = filters.get(given);
    if (filter === undefined) throw new RpcError(-32000, "filter not found");
    filter.polled = Date.now();
    return [given, filter];
  };
  return {
    /** [filter] → the logs matching { fromBlock?, toBlock?, blockHash?, address?, topics? }. */
    async eth_getLogs(params, ctx) {
      const [filter] = positional(params, 0, 1, "[{ fromBlock?, toBlock?, blockHash?, address?, topics? }]");
      const q = logQuery(node, filter);
      return (await queryLogs(node, q, ctx)).logs;
    },
    /** [filter] → a filter id; `eth_getFilterChanges` returns the logs of blocks committed since. */
    eth_newFilter(params, ctx) {
      const [given] = positional(params, 1, 1, "[{ fromBlock?, toBlock?, address?, topics? }]");
      const f = object(given, "filter");
      const criteria = ethLogCriteria(f);
      const head = node.head().number;
      const from =
        f.fromBlock === undefined ? head + 1 : (ethBlockNumber(node, f.fromBlock, "fromBlock") ?? head + 1);
      const filter: NewFilter = { kind: "logs", criteria, from, next: from, polled: Date.now() };
      if (f.toBlock !== undefined && f.toBlock !== "latest" && f.toBlock !== "pending")
        filter.toBlock = ethBlockNumber(node, f.toBlock, "toBlock") ?? Number(BigInt(String(f.toBlock)));
      return install(filter, ctx);
    },
    /** [] → a filter id; its changes are the hashes of blocks committed since. */
    eth_newBlockFilter(params, ctx) {
      positional(params, 0, 0, "[]");
      return install({ kind: "blocks", next: node.head().number + 1, polled: Date.now() }, ctx);
    },
    /** [] → a filter id; its changes are the hashes of transactions admitted since. */
    eth_newPendingTransactionFilter(params, ctx) {
      positional(params, 0, 0, "[]");
      if (pending === undefined) {
        const log = new PendingHashLog(MAX_PENDING_HASHES);
        node.onPending((p) => log.push(p.hash));
        pending = log;
      }
      return install({ kind: "pending", next: pending.head, polled: Date.now() }, ctx);
    },
    /** [id] → what happened since the last poll (logs, block hashes or transaction hashes). */
    async eth_getFilterChanges(params, ctx) {
      const [, filter] = get(params);
      if (filter.kind === "pending") {
        const hashes = pending?.since(filter.next) ?? [];
        filter.next = pending?.head ?? filter.next;
        return hashes;
      }
      const head = node.head().number;
      if (filter.kind === "blocks") {
        // Read on a read-only worker (`readOnly/logScan.ts`); the filter moves on first, so
        // that an overlapping poll does not answer the same blocks.
        const from = filter.next;
        const last = Math.min(head, from + MAX_LOG_RANGE - 1);
        if (last < from) return [];
        filter.next = last + 1;
        let found: BlockHashesResult;
        try {
          found = (await runReadOnly(node, ctx, {
            kind: "blockHashes",
            fromBlock: from,
            toBlock: last,
          })) as BlockHashesResult;
        } catch (error) {
          if (filter.next === last + 1) filter.next = from;
          throw error;
        }
        if (found.toBlock < last && filter.next === last + 1) filter.next = found.toBlock + 1;
        chargeAnswer(ctx, 70 * found.hashes.length);
        return found.hashes;
      }
      const from = filter.next;
      const to = Math.min(head, filter.toBlock ?? head, from + MAX_LOG_RANGE - 1);
      if (to < from) return [];
      // The scan runs off this thread: a poll of the same filter meanwhile goes on from `to`, so
      // that two polls never answer the same logs; a refused scan gives its blocks back.
      filter.next = to + 1;
      let found: Awaited<ReturnType<typeof queryLogs>>;
      try {
        found = await queryLogs(node, { ...filter.criteria, fromBlock: from, toBlock: to }, ctx);
      } catch (error) {
        if (filter.next === to + 1) filter.next = from;
        throw error;
      }
      // A worker whose committed head was older stopped there: the next poll goes on from it.
      if (found.toBlock < to && filter.next === to + 1) filter.next = found.toBlock + 1;
      return found.logs;
    },
    /** [id] → every log a log filter matches over its whole range. */
    async eth_getFilterLogs(params, ctx) {
      const [, filter] = get(params);
      if (filter.kind !== "logs") throw invalidParams("eth_getFilterLogs takes a log filter's id");
      const head = node.head().number;
      const found = await queryLogs(
        node,
        {
          ...filter.criteria,
          fromBlock: Math.min(filter.from, head),
          toBlock: Math.min(head, filter.toBlock ?? head),
        },
        ctx,
      );
      return found.logs;
    },
    /** [id] → true when the filter existed. */
    eth_uninstallFilter(params) {
      const [given] = positional(params, 1, 1, "[filterId]");
      return typeof given === "string" && filters.delete(given);
    },
  };
}
