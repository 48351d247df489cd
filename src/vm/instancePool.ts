/**
 * Reused contract instances. Creating a `WebAssembly.Instance` was the largest single
 * item of a token transfer (about 13% of its time, plus the garbage its import wrappers
 * leave), so each VM keeps the instances its calls finished with, per compiled module,
 * and hands one out again instead of instantiating.
 *
 * Reuse is invisible to the contract. An instance's state is its memory and its mutable
 * globals (tables cannot change: the instructions that would change them are refused at
 * deployment). Every byte of the memory a call may have changed is written when the instance
 * comes back: zeros, or (for a module with a start function snapshot, `startSnapshot.ts`)
 * the snapshot the next call most likely starts from, on zeros. A call that started from
 * the snapshot and returned changed nothing below the lowest byte its stores and the host
 * wrote (`wasm/storeReach.ts`): the snapshot is written back from there only. When it goes out the data
 * or the snapshot is copied in if the memory does not hold it already (a snapshot is zeroed
 * first for a call that runs the start function), so a call starts as in a fresh instance; the
 * dispatcher the instrumenter adds sets every mutable global back to its initial value
 * (or to the snapshot's) before anything else runs (`wasm/dispatcher.ts`).
 * An instance whose memory grew is not kept: its memory goes back to the memory pool.
 *
 * Bounded: idle instances hold their memories, so between transactions the pool keeps
 * at most `maxIdleBytes` of them (default 16 MiB, 256 one-page contracts) and at most 8
 * per module; past that, the module used least recently gives one up. A module's list
 * stays in the pool while it is empty, and recency is a release counter, not the map's
 * order: acquiring and releasing then allocate nothing (deleting and re-adding map
 * entries did).
 *
 * Pinned for the transaction: every module a transaction acquired keeps all of its
 * instances until the transaction ends (`pin` with the next transaction's id trims the
 * pool back to its bounds), so a second call to a contract in the same transaction never
 * instantiates, which is what its warm price assumes (`GAS.CALL` against `GAS.COLD_CALL`,
 * `callContract.ts`). What a transaction pins is bounded: every instance in use at once
 * runs a distinct contract (reentrancy is refused), so the instances kept hold at most the
 * initial memory of the distinct contracts the transaction ran, which `MAX_TX_CONTRACT_PAGES`
 * caps (128 MiB).
 *
 * One pool per VM: an instance is bound to the host functions it was created with.
 */
import { globalCounters } from "./counters.js";
import type { Counter, GasCounter } from "./frame.js";
import { MemoryViews, NO_WRITE } from "./memoryAccess.js";
import type { MemoryPool } from "./memoryPool.js";
import type { CachedModule } from "./moduleCache.js";
import {
  CALL_EXPORT,
  GAS_GLOBAL,
  LOW_GLOBAL,
  MEMORY_IMPORT_MODULE,
  REACH_GLOBAL,
  STACK_GLOBAL,
} from "./wasm/index.js";

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
  /** The lowest address the call's stores wrote at (`wasm/storeReach.ts`; absent without metering). */
  readonly low: Counter | undefined;
  /** What the memory holds while the instance is idle: zeros, or its module's snapshot. */
  holds: "zeros" | "snapshot";
  /** Whether the call it was last handed out for started on the module's snapshot. */
  fromSnapshot: boolean;
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
  /**
   * The transaction `tx` (`TxState.id`) is running: modules acquired from now on keep their
   * instances until a call with another id, which first trims the pool to its bounds.
   */
  pin(tx: number): void;
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
 * counts back.
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

/**
 * Start of what a call may have changed: the lowest address its stores wrote at (a
 * store's static offset only adds to it) or the host wrote; 0 when that is not known (a
 * call that did not return normally, a module compiled without metering). Sets the counts
 * back.
 */
