/**
 * The transaction pool (mempool): validated transactions waiting for a block.
 *
 * It is a pure, synchronous data structure: no IO, no crypto, no clock. The node validates
 * a transaction (signature, account, fees) against the latest state first and only then
 * calls `add`, passing the chain's next sequence for the transaction's nonce flow.
 *
 * Nonce flows. A transaction carries a two-dimensional nonce (nonceKey, sequence). Each
 * (sender, nonceKey) pair is an independent flow whose transactions execute strictly in
 * sequence order; different keys of one sender never wait for each other. The pool keeps
 * one queue per flow, sorted by sequence.
 *
 * Admission (`add`), in this order; a refusal throws a MempoolError and changes nothing:
 *  - ALREADY_KNOWN: the hash is already pending.
 *  - TOO_LARGE: size > maxTxBytes.   FEE_TOO_LOW: price < minPrice.
 *  - NONCE_TOO_LOW: sequence < the chain's next one (already used).
 *  - NONCE_TOO_FAR: sequence > next + maxNonceGap (gaps are allowed, up to that far).
 *  - Replacement: a transaction with the same sender, key and sequence is pending. The new
 *    one replaces it only if its price is at least replacementBumpPercent higher (and
 *    strictly higher, so a 0 bump or a zero price cannot churn for free); otherwise
 *    REPLACEMENT_UNDERPRICED, naming the minimum price.
 *  - SENDER_LIMIT: the sender already has maxPerSender pending (over all its keys);
 *    replacements do not count as new.
 *  - Capacity: if the pool would exceed maxTransactions or maxBytes, the cheapest
 *    transactions are evicted to make room, but only from the tail (highest sequence) of a
 *    queue, since evicting from the middle would strand the later ones; once a tail goes,
 *    the one before it may go next. The new transaction's own predecessors (and the one it
 *    replaces) are never evicted. The new transaction must pay strictly more than every
 *    transaction it would evict, else POOL_FULL (count) or POOL_BYTES_FULL (bytes), naming
 *    the price that would be needed. Evicted transactions are returned to the caller.
 *
 * Ordering. Selection order is price descending, then receivedAt ascending, then hash
 * ascending: total and deterministic, the same on every node with the same pool. Eviction
 * order is its exact reverse.
 *
 * Block selection (`ready`) never removes anything. Per flow only the run of consecutive
 * sequences starting at the chain's next one is ready (a gap ends the run). Flows are merged
 * by price with a heap of queue heads, so each flow's order is kept; a head that does not
 * fit the remaining gas or bytes is skipped with the rest of its flow, and selection
 * continues with the other flows until maxCount is reached or no head is left.
 *
 * Upkeep. After a block commits, `removeIncluded` drops its transactions and `dropStale`
 * drops every pending transaction whose sequence is below the chain's next one (included
 * from another node, or replaced on chain). `prune(now)` drops transactions older than
 * ttlMs together with the later transactions of their flows, which could no longer run.
 *
 * Cost. add / removal: O(log n) (binary search in a queue bounded by the config, one update
 * of the heap of queue tails, plus O(k log k) for k evictions); a block's removal updates
 * each flow it touches once. ready: O(s + k log s) for k
 * selected over s flows. dropStale, prune, pending: O(n).
 */
import { type MempoolConfig, resolveMempoolConfig } from "./config.js";
import { formatNonce, MempoolError } from "./errors.js";
import { type EvictionNeed, type EvictionPlan, planEviction } from "./eviction.js";
import { IndexedHeap } from "./heap.js";
import { checkPoolTx, checkU64, evictsBefore, type PoolTx, selectsBefore } from "./poolTx.js";
import { type NextSequence, type ReadyOptions, selectReady } from "./selection.js";
import { SenderQueue } from "./senderQueue.js";

/** What `add` did besides inserting: the transaction replaced (if any) and those evicted. */
export interface AddResult<T> {
  /** The pending transaction with the same sender, key and sequence that the new one replaced. */
  replaced?: PoolTx<T>;
  /** Transactions evicted to make room (cheapest queue tails), in eviction order. */
  evicted: PoolTx<T>[];
}

/** Counters for monitoring: transactions, their bytes, distinct senders. */
export interface MempoolStats {
  count: number;
  bytes: number;
  senders: number;
}

interface SenderEntry<T> {
  count: number;
  queues: Map<bigint, SenderQueue<T>>;
}

