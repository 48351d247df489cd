/**
 * Reused contract memories. Every call gets a fresh instance, but not a fresh
 * `WebAssembly.Memory`: mapping a new one and faulting its pages in costs several times
 * more than the rest of instantiation. A memory comes back zeroed (every byte, over its
 * whole current size) before it is handed out again, so a call can never see another's
 * data. One pool per VM (per thread); memories are bucketed by their size in pages,
 * since a memory that grew cannot shrink.
 */
import { MAX_MEMORY_PAGES } from "./limits.js";

const PAGE = 65536;
/** Memories kept per size; more are left to the garbage collector. */
const KEEP_PER_SIZE = 16;

export interface MemoryPool {
  /** A zeroed memory of exactly `pages` pages (maximum `MAX_MEMORY_PAGES`). */
  acquire(pages: number): WebAssembly.Memory;
  /** Returns a memory after its call; it is zeroed here. */
  release(memory: WebAssembly.Memory): void;
  readonly stats: { created: number; reused: number };
}

export function createMemoryPool(): MemoryPool {
  const free = new Map<number, WebAssembly.Memory[]>();
  const stats = { created: 0, reused: 0 };
  return {
    acquire(pages) {
      const reuse = free.get(pages)?.pop();
      if (reuse !== undefined) {
        stats.reused++;
        return reuse;
      }
      stats.created++;
      return new WebAssembly.Memory({ initial: pages, maximum: MAX_MEMORY_PAGES });
    },
    release(memory) {
      const buffer = memory.buffer;
      const pages = buffer.byteLength / PAGE;
      let list = free.get(pages);
      if (list === undefined) {
        list = [];
        free.set(pages, list);
      }
      if (list.length >= KEEP_PER_SIZE) return;
      new Uint8Array(buffer).fill(0);
      list.push(memory);
    },
    stats,
  };
}