function dirtyStart(warm: WarmInstance, returned: boolean): number {
  const hostStart = warm.views.hostStart;
  warm.views.hostStart = NO_WRITE;
  if (warm.low === undefined) return 0;
  const low = warm.low.value >>> 0;
  warm.low.value = -1;
  return returned ? Math.min(low, hostStart) : 0;
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
  /** The transaction running (0: none told yet: the bounds then hold at every release). */
  let pinned = 0;
  /** A module's list went past KEEP_PER_MODULE during the transaction. */
  let overKeep = false;

  /**
   * Writes again every byte a call may have changed (`[from, dirty)`): with the snapshot
   * the next call most likely starts from (zeros between its segments: one pass instead of
   * zeroing, then copying it in), or zeros. Bytes from `dirty` on were neither written by
   * the call nor copied in by `acquire`: they hold zeros already. Bytes below `from` were
   * not changed: `from` is above 0 only for a call that started on the snapshot (so they
   * hold it already). The last segment, the globals' slots, is always written: the
   * dispatcher zeroes them with stores no reach counts.
   */
  const clean = (cached: CachedModule, warm: WarmInstance, from: number, dirty: number): void => {
    const bytes = warm.views.bytes();
    const snapshot = cached.snapshot?.memory;
    if (snapshot !== undefined) {
      let end = from;
      const last = snapshot.length - 1;
      for (let i = 0; i <= last; i++) {
        const s = snapshot[i] as (typeof snapshot)[number];
        const sEnd = s.offset + s.bytes.length;
        if (end < dirty) bytes.fill(0, end, Math.min(s.offset, dirty));
        if (i === last || from <= s.offset) bytes.set(s.bytes, s.offset);
        else if (from < sEnd && from < dirty) bytes.set(s.bytes.subarray(from - s.offset), from);
        if (sEnd > end) end = sEnd;
      }
      if (end < dirty) bytes.fill(0, end, dirty);
      warm.holds = "snapshot";
    } else {
      bytes.fill(0, 0, dirty);
      warm.holds = "zeros";
    }
  };
  const drop = (warm: WarmInstance): void => {
    stats.idleBytes -= warm.memory.buffer.byteLength;
    memories.release(warm.memory);
  };
  /**
   * Back to the bounds: at most KEEP_PER_MODULE idle instances per module, then at most
   * `maxIdleBytes`, given up by the modules released least recently first. One sort,
   * not a scan per eviction: a transaction may have pinned thousands.
   */
  const trim = (): void => {
    const lists = [...idle].sort((a, b) => a[1].lastRelease - b[1].lastRelease);
    if (overKeep)
      for (const [, list] of lists)
        while (list.warm.length > KEEP_PER_MODULE) drop(list.warm.pop() as WarmInstance);
    overKeep = false;
    for (const [module, list] of lists) {
      if (stats.idleBytes <= maxIdleBytes) break;
      while (list.warm.length > 0 && stats.idleBytes > maxIdleBytes) drop(list.warm.pop() as WarmInstance);
      if (list.warm.length === 0) idle.delete(module);
    }
  };

  return {
    acquire(cached, fromSnapshot = false) {
      let warm = idle.get(cached)?.warm.pop();
      if (warm !== undefined) {
        stats.reused++;
        stats.idleBytes -= warm.views.size();
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
        const low = exports[LOW_GLOBAL] as WebAssembly.Global | undefined;
        const counters =
          gas !== undefined && stack !== undefined && reach !== undefined && low !== undefined
            ? globalCounters(gas, stack, reach, low)
            : undefined;
        warm = {
          memory,
          views: new MemoryViews(memory),
          call: exports[CALL_EXPORT] as WarmInstance["call"],
          gas: counters?.gas,
          stack: counters?.stack,
          reach: counters?.reach,
          low: counters?.low,
          holds: "zeros",
          fromSnapshot: false,
        };
      }
      const bytes = warm.views.bytes();
      const snapshot = cached.snapshot?.memory;
      warm.fromSnapshot = fromSnapshot && snapshot !== undefined;
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
      const size = warm.views.size();
      if (size !== cached.initialPages * PAGE) {
        memories.release(warm.memory); // it grew: a call must start from the declared size
        return;
      }
      let list = idle.get(cached);
      if (list === undefined) {
        list = { warm: [], lastRelease: 0 };
        idle.set(cached, list);
      }
      list.lastRelease = ++tick;
      const from = dirtyStart(warm, returned);
      clean(cached, warm, warm.fromSnapshot ? from : 0, dirtyEnd(cached, warm, size, returned));
      list.warm.push(warm);
      stats.idleBytes += size;
      if (list.warm.length > KEEP_PER_MODULE) overKeep = true;
      // Kept whatever the bounds while the transaction runs (pinned); trimmed when it ends.
      if (pinned === 0 && (overKeep || stats.idleBytes > maxIdleBytes)) trim();
    },
    pin(tx) {
      if (tx === pinned) return;
      pinned = tx;
      if (overKeep || stats.idleBytes > maxIdleBytes) trim();
    },
    stats,
  };
}
