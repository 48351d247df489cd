/**
 * Reused contract instances. Creating a `WebAssembly.Instance` was the largest single
 * item of a token transfer (about 13% of its time, plus the garbage its import wrappers
 * leave), so each VM keeps the instances its calls finished with, per compiled module,
 * and hands one out again instead of instantiating.
 *
 * Reuse is invisible to the contract. An instance's state is its memory and its mutable
 * globals (tables cannot change: the instructions that would change them are refused at
 * deployment). Every byte of the memory is written when the instance comes back: zeros,
 * or (for a module with a start function snapshot, `startSnapshot.ts`) the snapshot the
 * next call most likely starts from, on zeros. When it goes out the data or the snapshot
 * is copied in if the memory does not hold it already (a snapshot is zeroed first for a
 * call that runs the start function), so a call starts as in a fresh instance; the
 * dispatcher the instrumenter adds sets every mutable global back to its initial value
 * (or to the snapshot's) before anything else runs (`wasm/dispatcher.ts`).
 * An instance whose memory grew is not kept: its memory goes back to the memory pool.
 *
 * Bounded: idle instances hold their memories, so the pool keeps at most
 * `maxIdleBytes` of them (default 16 MiB, 256 one-page contracts) and at most 8 per
 * module; past that, the module used least recently gives one up.
 *
 * One pool per VM: an instance is bound to the host functions it was created with.
 */
import { MemoryViews } from "./memoryAccess.js";
import type { MemoryPool } from "./memoryPool.js";
import type { CachedModule } from "./moduleCache.js";
import { CALL_EXPORT, GAS_GLOBAL, MEMORY_IMPORT_MODULE, STACK_GLOBAL } from "./wasm/index.js";

const PAGE = 65536;
/** Idle instances kept per module; a deeper nesting of the same code instantiates. */
const KEEP_PER_MODULE = 8;
const DEFAULT_MAX_IDLE_BYTES = 16 * 1024 * 1024;

export interface WarmInstance {
  readonly memory: WebAssembly.Memory;
  /** Views of `memory`, kept with the instance (`memoryAccess.ts`). */
  readonly views: MemoryViews;
  /** The dispatcher: `call(method index, mode)` (`wasm/dispatcher.ts`). */
  readonly call: (method: number, mode: number) => void;
  /** The metering counters (absent when the module was compiled without metering). */
  readonly gas: WebAssembly.Global | undefined;
  readonly stack: WebAssembly.Global | undefined;
  /** What the memory holds while the instance is idle: zeros, or its module's snapshot. */
  holds: "zeros" | "snapshot";
}

export interface InstancePool {
  /**
   * An instance of `cached` whose memory holds exactly the module's data on zeroes, or
   * with `fromSnapshot` the memory its start function leaves (`cached.snapshot`).
   */
  acquire(cached: CachedModule, fromSnapshot?: boolean): WarmInstance;
  /** Gives an instance back after its call, whatever way the call ended. */
  release(cached: CachedModule, instance: WarmInstance): void;
  readonly stats: { created: number; reused: number; idleBytes: number };
}

export function createInstancePool(
  memories: MemoryPool,
  host: WebAssembly.ModuleImports,
  maxIdleBytes = DEFAULT_MAX_IDLE_BYTES,
): InstancePool {
  /** Idle instances per module, modules in order of last release (oldest first). */
  const idle = new Map<CachedModule, WarmInstance[]>();
  const stats = { created: 0, reused: 0, idleBytes: 0 };

  /** Drops one idle instance of the least recently released module; false if none. */
  const evictOne = (): boolean => {
    for (const [module, list] of idle) {
      const warm = list.pop();
      if (list.length === 0) idle.delete(module);
      if (warm === undefined) continue;
      stats.idleBytes -= warm.memory.buffer.byteLength;
      memories.release(warm.memory);
      return true;
    }
    return false;
  };

  return {
    acquire(cached, fromSnapshot = false) {
      const list = idle.get(cached);
      let warm = list?.pop();
      if (warm !== undefined) {
        stats.reused++;
        stats.idleBytes -= warm.memory.buffer.byteLength;
        if (list?.length === 0) idle.delete(cached);
      } else {
        stats.created++;
        const memory = memories.acquire(cached.initialPages);
        const instance = new WebAssembly.Instance(cached.module, {
          weft: host,
          [MEMORY_IMPORT_MODULE]: { memory },
        });
        const exports = instance.exports as Record<string, unknown>;
        warm = {
          memory,
          views: new MemoryViews(memory),
          call: exports[CALL_EXPORT] as WarmInstance["call"],
          gas: exports[GAS_GLOBAL] as WebAssembly.Global | undefined,
          stack: exports[STACK_GLOBAL] as WebAssembly.Global | undefined,
          holds: "zeros",
        };
      }
      const bytes = warm.views.bytes();
      const snapshot = cached.snapshot?.memory;
      if (fromSnapshot && snapshot !== undefined) {
        if (warm.holds === "zeros") for (const s of snapshot) bytes.set(s.bytes, s.offset);
      } else {
        if (warm.holds === "snapshot" && snapshot !== undefined)
          for (const s of snapshot) bytes.fill(0, s.offset, s.offset + s.bytes.length);
        for (const segment of cached.data) bytes.set(segment.bytes, segment.offset);
      }
      return warm;
    },
    release(cached, warm) {
      const size = warm.memory.buffer.byteLength;
      const list = idle.get(cached) ?? [];
      if (size !== cached.initialPages * PAGE || list.length >= KEEP_PER_MODULE || size > maxIdleBytes) {
        memories.release(warm.memory);
        return;
      }
      // Make room from the other modules, least recently released first.
      idle.delete(cached);
      while (stats.idleBytes + size > maxIdleBytes && evictOne()) {}
      if (list.length > 0) idle.set(cached, list); // now the most recently released
      if (stats.idleBytes + size > maxIdleBytes) {
        memories.release(warm.memory); // this module's own idle ones fill the budget
        return;
      }
      // Every byte is written: with the snapshot the next call most likely starts from
      // (zeros between its segments: one pass instead of zeroing, then copying it in), or zeros.
      const bytes = warm.views.bytes();
      const snapshot = cached.snapshot?.memory;
      if (snapshot !== undefined) {
        let end = 0;
        for (const s of snapshot) {
          bytes.fill(0, end, s.offset);
          bytes.set(s.bytes, s.offset);
          end = s.offset + s.bytes.length;
        }
        bytes.fill(0, end);
        warm.holds = "snapshot";
      } else {
        bytes.fill(0);
        warm.holds = "zeros";
      }
      list.push(warm);
      idle.set(cached, list);
      stats.idleBytes += size;
    },
    stats,
  };
}
