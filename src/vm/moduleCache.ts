/**
 * Compiled contract modules, keyed by code hash. Compiling (validation, instrumentation,
 * V8 compilation of every function, eagerly: `eagerCompile.ts`; the start function's
 * snapshot: `startSnapshot.ts`; 100-850 ns per code byte) is work no call pays for (a
 * call's gas never depends on what a thread holds), so it must never happen on a call,
 * however many contracts exist and whatever the thread:
 *
 * - **Held**: the code of the committed state. A node compiles every stored code once, on
 *   its main thread, when it opens (`loadCode` in `storedCode.ts`), then each code a
 *   block commits; the deployment paid for that (`DEPLOY_BYTE`). Held modules are never
 *   evicted: their memory is bounded by the state's code, which costs 500 gas per byte
 *   (ARCHITECTURE.md, "Compiled code is held, not cached", has the figures). Other
 *   threads (engine, admission and read-only workers) `adopt` the main thread's modules
 *   by message: `WebAssembly.Module`s cross threads without compiling again.
 * - **Transient**: modules compiled outside the committed state: a deployment that has
 *   not committed (it may never: `weft_estimateGas`, a reverted block), or code written
 *   earlier in the same block by another thread. Bounded (`transientCapacity`, least
 *   recently used first out) so that uncommitted code cannot grow memory; `load` of a
 *   transient module makes it held without compiling again. An executor calls
 *   `beginBlock` before each block: a module used during the block is then never evicted
 *   before the next block begins, so calls cycling through more new contracts than the
 *   capacity cannot make every call compile again (each of them was deployed in this
 *   block and paid `COMPILE_MODULE`, so the block's gas bounds them).
 *
 * A call instantiates a fresh instance from the module, so no state survives between calls.
 */
import "./eagerCompile.js";
import { createMemoryPool, type MemoryPool } from "./memoryPool.js";
import { type StartSnapshot, takeStartSnapshot } from "./startSnapshot.js";
import { type DataSegment, dataCopyGas, instrumentModule, validateModule } from "./wasm/index.js";

export interface CachedModule {
  readonly module: WebAssembly.Module;
  /** Callable methods (exports of type () -> (), minus `init`) and their dispatch index. */
  readonly methods: ReadonlyMap<string, number>;
  /** Dispatch index of the constructor, or -1. */
  readonly initIndex: number;
  readonly codeBytes: number;
  /** Pages of memory a call starts with, and the static data copied into it. */
  readonly initialPages: number;
  readonly data: readonly DataSegment[];
  /** What every call pays to have `data` copied in (`dataCopyGas`). */
  readonly dataGas: number;
  /** What the start function leaves, when calls can start from it instead of running it. */
  readonly snapshot: StartSnapshot | undefined;
  /**
   * What bounds a call's writes with `__weft_reach` (`wasm/storeReach.ts`), or undefined
   * when the module was compiled without metering (its memory is reset whole).
   */
  readonly storeReach: number | undefined;
  /**
   * End of the highest data segment byte the pool copies in (the snapshot's segments are
   * written whole again on every release).
   */
  readonly copiedEnd: number;
}

/** Modules with their code hashes, as sent to another thread (structured clone keeps the compiled code). */
export type ModuleList = Array<[codeHash: string, module: CachedModule]>;

export interface ModuleCacheStats {
  /** `get`s answered from a module held or transient. */
  hits: number;
  /** `get`s that had to compile (code no thread had loaded yet). */
  misses: number;
  /** Compilations of any kind: `load`s of new code and misses. */
  compiles: number;
  /** Modules adopted from another thread (no compilation). */
  adopted: number;
}

export interface ModuleCache {
  /** The module for `codeHash`, compiling `loadCode()` on a miss (kept as transient). */
  get(codeHash: string, loadCode: () => Uint8Array): CachedModule;
  /** Holds the module of committed `code` for good, compiling it only if no form of it is here. */
  load(codeHash: string, code: Uint8Array): CachedModule;
  /**
   * A new block starts: modules used from now until the next `beginBlock` stay (over the
   * capacity if need be). Caches never told (read-only calls) evict by recency alone.
   */
  beginBlock(): void;
  /** Holds a module compiled on another thread. */
  adopt(modules: ModuleList): void;
  /** Every held module (what another thread needs to adopt). */
  held(): ModuleList;
  /** Held modules. */
  readonly size: number;
  readonly stats: ModuleCacheStats;
  /** The memories calls run in (same thread as the modules). */
  readonly memories: MemoryPool;
}

