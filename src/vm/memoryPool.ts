/**
 * Reused contract memories. Every call gets a fresh instance, but not a fresh
 * `WebAssembly.Memory`: mapping a new one and faulting its pages in costs several times
 * more than the rest of instantiation. A memory comes back zeroed (every byte, over its
 * whole current size) before it is handed out again, so a call can never see another's
 * data. One pool per VM (per thread); memories are bucketed by their size in pages,
 * since a memory that grew cannot shrink.
 *
 * Bounded by bytes: the idle memories together stay within `maxIdleBytes` (default
 * 4 MiB) at every moment. A memory that does not fit makes room by dropping the largest
 * idle ones (grown memories first: they serve only a module declaring that many pages),
 * or is dropped itself when nothing idle is larger. Dropped memories are left to the
 * garbage collector. Without a byte bound a transaction growing memories of every size
 * left up to 16 of each of the 64 sizes here, about 2 GiB per VM, for good.
 *
 * Why 4 MiB: memories come here only when an instance is created (`instancePool.ts`),
 * when one grew (never reused by its module) or when the instance pool trims its idle
 * instances. The shipped workloads (token, swap, lending, staking, DeFi mix blocks)
 * keep their 1-6 instances in the instance pool and take nothing from here (measured:
 * 0 reuses in 3 sequential blocks of 2,000 each), so this serves only instantiations
 * past the instance pool's bounds; 4 MiB holds 64 one-page memories.
 */
import { MAX_MEMORY_PAGES } from "./limits.js";

const PAGE = 65536;
/** Memories kept per size; more are left to the garbage collector. */
const KEEP_PER_SIZE = 16;
const DEFAULT_MAX_IDLE_BYTES = 4 * 1024 * 1024;

export interface MemoryPoolStats {
  created: number;
  reused: number;
  /** Memories given back and left to the garbage collector (over a bound). */
  dropped: number;
  /** Bytes of the idle memories kept (at most the pool's `maxIdleBytes`). */
  idleBytes: number;
}

export interface MemoryPool {
  /** A zeroed memory of exactly `pages` pages (maximum `MAX_MEMORY_PAGES`). */
  acquire(pages: number): WebAssembly.Memory;
  /** Returns a memory after its call; it is zeroed here, or dropped to stay within the bounds. */
  release(memory: WebAssembly.Memory): void;
  readonly maxIdleBytes: number;
  readonly stats: MemoryPoolStats;
}

export function createMemoryPool(maxIdleBytes = DEFAULT_MAX_IDLE_BYTES): MemoryPool {
  const free = new Map<number, WebAssembly.Memory[]>();
  const stats: MemoryPoolStats = { created: 0, reused: 0, dropped: 0, idleBytes: 0 };
  /** The largest size in pages with an idle memory (0: none). */
  const largestIdle = (): number => {
    let largest = 0;
    for (const [pages, list] of free) if (list.length > 0 && pages > largest) largest = pages;
    return largest;
  };
  return {
    acquire(pages) {
      const reuse = free.get(pages)?.pop();
      if (reuse !== undefined) {
        stats.reused++;
        stats.idleBytes -= pages * PAGE;
        return reuse;
      }
      stats.created++;
      return new WebAssembly.Memory({ initial: pages, maximum: MAX_MEMORY_PAGES });
    },
    release(memory) {
      const buffer = memory.buffer;
      const bytes = buffer.byteLength;
      const pages = bytes / PAGE;
      let list = free.get(pages);
      if (list !== undefined ? list.length >= KEEP_PER_SIZE : bytes > maxIdleBytes) {
        stats.dropped++;
        return;
      }
      if (list === undefined) {
        list = [];
        free.set(pages, list);
      }
      // Room by dropping the largest idle memories, unless this one is the largest.
      while (stats.idleBytes + bytes > maxIdleBytes) {
        const largest = largestIdle();
        if (largest <= pages) {
          stats.dropped++;
          return;
        }
        (free.get(largest) as WebAssembly.Memory[]).pop();
        stats.idleBytes -= largest * PAGE;
        stats.dropped++;
      }
      new Uint8Array(buffer).fill(0);
      list.push(memory);
      stats.idleBytes += bytes;
    },
    maxIdleBytes,
    stats,
  };
}