/** The smallest price that may replace a pending transaction paying `old`. */
export function replacementMinimum(old: bigint, bumpPercent: number): bigint {
  const bumped = (old * BigInt(100 + bumpPercent) + 99n) / 100n;
  return bumped > old ? bumped : old + 1n;
}

/** The pending transactions, indexed by hash and by nonce flow. See the rules above. */
export class Mempool<T> {
  /** The resolved configuration (defaults filled in). */
  readonly config: Readonly<MempoolConfig>;
  private readonly byHash = new Map<string, PoolTx<T>>();
  private readonly senders = new Map<string, SenderEntry<T>>();
  private readonly tails = new IndexedHeap<SenderQueue<T>>((a, b) =>
    evictsBefore(a.tail() as PoolTx<T>, b.tail() as PoolTx<T>),
  );
  private totalBytes = 0;
  private readonly maxNonceGap: bigint;

  /** Throws `INVALID_CONFIG` on a bad field; see {@link resolveMempoolConfig}. */
  constructor(config: Partial<MempoolConfig> = {}) {
    this.config = Object.freeze(resolveMempoolConfig(config));
    this.maxNonceGap = BigInt(this.config.maxNonceGap);
  }

  /** Number of pending transactions. */
  get size(): number {
    return this.byHash.size;
  }

  /** Sum of the pending transactions' encoded sizes. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The pending transaction with this hash, if any. */
  get(hash: string): PoolTx<T> | undefined {
    return this.byHash.get(hash);
  }

  /** Whether a transaction with this hash is pending. */
  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** The pending transaction of `sender` at (nonceKey, sequence), if any. */
  pendingAt(sender: string, nonceKey: bigint, sequence: bigint): PoolTx<T> | undefined {
    const queue = this.senders.get(sender)?.queues.get(nonceKey);
    return queue?.at(queue.indexOf(sequence));
  }

  /** Number of transactions `sender` has pending, over all its nonce keys. */
  senderCount(sender: string): number {
    return this.senders.get(sender)?.count ?? 0;
  }

  /** Current counters: transactions, bytes, senders with something pending. */
  stats(): MempoolStats {
    return { count: this.byHash.size, bytes: this.totalBytes, senders: this.senders.size };
  }

  /** Every pending transaction in selection order (price descending), for RPC listings. */
  pending(): PoolTx<T>[] {
    return [...this.byHash.values()].sort((a, b) => (selectsBefore(a, b) ? -1 : selectsBefore(b, a) ? 1 : 0));
  }

  /**
   * Admits `tx`, given `nextSequence`, the chain's next sequence for (tx.sender,
   * tx.nonceKey). Returns the replaced transaction (same flow and sequence) if any, and the
   * transactions evicted to make room. Throws a MempoolError, leaving the pool unchanged,
   * when a rule refuses it (see the top of this file).
   */
  add(tx: PoolTx<T>, nextSequence: bigint): AddResult<T> {
    checkPoolTx(tx);
    checkU64("add: nextSequence", nextSequence);
    const cfg = this.config;
    if (this.byHash.has(tx.hash)) {
      throw new MempoolError("ALREADY_KNOWN", `transaction ${tx.hash} is already pending`);
    }
    if (tx.size > cfg.maxTxBytes) {
      throw new MempoolError(
        "TOO_LARGE",
        `transaction ${tx.hash} is ${tx.size} bytes; the largest accepted is ${cfg.maxTxBytes} bytes`,
      );
    }
    if (tx.price < cfg.minPrice) {
      throw new MempoolError(
        "FEE_TOO_LOW",
        `transaction ${tx.hash} pays ${tx.price}; the minimum price is ${cfg.minPrice}`,
      );
    }
    if (tx.sequence < nextSequence || tx.sequence - nextSequence > this.maxNonceGap) {
      throw this.nonceError(tx, nextSequence);
    }

    const queue = this.senders.get(tx.sender)?.queues.get(tx.nonceKey);
    const old = queue?.at(queue.indexOf(tx.sequence));
    if (old !== undefined) {
      const minimum = replacementMinimum(old.price, cfg.replacementBumpPercent);
      if (tx.price < minimum) {
        const nonce = formatNonce(tx.nonceKey, tx.sequence);
        throw new MempoolError(
          "REPLACEMENT_UNDERPRICED",
          `transaction ${tx.hash} would replace ${old.hash} (nonce ${nonce} of ${tx.sender}) paying ` +
            `${old.price}; ` +
            `a replacement must pay at least ${minimum} (+${cfg.replacementBumpPercent}%), got ${tx.price}`,
        );
      }
    } else if (this.senderCount(tx.sender) >= cfg.maxPerSender) {
      throw new MempoolError(
        "SENDER_LIMIT",
        `transaction ${tx.hash}: sender ${tx.sender} already has ${this.senderCount(tx.sender)} pending transactions, ` +
          `the most allowed per sender is ${cfg.maxPerSender}`,
      );
    }

    const need: EvictionNeed = {
      count: this.byHash.size + (old === undefined ? 1 : 0) - cfg.maxTransactions,
      bytes: this.totalBytes - (old?.size ?? 0) + tx.size - cfg.maxBytes,
    };
    let evicted: PoolTx<T>[] = [];
    if (need.count > 0 || need.bytes > 0) {
      const plan = planEviction(this.tails, queue, tx.sequence, need);
      if (!plan.enough || plan.maxVictimPrice >= tx.price) throw this.fullError(tx, old, plan);
      evicted = plan.victims;
      for (const victim of evicted) this.remove(victim);
    }

    if (old !== undefined) {
      this.replace(old, tx);
      return { replaced: old, evicted };
    }
    this.insert(tx);
    return { evicted };
  }