export interface ModuleCacheOptions {
  /** Inject gas and stack metering (default true). Off only for benchmarks of metering's cost. */
  metering?: boolean;
  /** Most transient modules kept (default 64). Held modules are never dropped. */
  transientCapacity?: number;
  /**
   * Start calls from the start function's snapshot (`startSnapshot.ts`; default true).
   * Off only to compare with running it on every call (tests, benchmarks): results and
   * gas are the same either way.
   */
  startSnapshots?: boolean;
}

/** Compiles a contract the way the node runs it. */
export function compileContract(code: Uint8Array, metering = true, startSnapshot = true): CachedModule {
  const prepared = instrumentModule(validateModule(code), metering);
  const methods = new Map(prepared.methods.map((name, i) => [name, i]));
  const initIndex = methods.get("init") ?? -1;
  methods.delete("init");
  const module = new WebAssembly.Module(prepared.bytes);
  const snapshot = startSnapshot ? takeStartSnapshot(module, prepared) : undefined;
  // The snapshot's segments are not counted: the pool writes them whole on every release.
  let copiedEnd = 0;
  for (const s of prepared.data) copiedEnd = Math.max(copiedEnd, s.offset + s.bytes.length);
  return {
    module,
    methods,
    initIndex,
    codeBytes: code.length,
    initialPages: prepared.initialPages,
    data: prepared.data,
    dataGas: dataCopyGas(prepared.data),
    snapshot,
    storeReach: prepared.storeReach,
    copiedEnd,
  };
}

/** @example const cache = createModuleCache(); cache.load(hashHex, code); cache.get(hashHex, () => code) */
export function createModuleCache(options: ModuleCacheOptions = {}): ModuleCache {
  const metering = options.metering ?? true;
  const snapshots = options.startSnapshots ?? true;
  const transientCapacity = options.transientCapacity ?? 64;
  const held = new Map<string, CachedModule>();
  /**
   * With the tick of their last use: a hit bumps it (re-inserting into the map, to keep
   * its order as the recency, allocated on every call); the least recent goes first out.
   */
  const transient = new Map<string, { module: CachedModule; used: number; block: number }>();
  let tick = 0;
  /** The block running (0: never told, nothing is kept past the capacity). */
  let block = 0;
  const stats: ModuleCacheStats = { hits: 0, misses: 0, compiles: 0, adopted: 0 };
  const memories = createMemoryPool();
  const compile = (code: Uint8Array): CachedModule => {
    stats.compiles++;
    return compileContract(code, metering, snapshots);
  };
  return {
    get(codeHash, loadCode) {
      const found = held.get(codeHash);
      if (found !== undefined) {
        stats.hits++;
        return found;
      }
      const recent = transient.get(codeHash);
      if (recent !== undefined) {
        stats.hits++;
        recent.used = ++tick;
        recent.block = block;
        return recent.module;
      }
      stats.misses++;
      const compiled = compile(loadCode());
      transient.set(codeHash, { module: compiled, used: ++tick, block });
      // Down to the capacity, least recently used first, sparing this block's modules.
      while (transient.size > transientCapacity) {
        let oldest: string | undefined;
        let oldestUse = Number.POSITIVE_INFINITY;
        for (const [hash, entry] of transient)
          if (entry.used < oldestUse && (block === 0 || entry.block !== block)) {
            oldest = hash;
            oldestUse = entry.used;
          }
        if (oldest === undefined) break;
        transient.delete(oldest);
      }
      return compiled;
    },
    load(codeHash, code) {
      const found = held.get(codeHash);
      if (found !== undefined) return found;
      const compiled = transient.get(codeHash)?.module ?? compile(code);
      transient.delete(codeHash);
      held.set(codeHash, compiled);
      return compiled;
    },
    beginBlock() {
      block++;
    },
    adopt(modules) {
      for (const [codeHash, module] of modules) {
        if (held.has(codeHash)) continue;
        held.set(codeHash, module);
        transient.delete(codeHash);
        stats.adopted++;
      }
    },
    held: () => [...held],
    get size() {
      return held.size;
    },
    stats,
    memories,
  };
}
