/**
 * Binary heaps used by the mempool: a plain one (block selection, eviction planning) and an
 * indexed one whose items know their position, so any item can be removed or re-sorted in
 * O(log n) (the pool's heap of queue tails).
 */

/** `before(a, b)` is true when `a` must come out of the heap before `b`. */
export type Before<T> = (a: T, b: T) => boolean;

/** The sift operations both heaps share; `place` is where an item lands at a position. */
abstract class HeapBase<T> {
  protected readonly items: T[] = [];

  constructor(protected readonly before: Before<T>) {}

  get size(): number {
    return this.items.length;
  }

  protected place(item: T, i: number): void {
    this.items[i] = item;
  }

  protected up(i: number): void {
    const items = this.items;
    const item = items[i] as T;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.before(item, p)) break;
      this.place(p, i);
      i = parent;
    }
    this.place(item, i);
  }

  protected down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.before(items[right] as T, items[child] as T)) child = right;
      const c = items[child] as T;
      if (!this.before(c, item)) break;
      this.place(c, i);
      i = child;
    }
    this.place(item, i);
  }
}

/** A binary heap ordered by `before`; the first item out is the one no other item precedes. */
export class Heap<T> extends HeapBase<T> {
  /** Builds a heap from `items` in O(n). */
  constructor(before: Before<T>, items: T[] = []) {
    super(before);
    for (const item of items) this.items.push(item);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** Removes and returns the first item, or undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }
}

/** An item of an {@link IndexedHeap}: the heap keeps `heapIndex` up to date (-1 when not in it). */
export interface HeapSlot {
  heapIndex: number;
}

/**
 * A binary heap whose items record their own position, so `remove` and `update` of any item
 * are O(log n). `at(i)` exposes the array layout (children of i at 2i+1, 2i+2) for read-only
 * walks in heap order.
 */
export class IndexedHeap<T extends HeapSlot> extends HeapBase<T> {
  /** The item at array position `i` (0 is the first out), or undefined past the end. */
  at(i: number): T | undefined {
    return this.items[i];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  /** Removes `item` (a no-op if it is not in the heap). */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.update(last);
  }

  /** Restores the order after `item`'s key changed. */
  update(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    if (i > 0 && this.before(item, this.items[(i - 1) >> 1] as T)) this.up(i);
    else this.down(i);
  }

  protected override place(item: T, i: number): void {
    this.items[i] = item;
    item.heapIndex = i;
  }
}