  /**
   * The block builder's selection (nothing is removed): ready transactions merged by price
   * across flows, each flow in sequence order from the chain's next one, within
   * `maxGas`/`maxBytes`/`maxCount`. See {@link selectReady}.
   */
  ready(nextSequence: NextSequence, options: ReadyOptions<T>): PoolTx<T>[] {
    return selectReady(this.queues(), nextSequence, options);
  }

  /**
   * Removes the transactions of a committed block; returns those that were pending, in the
   * order of `hashes` (each once). Each nonce flow is updated once, whatever number of its
   * transactions the block holds (a block takes a run from the front of a flow: one splice
   * and one update of the heap of tails per flow, not one per transaction).
   */
  removeIncluded(hashes: Iterable<string>): PoolTx<T>[] {
    const removed: PoolTx<T>[] = [];
    const byQueue = new Map<SenderQueue<T>, PoolTx<T>[]>();
    for (const hash of hashes) {
      const tx = this.byHash.get(hash);
      if (tx === undefined) continue;
      this.byHash.delete(hash); // a hash given twice is removed once
      removed.push(tx);
      const queue = this.queueOf(tx);
      const list = byQueue.get(queue);
      if (list === undefined) byQueue.set(queue, [tx]);
      else list.push(tx);
    }
    for (const [queue, txs] of byQueue) this.detach(queue, queue.removeAll(txs));
    return removed;
  }

  /**
   * Drops every pending transaction whose sequence is below the chain's next one for its
   * flow (used on chain by another transaction, or included elsewhere). Returns them.
   */
  dropStale(nextSequence: NextSequence): PoolTx<T>[] {
    const dropped: PoolTx<T>[] = [];
    for (const queue of [...this.queues()]) {
      const next = nextSequence(queue.sender, queue.nonceKey);
      checkU64(() => `dropStale: next sequence of ${queue.sender} key ${queue.nonceKey}`, next);
      if ((queue.at(0) as PoolTx<T>).sequence >= next) continue;
      this.detach(queue, queue.removeBelow(next), dropped);
    }
    return dropped;
  }

  /**
   * Drops transactions received more than ttlMs before `nowMs`, and with each the later
   * transactions of its flow (they could never run without it). Returns them.
   */
  prune(nowMs: number): PoolTx<T>[] {
    if (typeof nowMs !== "number" || Number.isNaN(nowMs)) {
      throw new MempoolError("INVALID_ARGUMENT", `prune: nowMs must be a time in ms, got ${nowMs}`);
    }
    const cutoff = nowMs - this.config.ttlMs;
    const dropped: PoolTx<T>[] = [];
    for (const queue of [...this.queues()]) {
      for (let i = 0; i < queue.length; i++) {
        if ((queue.at(i) as PoolTx<T>).receivedAt < cutoff) {
          this.detach(queue, queue.removeFrom(i), dropped);
          break;
        }
      }
    }
    return dropped;
  }

