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
import { clientKey } from "../rpc/clientKey.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler, RpcMethodContext } from "../rpc/types.js";
import type { LogJson, StoredBlock } from "../store/records.js";
import { chargeAnswer, logBytes } from "./answerBytes.js";
import { LogReadBudget, MAX_LOG_RANGE, MAX_LOGS, MAX_TOPIC_CHOICES } from "./chainMethods.js";
import { blockSummary, ethLog } from "./ethShapes.js";
import { ethBlockNumber } from "./ethTxMethods.js";
import { address, hash, object, positional, shown } from "./params.js";
import { PendingHashLog } from "./pendingHashLog.js";
import { ethFormOf, storedTopics0 } from "./wasmEventLogs.js";

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
 * index when it can; each counted in `ctx`'s response budget before it is built, the records
 * read in a `LogReadBudget`.
 */
function queryLogs(node: ChainNode, q: EthLogQuery, ctx: RpcMethodContext): Record<string, unknown>[] {
  const budget = new LogReadBudget(q);
  const out: Record<string, unknown>[] = [];
  const blocks = new Map<number, StoredBlock | undefined>();
  const blockAt = (n: number) => {
    if (!blocks.has(n)) blocks.set(n, node.db.block(n));
    return blocks.get(n);
  };
  const push = (block: StoredBlock, stored: LogJson): void => {
    const log = ethFormOf(node, stored);
    if (!ethLogMatches(q, log)) return;
    if (out.length >= MAX_LOGS)
      throw new RpcError(
        -32021,
        `query returned more than ${MAX_LOGS} results: narrow the range or the filter`,
      );
    chargeAnswer(ctx, logBytes(stored));
    const first = blockSummary(node, block).firstLog[log.txIndex] ?? 0;
    out.push(ethLog(log, block.header.hash, first));
  };
  const firstTopic = q.topics[0];
  const keys: Array<["address" | "topic", string]> =
    q.addresses.length > 0
      ? q.addresses.map((a) => ["address", a])
      : firstTopic !== null && firstTopic !== undefined && firstTopic.length > 0
        ? firstTopic.flatMap((t) => storedTopics0(node, t).map((s): ["topic", string] => ["topic", s]))
        : [];
  if (keys.length > 0) {
    const positions: Array<[number, number, number]> = [];
    for (const [index, key] of keys)
      for (const at of node.db.logPositions(index, key, q.fromBlock, q.toBlock)) {
        positions.push(at);
        if (positions.length > MAX_LOGS * 4)
          throw new RpcError(
            -32021,
            `query returned more than ${MAX_LOGS} results: narrow the range or the filter`,
          );
      }
    positions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    let last = "";
    for (const [n, tx, i] of positions) {
      const id = `${n}/${tx}/${i}`;
      if (id === last) continue;
      last = id;
      budget.spend(2);
      const block = blockAt(n);
      const h = block?.txHashes[tx];
      const log = h === undefined ? undefined : node.db.receipt(h)?.logs[i];
      if (block !== undefined && log !== undefined) push(block, log);
    }
    return out;
  }
  for (let n = q.fromBlock; n <= q.toBlock; n++) {
    budget.spend();
    const block = blockAt(n);
    if (block === undefined) continue;
    budget.spend(block.txHashes.length);
    for (const h of block.txHashes) {
      const logs = node.db.receipt(h)?.logs ?? [];
      budget.spend(logs.length);
      for (const log of logs) push(block, log);
    }
  }
  return out;
}

/** Reads an `eth_getLogs` filter: a range (fromBlock/toBlock, default the head) or one blockHash. */
function logQuery(node: ChainNode, value: unknown): EthLogQuery | undefined {
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
  const fromBlock = ethBlockNumber(node, f.fromBlock, "fromBlock");
  if (fromBlock === undefined) return undefined; // starts after the head: nothing yet
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
    eth_getLogs(params, ctx) {
      const [filter] = positional(params, 0, 1, "[{ fromBlock?, toBlock?, blockHash?, address?, topics? }]");
      const q = logQuery(node, filter);
      return q === undefined ? [] : queryLogs(node, q, ctx);
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
    eth_getFilterChanges(params, ctx) {
      const [, filter] = get(params);
      if (filter.kind === "pending") {
        const hashes = pending?.since(filter.next) ?? [];
        filter.next = pending?.head ?? filter.next;
        return hashes;
      }
      const head = node.head().number;
      if (filter.kind === "blocks") {
        const out: string[] = [];
        const last = Math.min(head, filter.next + MAX_LOG_RANGE - 1);
        for (let n = filter.next; n <= last; n++) {
          const block = node.db.block(n);
          if (block !== undefined) out.push(block.header.hash);
        }
        filter.next = Math.max(filter.next, last + 1);
        return out;
      }
      const to = Math.min(head, filter.toBlock ?? head, filter.next + MAX_LOG_RANGE - 1);
      if (to < filter.next) return [];
      const logs = queryLogs(node, { ...filter.criteria, fromBlock: filter.next, toBlock: to }, ctx);
      filter.next = to + 1;
      return logs;
    },
    /** [id] → every log a log filter matches over its whole range. */
    eth_getFilterLogs(params, ctx) {
      const [, filter] = get(params);
      if (filter.kind !== "logs") throw invalidParams("eth_getFilterLogs takes a log filter's id");
      const head = node.head().number;
      return queryLogs(
        node,
        {
          ...filter.criteria,
          fromBlock: Math.min(filter.from, head),
          toBlock: Math.min(head, filter.toBlock ?? head),
        },
        ctx,
      );
    },
    /** [id] → true when the filter existed. */
    eth_uninstallFilter(params) {
      const [given] = positional(params, 1, 1, "[filterId]");
      return typeof given === "string" && filters.delete(given);
    },
  };
}
