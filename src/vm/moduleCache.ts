/**
 * Compiled contract modules, keyed by code hash. Compiling (validation, instrumentation,
 * V8 compilation of every function, eagerly: `eagerCompile.ts`; the start function's
 * snapshot: `startSnapshot.ts`; 100-850 ns per code byte) is work no call pays for (a
 * call's gas never depends on what a thread holds), so it must never happen on a call,
 * however many contracts exist and whatever the thread:
 *
 * - **Held**: the code of the committed state. A node compiles every stored code once, on
 *   its main thread, when it opens (`loadCode` in `storedCode.ts`), then each code a
 *   block commits; the deployment paid for that (`DEPLOY_BYTE`). With a `preparedStore`
 *   (the node's data directory), `load` keeps each committed code's prepared form
 *   (`preparedForm.ts`) and, at the next open, builds the module from it: V8 compiles the
 *   instrumented bytes, and validation, instrumentation and the start probe (about two
 *   thirds of the work) are not done again. A form missing, damaged or made by other
 *   preparation code is refused, and the code is prepared again. Held modules are never
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
 * - **Shared within a block**: the executors of one parallel engine (its workers and the
 *   main thread) are each other's `share`d peers (`modulePeers.ts`). A cache that prepares
 *   code on a miss sends the module and its prepared form to the others, and a cache
 *   takes what its peers sent before preparing anything itself: code deployed in a block
 *   is prepared once, by the worker that ran the deployment, not again by every worker
 *   that calls it and by the main thread when the block commits.
 *
 * A call instantiates a fresh instance from the module, so no state survives between calls.
 */
import "./eagerCompile.js";
import type { MessagePort } from "node:worker_threads";
import { GAS } from "./gasSchedule.js";
import { createMemoryPool, type MemoryPool } from "./memoryPool.js";
import { type ModulePeers, modulePeers, variantOf } from "./modulePeers.js";
import { decodePrepared, encodePrepared, type PreparedContract, type PreparedStore } from "./preparedForm.js";
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
  /** What every call pays for the dispatcher's work on the mutable globals (`GAS.FRAME_GLOBAL` each). */
  readonly globalsGas: number;
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
  /** Full preparations (validation, instrumentation, probe, V8): `load`s of new code and misses. */
  compiles: number;
  /** Modules `load`ed from a prepared form kept in the `preparedStore` (V8 compiled them, nothing else). */
  restored: number;
  /** Modules adopted from another thread (no compilation). */
  adopted: number;
  /** Modules a peer prepared during a block and sent (`modulePeers.ts`), taken instead of preparing them here. */
  shared: number;
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
  /**
   * Exchanges modules prepared during a block with the other executors of an engine, one
   * port to each (`modulePeers.ts`); replaces any earlier ports.
   */
  share(ports: readonly MessagePort[]): void;
  /**
   * Takes what the peers sent so far (`beginBlock` and misses do too): the main thread calls
   * it at each commit, so that modules of code that never committed (a reverted deployment)
   * do not wait in its ports; they go to the bounded transient set.
   */
  takeShared(): void;
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
  /**
   * Where `load` keeps the prepared form of committed code and looks for it before
   * preparing code again (`preparedForm.ts`): the node's data directory. Used only with
   * metering and start snapshots on (what the node runs).
   */
  preparedStore?: PreparedStore;
}

/** Compiles a contract the way the node runs it. */
export function compileContract(code: Uint8Array, metering = true, startSnapshot = true): CachedModule {
  return prepareContract(code, metering, startSnapshot).module;
}

/**
 * Prepares a contract (validation, instrumentation, the start function's probe) and
 * compiles it: the module, and the prepared form it was compiled from (`preparedForm.ts`).
 */
export function prepareContract(
  code: Uint8Array,
  metering = true,
  startSnapshot = true,
): { module: CachedModule; prepared: PreparedContract } {
  const instrumented = instrumentModule(validateModule(code), metering);
  const module = new WebAssembly.Module(instrumented.bytes);
  const prepared: PreparedContract = {
    bytes: instrumented.bytes,
    methods: instrumented.methods,
    codeBytes: code.length,
    initialPages: instrumented.initialPages,
    mutableGlobals: instrumented.globalTypes.length,
    data: instrumented.data,
    snapshot: startSnapshot ? takeStartSnapshot(module, instrumented) : undefined,
    storeReach: instrumented.storeReach,
  };
  return { module: cachedModule(prepared, module), prepared };
}

/**
 * The module of a prepared contract: V8 compiles `prepared.bytes` unless `module` is
 * that compilation already. The only work of a node start for a contract whose prepared
 * form it kept.
 */
