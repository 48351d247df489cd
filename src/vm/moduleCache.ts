/**
 * Compiled contract modules, keyed by code hash. Compiling (validation, instrumentation,
 * V8 compilation, the start function's snapshot: `startSnapshot.ts`) happens once per
 * code per process; every call then instantiates a
 * fresh instance from the cached module, so no state survives between calls. Each
 * worker thread has its own cache: `WebAssembly.Module`s are cheap to keep and there is
 * nothing to coordinate.
 */
import { createMemoryPool, type MemoryPool } from "./memoryPool.js";
import { type StartSnapshot, takeStartSnapshot } from "./startSnapshot.js";
import { type DataSegment, instrumentModule, validateModule } from "./wasm/index.js";

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
  /** What the start function leaves, when calls can start from it instead of running it. */
  readonly snapshot: StartSnapshot | undefined;
}

export interface ModuleCache {
  /** The compiled module for `codeHash`, compiling `loadCode()` on a miss. */
  get(codeHash: string, loadCode: () => Uint8Array): CachedModule;
  readonly size: number;
  /** Hits and misses since creation. */
  readonly stats: { hits: number; misses: number };
  /** The memories calls run in (same thread as the modules). */
  readonly memories: MemoryPool;
}

export interface ModuleCacheOptions {
  /** Inject gas and stack metering (default true). Off only for benchmarks of metering's cost. */
  metering?: boolean;
  /** Most modules kept; the least recently used is dropped past this (default 1024). */
  capacity?: number;
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
  return {
    module,
    methods,
    initIndex,
    codeBytes: code.length,
    initialPages: prepared.initialPages,
    data: prepared.data,
    snapshot: startSnapshot ? takeStartSnapshot(module, prepared) : undefined,
  };
}

/** @example const cache = createModuleCache(); cache.get(hashHex, () => code) */
export function createModuleCache(options: ModuleCacheOptions = {}): ModuleCache {
  const metering = options.metering ?? true;
  const snapshots = options.startSnapshots ?? true;
  const capacity = options.capacity ?? 1024;
  /** Each module with the tick of its last use: a hit only bumps the tick. */
  const entries = new Map<string, { module: CachedModule; used: number }>();
  let clock = 0;
  const stats = { hits: 0, misses: 0 };
  const memories = createMemoryPool();
  return {
    get(codeHash, loadCode) {
      const hit = entries.get(codeHash);
      if (hit !== undefined) {
        stats.hits++;
        hit.used = ++clock;
        return hit.module;
      }
      stats.misses++;
      const compiled = compileContract(loadCode(), metering, snapshots);
      entries.set(codeHash, { module: compiled, used: ++clock });
      if (entries.size > capacity) {
        // Past capacity (rare: a miss on a full cache), drop the least recently used.
        let oldest: string | undefined;
        let oldestUse = Number.POSITIVE_INFINITY;
        for (const [hash, e] of entries) {
          if (e.used < oldestUse) {
            oldestUse = e.used;
            oldest = hash;
          }
        }
        if (oldest !== undefined) entries.delete(oldest);
      }
      return compiled;
    },
    get size() {
      return entries.size;
    },
    stats,
    memories,
  };
}
