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
 * module; past that, the module used least recently gives one up. A module's list stays
 * in the pool while it is empty, and recency is a release counter, not the map's order:
 * acquiring and releasing then allocate nothing (deleting and re-adding map entries did).
 *
 * One pool per VM: an instance is bound to the host functions it was created with.
 */
import { globalCounters } from "./counters.js";
import type { Counter, GasCounter } from "./frame.js";
import { MemoryViews } from "./memoryAccess.js";
import type { MemoryPool } from "./memoryPool.js";
import type { CachedModule } from "./moduleCache.js";
import { CALL_EXPORT, GAS_GLOBAL, MEMORY_IMPORT_MODULE, REACH_GLOBAL, STACK_GLOBAL } from "./wasm/index.js";

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
  /** The metering counters, read and written in place (absent when the module was compiled without metering). */
  readonly gas: GasCounter | undefined;
  readonly stack: Counter | undefined;
  /** How far the call's stores reached (`wasm/storeReach.ts`; absent without metering). */
  readonly reach: Counter | undefined;
  /** What the memory holds while the instance is idle: zeros, or its module's snapshot. */
  holds: "zeros" | "snapshot";
}

export interface InstancePool {
  /**
   * An instance of `cached` whose memory holds exactly the module's data on zeroes, or
   * with `fromSnapshot` the memory its start function leaves (`cached.snapshot`).
   */
  acquire(cached: CachedModule, fromSnapshot?: boolean): WarmInstance;
  /**
   * Gives an instance back after its call, whatever way the call ended: `returned` when
   * the call returned normally (its store reach then bounds what it wrote: only that much
   * of the memory is reset; otherwise all of it).
   */
  release(cached: CachedModule, instance: WarmInstance, returned?: boolean): void;
  readonly stats: { created: number; reused: number; idleBytes: number };
}

interface IdleList {
  readonly warm: WarmInstance[];
  /** The pool's release tick when this module last gave an instance back. */
  lastRelease: number;
}

/**
 * End of what a call may have changed in `warm`'s memory of `size` bytes: below its
 * stores' reach (`wasm/storeReach.ts`), the host's writes and what `acquire` copies in;
 * the whole memory after a call that did not return normally (some of its functions
 * never reported their stores) or for a module compiled without metering. Sets the
 * counts back to 0.
 */
function dirtyEnd(cached: CachedModule, warm: WarmInstance, size: number, returned: boolean): number {
  const hostEnd = warm.views.hostEnd;
  warm.views.hostEnd = 0;
  if (warm.reach === undefined || cached.storeReach === undefined) return size;
  const reach = warm.reach.value >>> 0;
  warm.reach.value = 0;
  if (!returned) return size;
  return Math.min(size, Math.max(reach + cached.storeReach, hostEnd, cached.copiedEnd));
}

export function createInstancePool(
  memories: MemoryPool,
  host: WebAssembly.ModuleImports,
  maxIdleBytes = DEFAULT_MAX_IDLE_BYTES,
): InstancePool {
  /** Idle instances per module, with the release tick of the last one given back. */
  const idle = new Map<CachedModule, IdleList>();
  const stats = { created: 0, reused: 0, idleBytes: 0 };
  let tick = 0;

  /**
   * Drops one idle instance of the least recently released module other than `keep`;
   * false if there is none. A list it empties leaves the pool.
   */
  const evictOne = (keep: IdleList): boolean => {
    let oldest: CachedModule | undefined;
    let oldestList: IdleList | undefined;
    for (const [module, list] of idle) {
      if (list === keep || list.warm.length === 0) continue;
      if (oldestList === undefined || list.lastRelease < oldestList.lastRelease) {
        oldest = module;
        oldestList = list;
      }
    }
    const warm = oldestList?.warm.pop();
    if (oldest === undefined || oldestList === undefined || warm === undefined) return false;
    if (oldestList.warm.length === 0) idle.delete(oldest);
    stats.idleBytes -= warm.memory.buffer.byteLength;
    memories.release(warm.memory);
    return true;
  };

  return {
    acquire(cached, fromSnapshot = false) {
      let warm = idle.get(cached)?.warm.pop();
      if (warm !== undefined) {
        stats.reused++;
        stats.idleBytes -= warm.memory.buffer.byteLength;
      } else {
        stats.created++;
        const memory = memories.acquire(cached.initialPages);
        const instance = new WebAssembly.Instance(cached.module, {
          weft: host,
          [MEMORY_IMPORT_MODULE]: { memory },
        });
        const exports = instance.exports as Record<string, unknown>;
        const gas = exports[GAS_GLOBAL] as WebAssembly.Global | undefined;
        const stack = exports[STACK_GLOBAL] as WebAssembly.Global | undefined;
        const reach = exports[REACH_GLOBAL] as WebAssembly.Global | undefined;
        const counters =
          gas !== undefined && stack !== undefined && reach !== undefined
            ? globalCounters(gas, stack, reach)
            : undefined;
        warm = {
          memory,
          views: new MemoryViews(memory),
          call: exports[CALL_EXPORT] as WarmInstance["call"],
          gas: counters?.gas,
          stack: counters?.stack,
          reach: counters?.reach,
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
    release(cached, warm, returned = false) {
      const size = warm.memory.buffer.byteLength;
      let list = idle.get(cached);
      if (
        size !== cached.initialPages * PAGE ||
        (list?.warm.length ?? 0) >= KEEP_PER_MODULE ||
        size > maxIdleBytes
      ) {
        memories.release(warm.memory);
        if (list?.warm.length === 0) idle.delete(cached);
        return;
      }
      if (list === undefined) {
        list = { warm: [], lastRelease: 0 };
        idle.set(cached, list);
      }
      list.lastRelease = ++tick;
      // Make room from the other modules, least recently released first.
      while (stats.idleBytes + size > maxIdleBytes && evictOne(list)) {}
      if (stats.idleBytes + size > maxIdleBytes) {
        memories.release(warm.memory); // this module's own idle ones fill the budget
        if (list.warm.length === 0) idle.delete(cached);
        return;
      }
      // Every byte the call may have changed is written again: with the snapshot the next
      // call most likely starts from (zeros between its segments: one pass instead of
      // zeroing, then copying it in), or zeros. Bytes from `dirtyEnd` on were neither
      // written by the call nor copied in by `acquire`: they hold zeros already.
      const bytes = warm.views.bytes();
      const dirty = dirtyEnd(cached, warm, size, returned);
      const snapshot = cached.snapshot?.memory;
      if (snapshot !== undefined) {
        let end = 0;
        for (const s of snapshot) {
          if (end < dirty) bytes.fill(0, end, Math.min(s.offset, dirty));
          bytes.set(s.bytes, s.offset);
          end = s.offset + s.bytes.length;
        }
        if (end < dirty) bytes.fill(0, end, dirty);
        warm.holds = "snapshot";
      } else {
        bytes.fill(0, 0, dirty);
        warm.holds = "zeros";
      }
      list.warm.push(warm);
      stats.idleBytes += size;
    },
    stats,
  };
}