export function cachedModule(prepared: PreparedContract, module?: WebAssembly.Module): CachedModule {
  const methods = new Map(prepared.methods.map((name, i) => [name, i]));
  const initIndex = methods.get("init") ?? -1;
  methods.delete("init");
  // The snapshot's segments are not counted: the pool writes them whole on every release.
  let copiedEnd = 0;
  for (const s of prepared.data) copiedEnd = Math.max(copiedEnd, s.offset + s.bytes.length);
  return {
    module: module ?? new WebAssembly.Module(prepared.bytes),
    methods,
    initIndex,
    codeBytes: prepared.codeBytes,
    initialPages: prepared.initialPages,
    data: prepared.data,
    dataGas: dataCopyGas(prepared.data),
    globalsGas: GAS.FRAME_GLOBAL * prepared.mutableGlobals,
    snapshot: prepared.snapshot,
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
  const transient = new Map<
    string,
    { module: CachedModule; used: number; block: number; prepared: PreparedContract | undefined }
  >();
  let tick = 0;
  /** The block running (0: never told, nothing is kept past the capacity). */
  let block = 0;
  const stats: ModuleCacheStats = { hits: 0, misses: 0, compiles: 0, restored: 0, adopted: 0, shared: 0 };
  let peers: ModulePeers | undefined;
  const memories = createMemoryPool();
  // Forms are kept only of what the node runs (the fingerprint does not cover these options).
  const store = metering && snapshots ? options.preparedStore : undefined;
  const compile = (code: Uint8Array): { module: CachedModule; prepared: PreparedContract } => {
    stats.compiles++;
    return prepareContract(code, metering, snapshots);
  };
  /** The module of committed code: from its kept form if it is sound, else prepared again and kept. */
  const loadKept = (codeHash: string, code: Uint8Array, s: PreparedStore): CachedModule => {
    const hash = Buffer.from(codeHash, "hex");
    const form = s.get(codeHash);
    const kept = form === undefined ? undefined : decodePrepared(form, hash, code.length);
    if (kept !== undefined) {
      try {
        const module = cachedModule(kept);
        stats.restored++;
        return module;
      } catch {
        // V8 refused the bytes (a form made by a different V8): prepare again below.
      }
    }
    const compiled = compile(code);
    s.put(codeHash, encodePrepared(hash, compiled.prepared));
    return compiled.module;
  };
  /** Keeps a module of uncommitted code, then evicts down to the capacity (least recently used first, sparing this block's). */
  const keepTransient = (
    codeHash: string,
    module: CachedModule,
    prepared: PreparedContract | undefined,
  ): void => {
    transient.set(codeHash, { module, used: ++tick, block, prepared });
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
  };
  /** Takes what the peers prepared and sent since the last look (V8 compiled it already: nothing is compiled here). */
  const takeShared = (): void =>
    peers?.receive((codeHash, prepared, module) => {
      if (held.has(codeHash) || transient.has(codeHash)) return;
      stats.shared++;
      keepTransient(codeHash, cachedModule(prepared, module), store === undefined ? undefined : prepared);
    });
  return {
    get(codeHash, loadCode) {
      const found = held.get(codeHash);
      if (found !== undefined) {
        stats.hits++;
        return found;
      }
      if (!transient.has(codeHash)) takeShared();
      const recent = transient.get(codeHash);
      if (recent !== undefined) {
        stats.hits++;
        recent.used = ++tick;
        recent.block = block;
        return recent.module;
      }
      stats.misses++;
      const compiled = compile(loadCode());
      // The prepared form is kept (in memory) only to be stored if the code commits.
      keepTransient(codeHash, compiled.module, store === undefined ? undefined : compiled.prepared);
      peers?.publish(codeHash, compiled.prepared, compiled.module.module);
      return compiled.module;
    },
    load(codeHash, code) {
      const found = held.get(codeHash);
      if (found !== undefined) return found;
      if (!transient.has(codeHash)) takeShared();
      const recent = transient.get(codeHash);
      let module: CachedModule;
      if (recent === undefined)
        module = store === undefined ? compile(code).module : loadKept(codeHash, code, store);
      else {
        module = recent.module;
        if (store !== undefined && recent.prepared !== undefined)
          store.put(codeHash, encodePrepared(Buffer.from(codeHash, "hex"), recent.prepared));
      }
      transient.delete(codeHash);
      held.set(codeHash, module);
      return module;
    },
    beginBlock() {
      block++;
      // What peers sent in the last block and nobody used: taken now, so that no port's queue grows.
      takeShared();
    },
    adopt(modules) {
      for (const [codeHash, module] of modules) {
        if (held.has(codeHash)) continue;
        held.set(codeHash, module);
        transient.delete(codeHash);
        stats.adopted++;
      }
    },
    takeShared,
    share(ports) {
      peers = modulePeers(ports, variantOf(metering, snapshots));
    },
    held: () => [...held],
    get size() {
      return held.size;
    },
    stats,
    memories,
  };
}
