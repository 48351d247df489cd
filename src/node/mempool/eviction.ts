/**
 * Planning which transactions to evict when the pool is full, without touching the pool.
 *
 * Only a queue's tail may go (evicting from the middle would strand the later ones), and
 * after a tail goes, the transaction before it becomes that queue's tail. The cheapest
 * candidates are found by walking the pool's heap of queue tails in heap order (a node's
 * children are pushed only once it is taken, so only O(k) heap entries are looked at for
 * k victims) merged with the "next tail" of every queue already cut: O(k log k), nothing
 * mutated, so a rejected `add` leaves the pool exactly as it was.
 */
import { Heap, type IndexedHeap } from "./heap.js";
import { evictsBefore, type PoolTx } from "./poolTx.js";
import type { SenderQueue } from "./senderQueue.js";

/** How much the pool must free before the new transaction fits (<= 0: nothing). */
export interface EvictionNeed {
  count: number;
  bytes: number;
}

/** The outcome of {@link planEviction}. */
export interface EvictionPlan<T> {
  /** The transactions to evict, in the order they were chosen (cheapest first per step). */
  victims: PoolTx<T>[];
  /** Whether evicting `victims` frees enough; false when the candidates ran out. */
  enough: boolean;
  /** The limit still unmet when the last victim was chosen (or when candidates ran out). */
  binding: "count" | "bytes";
  /** The highest price among `victims` (-1n when none): the new transaction must pay more. */
  maxVictimPrice: bigint;
}

interface Candidate<T> {
  tx: PoolTx<T>;
  queue: SenderQueue<T>;
  /** Position of `tx` in its queue. */
  pos: number;
  /** Position of the queue in the tails heap when `tx` is that queue's real tail, else -1. */
  heapIndex: number;
}

/**
 * Chooses the cheapest transactions that can be evicted to free `need`, never a
 * transaction of `ownQueue` at or below `ownSequence` (the new transaction's predecessors
 * and the one it replaces).
 */
export function planEviction<T>(
  tails: IndexedHeap<SenderQueue<T>>,
  ownQueue: SenderQueue<T> | undefined,
  ownSequence: bigint,
  need: EvictionNeed,
): EvictionPlan<T> {
  const candidates = new Heap<Candidate<T>>((a, b) => evictsBefore(a.tx, b.tx));
  const evictable = (queue: SenderQueue<T>, tx: PoolTx<T>) => queue !== ownQueue || tx.sequence > ownSequence;
  const pushHeapNode = (i: number): void => {
    const queue = tails.at(i);
    if (queue === undefined) return;
    const pos = queue.length - 1;
    const tx = queue.at(pos) as PoolTx<T>;
    if (evictable(queue, tx)) {
      candidates.push({ tx, queue, pos, heapIndex: i });
    } else {
      // The new transaction's own queue has nothing to offer; look past it.
      pushHeapNode(2 * i + 1);
      pushHeapNode(2 * i + 2);
    }
  };
  pushHeapNode(0);

  const victims: PoolTx<T>[] = [];
  let freedCount = 0;
  let freedBytes = 0;
  let maxVictimPrice = -1n;
  let binding: "count" | "bytes" = need.bytes > 0 ? "bytes" : "count";
  while (freedCount < need.count || freedBytes < need.bytes) {
    binding = freedBytes < need.bytes ? "bytes" : "count";
    const c = candidates.pop();
    if (c === undefined) return { victims, enough: false, binding, maxVictimPrice };
    victims.push(c.tx);
    freedCount++;
    freedBytes += c.tx.size;
    if (c.tx.price > maxVictimPrice) maxVictimPrice = c.tx.price;
    if (c.heapIndex >= 0) {
      pushHeapNode(2 * c.heapIndex + 1);
      pushHeapNode(2 * c.heapIndex + 2);
    }
    const before = c.queue.at(c.pos - 1);
    if (before !== undefined && evictable(c.queue, before)) {
      candidates.push({ tx: before, queue: c.queue, pos: c.pos - 1, heapIndex: -1 });
    }
  }
  return { victims, enough: true, binding, maxVictimPrice };
}
