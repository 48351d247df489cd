/**
 * The pending transactions of one (sender, nonceKey) flow, sorted by sequence. A queue holds
 * at most `maxPerSender` transactions whose sequences were within `maxNonceGap` of the chain
 * when added, so its length is bounded by the config: lookups are binary searches and the
 * array moves of insert/remove are over a handful of entries.
 */
import type { HeapSlot } from "./heap.js";
import type { PoolTx } from "./poolTx.js";

/** One nonce flow's pending transactions, ascending by sequence, no two with one sequence. */
export class SenderQueue<T> implements HeapSlot {
  /** Position in the pool's heap of queue tails (maintained by the heap). */
  heapIndex = -1;
  private readonly txs: PoolTx<T>[] = [];

  constructor(
    readonly sender: string,
    readonly nonceKey: bigint,
  ) {}

  get length(): number {
    return this.txs.length;
  }

  /** The transaction at position `i` (0 = lowest sequence). */
  at(i: number): PoolTx<T> | undefined {
    return this.txs[i];
  }

  /** The highest-sequence transaction: the only one that can be evicted without stranding others. */
  tail(): PoolTx<T> | undefined {
    return this.txs[this.txs.length - 1];
  }

  /** The first position whose sequence is >= `sequence` (`length` if none). */
  lowerBound(sequence: bigint): number {
    let lo = 0;
    let hi = this.txs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.txs[mid] as PoolTx<T>).sequence < sequence) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The position of the transaction with exactly `sequence`, or -1. */
  indexOf(sequence: bigint): number {
    const i = this.lowerBound(sequence);
    return this.txs[i]?.sequence === sequence ? i : -1;
  }

  /** Inserts `tx`, whose sequence must not be in the queue yet. */
  insert(tx: PoolTx<T>): void {
    this.txs.splice(this.lowerBound(tx.sequence), 0, tx);
  }

  /** Puts `tx` in place of the transaction at `i` (same sequence). */
  replaceAt(i: number, tx: PoolTx<T>): void {
    this.txs[i] = tx;
  }

  /** Removes and returns the transaction at `i`. */
  removeAt(i: number): PoolTx<T> {
    return this.txs.splice(i, 1)[0] as PoolTx<T>;
  }

  /**
   * Removes the transactions in `txs` (each in the queue; one given twice is removed once)
   * and returns them in queue order: one splice when they are the queue's first ones (a
   * block takes a flow's run from its front), else one pass over the queue.
   */
  removeAll(txs: readonly PoolTx<T>[]): PoolTx<T>[] {
    let front = txs.length <= this.txs.length;
    for (let i = 0; i < txs.length && front; i++) front = txs[i] === this.txs[i];
    if (front) return this.txs.splice(0, txs.length);
    const gone = new Set(txs);
    const removed: PoolTx<T>[] = [];
    let kept = 0;
    for (const tx of this.txs) {
      if (gone.has(tx)) removed.push(tx);
      else this.txs[kept++] = tx;
    }
    this.txs.length = kept;
    return removed;
  }

  /** Removes and returns every transaction from position `i` on (ascending). */
  removeFrom(i: number): PoolTx<T>[] {
    return this.txs.splice(i);
  }

  /** Removes and returns every transaction with a sequence below `sequence` (ascending). */
  removeBelow(sequence: bigint): PoolTx<T>[] {
    return this.txs.splice(0, this.lowerBound(sequence));
  }

  /** The transactions in sequence order (a copy). */
  toArray(): PoolTx<T>[] {
    return this.txs.slice();
  }
}
