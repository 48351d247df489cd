/** RPC methods that read the chain: blocks, transactions, receipts, logs, status. */
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler, RpcMethodContext } from "../rpc/types.js";
import type { LogJson, StoredBlock } from "../store/records.js";
import { storeFailureJson } from "../store/storeError.js";
import type { SyncProgress } from "../validator/chainSync.js";
import { chargeAnswer, logBytes } from "./answerBytes.js";
import { address, blockTag, bool, hash, object, positional } from "./params.js";
import { pendingTxJson, rawTxJson } from "./txJson.js";

/** Blocks one `eth_getFilterChanges` poll of a log filter covers (the next poll goes on). */
export const MAX_LOG_RANGE = 10_000;
export const MAX_LOGS = 10_000;
/**
 * The most records (blocks, receipts and the logs checked) one log query may read: what
 * bounds a query's cost, not its block range. A query through the address or topic index
 * reads only the blocks and receipts of matching logs, so any range is fine there; one
 * without an index reads every block of its range, the receipts of their transactions and
 * checks every log they hold, so 10,000 empty blocks cost 10,000 reads and a range of full
 * blocks is refused early. (Attacker HIGH: logs were not counted, and a query whose filter
 * matched nothing over ~14,000 logs held the main thread 0.9 s, 3.2 s with 14,000 topic
 * alternatives: a block of 300 one-topic floods holds 307,200.)
 */
export const MAX_LOG_READS = 50_000;
/** Most alternatives a log filter gives for one topic position (weft_ and eth_ filters alike). */
export const MAX_TOPIC_CHOICES = 100;

/**
 * Counts the records a log query reads; past `MAX_LOG_READS` it refuses with `code` (-32005,
 * "limit exceeded", for `eth_getLogs`; `weft_getLogs` answers its own -32020) and what to do.
 */
export class LogReadBudget {
  private reads = 0;
  constructor(
    private readonly range: { fromBlock: number; toBlock: number },
    private readonly code = -32005,
  ) {}
  spend(count = 1): void {
    this.reads += count;
    if (this.reads > MAX_LOG_READS)
      throw new RpcError(
        this.code,
        `query too costly: it reads more than ${MAX_LOG_READS} blocks, receipts and logs (blocks ${this.range.fromBlock}-${this.range.toBlock}); narrow fromBlock/toBlock or filter by address or topic 0`,
        { maxReads: MAX_LOG_READS },
      );
  }
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
 * one; each counted in `ctx`'s response budget as it is found, the records read in a
 * `LogReadBudget`.
 */
export function findLogs(node: ChainNode, filter: LogFilter, ctx?: RpcMethodContext): LogJson[] {
  const budget = new LogReadBudget(filter, -32020);
  const out: LogJson[] = [];
  const push = (log: LogJson): void => {
    if (!logMatches(filter, log)) return;
    if (out.length >= MAX_LOGS)
      throw new RpcError(-32021, `more than ${MAX_LOGS} logs match: narrow the range or the filter`);
    chargeAnswer(ctx, logBytes(log));
    out.push(log);
  };
  const firstTopic = filter.topics[0];
  const index =
    filter.address !== undefined
      ? (["address", filter.address] as const)
      : typeof firstTopic === "string"
        ? (["topic", firstTopic] as const)
        : undefined;
  if (index !== undefined) {
    for (const [block, tx, log] of node.db.logPositions(
      index[0],
      index[1],
      filter.fromBlock,
      filter.toBlock,
    )) {
      budget.spend(2);
      const hashAt = node.db.block(block)?.txHashes[tx];
      const receipt = hashAt === undefined ? undefined : node.db.receipt(hashAt);
      const found = receipt?.logs[log];
      if (found !== undefined) push(found);
    }
    return out;
  }
  for (let n = filter.fromBlock; n <= filter.toBlock; n++) {
    budget.spend();
    const hashes = node.db.block(n)?.txHashes ?? [];
    budget.spend(hashes.length);
    for (const h of hashes) {
      const logs = node.db.receipt(h)?.logs ?? [];
      budget.spend(logs.length);
      for (const log of logs) push(log);
    }
  }
  return out;
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
