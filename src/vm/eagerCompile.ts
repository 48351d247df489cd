/**
 * Compile every function of a contract module when the module is compiled, not on its
 * first execution. V8 compiles WebAssembly lazily by default: each function on its first
 * call, once per process. That work (35-70 ns per code byte run) would then fall on the
 * first call of a contract after a node starts, which no gas pays for (a call's gas must
 * not depend on what this process has compiled). Compiled eagerly, it happens where it is
 * paid: at deployment (`GAS.DEPLOY_BYTE`, `GAS.COMPILE_MODULE`) and at node start
 * (`storedCode.ts`; from the kept prepared form, this compile is most of what a start
 * does per contract: `bench/startupCode.ts`). `bench/calibrate.ts` measures both ("compile on a cache miss",
 * "first call after a restart").
 *
 * The flag is the process's (every thread shares V8's flags); it is set once, when this
 * module loads, before any contract is compiled.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--no-wasm-lazy-compilation");