  private *queues(): IterableIterator<SenderQueue<T>> {
    for (const entry of this.senders.values()) yield* entry.queues.values();
  }

  private insert(tx: PoolTx<T>): void {
    let entry = this.senders.get(tx.sender);
    if (entry === undefined) {
      entry = { count: 0, queues: new Map() };
      this.senders.set(tx.sender, entry);
    }
    let queue = entry.queues.get(tx.nonceKey);
    const fresh = queue === undefined;
    if (queue === undefined) {
      queue = new SenderQueue<T>(tx.sender, tx.nonceKey);
      entry.queues.set(tx.nonceKey, queue);
    }
    queue.insert(tx);
    entry.count++;
    this.byHash.set(tx.hash, tx);
    this.totalBytes += tx.size;
    if (fresh) this.tails.push(queue);
    else this.tails.update(queue);
  }

  private replace(old: PoolTx<T>, tx: PoolTx<T>): void {
    const queue = this.senders.get(old.sender)?.queues.get(old.nonceKey) as SenderQueue<T>;
    queue.replaceAt(queue.indexOf(old.sequence), tx);
    this.byHash.delete(old.hash);
    this.byHash.set(tx.hash, tx);
    this.totalBytes += tx.size - old.size;
    this.tails.update(queue);
  }

  private remove(tx: PoolTx<T>): void {
    const queue = this.queueOf(tx);
    this.detach(queue, [queue.removeAt(queue.indexOf(tx.sequence))]);
  }

  /** The queue of a pending transaction's flow. */
  private queueOf(tx: PoolTx<T>): SenderQueue<T> {
    return this.senders.get(tx.sender)?.queues.get(tx.nonceKey) as SenderQueue<T>;
  }

  /** Books `removed` (already taken out of `queue`) out of the indexes and counters. */
  private detach(queue: SenderQueue<T>, removed: PoolTx<T>[], into?: PoolTx<T>[]): void {
    const entry = this.senders.get(queue.sender) as SenderEntry<T>;
    for (const tx of removed) {
      this.byHash.delete(tx.hash);
      this.totalBytes -= tx.size;
      into?.push(tx);
    }
    entry.count -= removed.length;
    if (queue.length > 0) {
      this.tails.update(queue);
      return;
    }
    this.tails.remove(queue);
    entry.queues.delete(queue.nonceKey);
    if (entry.queues.size === 0) this.senders.delete(queue.sender);
  }

  private nonceError(tx: PoolTx<T>, nextSequence: bigint): MempoolError {
    const what = `transaction ${tx.hash} from ${tx.sender}`;
    const nonce = formatNonce(tx.nonceKey, tx.sequence);
    const next = formatNonce(tx.nonceKey, nextSequence);
    if (tx.sequence < nextSequence) {
      return new MempoolError(
        "NONCE_TOO_LOW",
        `${what}: nonce ${nonce} is already used; the next is ${next}`,
      );
    }
    const last = formatNonce(tx.nonceKey, nextSequence + this.maxNonceGap);
    return new MempoolError(
      "NONCE_TOO_FAR",
      `${what}: nonce ${nonce} is too far ahead; the next is ${next} and at most ` +
        `${this.config.maxNonceGap} ahead (up to ${last}) is accepted`,
    );
  }

  private fullError(tx: PoolTx<T>, old: PoolTx<T> | undefined, plan: EvictionPlan<T>): MempoolError {
    const cfg = this.config;
    const what = `transaction ${tx.hash}`;
    const state =
      plan.binding === "bytes"
        ? `the mempool holds ${this.totalBytes} of ${cfg.maxBytes} bytes and ${what} needs ` +
          `${tx.size - (old?.size ?? 0)} more`
        : `the mempool holds ${this.byHash.size} of ${cfg.maxTransactions} transactions`;
    const code = plan.binding === "bytes" ? "POOL_BYTES_FULL" : "POOL_FULL";
    if (!plan.enough) {
      return new MempoolError(
        code,
        `${state}, and not enough can be evicted for ${what} (only queue tails are evicted, ` +
          "never the new transaction's own predecessors)",
      );
    }
    const needed = plan.maxVictimPrice + 1n;
    return new MempoolError(
      code,
      `${state}; to make room ${what} would evict ${plan.victims.length} transaction(s) paying up to ` +
        `${plan.maxVictimPrice}, so it must pay at least ${needed}, got ${tx.price}`,
    );
  }
}
