/**
 * The EVM in a realm of its own, so that the engine can run it synchronously.
 *
 * `@ethereumjs/evm` is written with `async` functions throughout: every state access is
 * an `await`, even when the state manager answers at once. Weft's engines call a
 * transaction executor synchronously (`engine/types.ts`: a Block-STM worker runs a task
 * to its end before it takes the next one). So the ethereumjs packages are loaded here
 * into a `node:vm` context made with `microtaskMode: "afterEvaluate"`: such a context
 * has its own microtask queue, which V8 drains completely before `runInContext` returns.
 * With a state manager that answers synchronously (`stateManager.ts`), a whole EVM call,
 * every `await` inside it included, has run when `runSync` returns. No event loop turn,
 * no I/O, no timers: the EVM never waits on anything but its own promises.
 *
 * Rules that keep it so:
 * - Only the `@ethereumjs/*` CommonJS builds are compiled in the context (their `async`
 *   functions and promises belong to it); their other dependencies (`@noble/*`, `debug`,
 *   `eventemitter3`: synchronous code) are the host's modules.
 * - The context's typed arrays are the host's, so bytes cross in both directions and
 *   `instanceof Uint8Array` holds on either side.
 * - A callback handed to a context promise must be the context's own (a host function
 *   as a `then` handler would run on the host's queue, after `runSync` returned): the
 *   script below stores the outcome in a context global instead.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/** The parts of the ethereumjs packages Weft uses, as loaded in the realm. */
export interface EvmPackages {
  evm: typeof import("@ethereumjs/evm");
  common: typeof import("@ethereumjs/common");
  util: typeof import("@ethereumjs/util");
}

/** A realm holding the ethereumjs packages; `runSync` runs one async job to its end. */
export interface EvmRealm {
  packages: EvmPackages;
  /**
   * Calls `job(arg)` and returns what its promise settled to (or throws its error). `job`
   * must be a plain function (not `async`) returning a promise made by the realm's code,
   * such as `(opts) => evm.runCall(opts)`: an `async` host function would await on the
   * host's queue.
   */
  runSync<A, T>(job: (arg: A) => Promise<T>, arg: A): T;
  /**
   * Evaluates `source` (an expression) in the realm: how a function whose `async` body must
   * await the realm's promises on the realm's own queue is made (a host `async` function
   * would resume on the host's queue, after `runSync` returned).
   */
  evaluate<T>(source: string): T;
}

interface RealmGlobals {
  __job?: (arg: unknown) => Promise<unknown>;
  __arg?: unknown;
  __done?: boolean;
  __ok?: boolean;
  __value?: unknown;
}

const RUN = new vm.Script(
  "__done = false; __job(__arg).then((v) => { __ok = true; __value = v; __done = true; }, (e) => { __ok = false; __value = e; __done = true; });",
  { filename: "weft-evm-realm.js" },
);

function sandboxGlobals(): Record<string, unknown> {
  return {
    Uint8Array,
    Uint8ClampedArray,
    Uint16Array,
    Uint32Array,
    Int8Array,
    Int16Array,
    Int32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    ArrayBuffer,
    SharedArrayBuffer,
    DataView,
    TextEncoder,
    TextDecoder,
    console,
    process,
  };
}

type Pad = (msg: Uint8Array, length: number, opts?: { allowTruncate?: boolean }) => Uint8Array;
interface PadFunctions {
  setLengthLeft: Pad;
  setLengthRight: Pad;
}

/**
 * `@ethereumjs/util`'s `setLengthLeft` / `setLengthRight` pad by spreading both arrays into
 * a new one (`[...zeros, ...msg]`): ~1–2 µs for every 32-byte word MSTORE, SLOAD, SSTORE and
 * their keys make, several times the rest of the instruction. Padding is replaced by one
 * allocation and a copy, with the same results; every other case (no padding needed, a
 * value too long, not bytes) still goes to the original, which returns or throws as before.
 * The package's modules read the functions through its exports at each call, so they see these.
 */
function padWithoutSpread(bytes: PadFunctions): void {
  const { setLengthLeft, setLengthRight } = bytes;
  bytes.setLengthLeft = (msg, length, opts) => {
    if (!(msg instanceof Uint8Array) || msg.length >= length) return setLengthLeft(msg, length, opts);
    const out = new Uint8Array(length);
    out.set(msg, length - msg.length);
    return out;
  };
  bytes.setLengthRight = (msg, length, opts) => {
    if (!(msg instanceof Uint8Array) || msg.length >= length) return setLengthRight(msg, length, opts);
    const out = new Uint8Array(length);
    out.set(msg, 0);
    return out;
  };
}

/** Loads the ethereumjs packages into a fresh realm (about 0.3 s; once per thread is enough). */
export function createEvmRealm(): EvmRealm {
  const sandbox = sandboxGlobals();
  sandbox.globalThis = sandbox;
  const context = vm.createContext(sandbox, { microtaskMode: "afterEvaluate", name: "weft-evm" });
  const modules = new Map<string, { exports: unknown }>();
  const requireFrom = (file: string) => {
    const hostRequire = createRequire(file);
    return (id: string): unknown => {
      const resolved = hostRequire.resolve(id);
      if (!resolved.includes("/@ethereumjs/")) return hostRequire(id);
      const loaded = modules.get(resolved);
      if (loaded !== undefined) return loaded.exports;
      const module = { exports: {} as unknown };
      modules.set(resolved, module);
      const source = readFileSync(resolved, "utf8");
      if (resolved.endsWith(".json")) {
        module.exports = JSON.parse(source);
        return module.exports;
      }
      const body = vm.compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], {
        parsingContext: context,
        filename: resolved,
      });
      body(module.exports, requireFrom(resolved), module, resolved, dirname(resolved));
      return module.exports;
    };
  };
  const load = requireFrom(fileURLToPath(import.meta.url));
  const packages: EvmPackages = {
    evm: load("@ethereumjs/evm") as EvmPackages["evm"],
    common: load("@ethereumjs/common") as EvmPackages["common"],
    util: load("@ethereumjs/util") as EvmPackages["util"],
  };
  const utilIndex = createRequire(fileURLToPath(import.meta.url)).resolve("@ethereumjs/util");
  const bytes = modules.get(`${dirname(utilIndex)}/bytes.js`);
  if (bytes !== undefined) padWithoutSpread(bytes.exports as PadFunctions);
  const globals = context as RealmGlobals;
  return {
    packages,
    runSync<A, T>(job: (arg: A) => Promise<T>, arg: A): T {
      globals.__job = job as (arg: unknown) => Promise<unknown>;
      globals.__arg = arg;
      RUN.runInContext(context);
      const { __done: done, __ok: ok, __value: value } = globals;
      globals.__arg = undefined;
      globals.__value = undefined;
      if (done !== true)
        throw new Error("the EVM waited on something outside its realm (an await that never settled)");
      if (ok !== true) throw value;
      return value as T;
    },
    evaluate<T>(source: string): T {
      return vm.runInContext(source, context) as T;
    },
  };
}
