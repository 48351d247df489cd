/**
 * Compiling Solidity for verification: the request's sources and settings are checked and
 * bounded here (`checkSourceRequest`, `solcInput`), then compiled by solc-js in a child
 * process of its own (`solcWorker.ts`, kept for the next compilation) that is killed at the
 * time limit (SIGKILL: safe at any moment, where terminating a thread in the middle of
 * WebAssembly could abort or hang the node); at most `MAX_COMPILATIONS` run at once on a
 * node, a further request is refused `BUSY` rather than queued. The node compiles with the solc-js it has (the `solc` package):
 * a request for another version is refused with the version it has, since fetching
 * compilers is not something a node should do.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EvmVerifyError } from "./evmVerifyError.js";
import { SOLC_CHILD_ARG, type SolcAnswer, type SolcJob } from "./solcWorker.js";

/** The sources' total size at most (the RPC body is 1 MiB by default: hex doubles nothing here, JSON escapes a little). */
export const MAX_SOURCE_BYTES = 768 * 1024;
export const MAX_SOURCE_FILES = 256;
export const MAX_PATH_CHARS = 512;
/** How long one compilation may take, loading the compiler included (a few seconds on an idle machine). */
export const DEFAULT_COMPILE_TIMEOUT_MS = 120_000;
/** Compilations at once on a node. */
export const MAX_COMPILATIONS = 2;
/** The compiler process's heap. */
const COMPILER_HEAP_MB = 1024;

/** The settings a verification may give; solc's own defaults apply to the rest. */
const SETTINGS = new Set(["optimizer", "evmVersion", "viaIR", "metadata", "libraries", "remappings"]);

export interface SourceRequest {
  /** Source unit name (as the imports name it) → its text. */
  sources: Record<string, string>;
  /** `Name` or `path:Name`. */
  contract: string;
  settings?: Record<string, unknown>;
  compilerVersion?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a request as it came over RPC: shapes and bounds. */
export function checkSourceRequest(value: unknown): SourceRequest {
  if (!isObject(value))
    throw new EvmVerifyError("BAD_INPUT", "expected { sources, contract, settings?, compilerVersion? }");
  const { sources, contract, settings, compilerVersion } = value;
  for (const key of Object.keys(value))
    if (!["sources", "contract", "settings", "compilerVersion"].includes(key))
      throw new EvmVerifyError("BAD_INPUT", `unknown field ${JSON.stringify(key.slice(0, 64))}`, [
        "the fields are sources, contract, settings and compilerVersion",
      ]);
  if (!isObject(sources) || Object.keys(sources).length === 0)
    throw new EvmVerifyError("BAD_INPUT", "sources: expected an object of { path: source text }");
  const names = Object.keys(sources);
  if (names.length > MAX_SOURCE_FILES)
    throw new EvmVerifyError("TOO_LARGE", `${names.length} source files: at most ${MAX_SOURCE_FILES}`);
  let bytes = 0;
  const texts: Record<string, string> = {};
  for (const name of names) {
    const text = sources[name];
    // A standard-JSON source { content } is accepted as well as the bare text.
    const content = isObject(text) ? text.content : text;
    if (name.length === 0 || name.length > MAX_PATH_CHARS)
      throw new EvmVerifyError(
        "TOO_LARGE",
        `a source path of ${name.length} characters: 1 to ${MAX_PATH_CHARS}`,
      );
    if (typeof content !== "string")
      throw new EvmVerifyError(
        "BAD_INPUT",
        `sources[${JSON.stringify(name.slice(0, 80))}]: expected its text`,
      );
    bytes += Buffer.byteLength(content) + name.length;
    if (bytes > MAX_SOURCE_BYTES)
      throw new EvmVerifyError("TOO_LARGE", `the sources pass ${MAX_SOURCE_BYTES} bytes`, [
        "verify the contract's own sources and their imports only",
      ]);
    texts[name] = content;
  }
  if (typeof contract !== "string" || !/^([^:]{1,512}:)?[A-Za-z_$][A-Za-z0-9_$]{0,127}$/.test(contract))
    throw new EvmVerifyError("BAD_INPUT", "contract: expected the contract's name, or path:Name");
  if (settings !== undefined && !isObject(settings))
    throw new EvmVerifyError("BAD_INPUT", "settings: expected solc's settings object");
  for (const key of Object.keys(settings ?? {}))
    if (!SETTINGS.has(key))
      throw new EvmVerifyError("BAD_INPUT", `settings.${key.slice(0, 64)} is not taken`, [
        `the settings that change code: ${[...SETTINGS].join(", ")}`,
      ]);
  if (compilerVersion !== undefined && (typeof compilerVersion !== "string" || compilerVersion.length > 80))
    throw new EvmVerifyError("BAD_INPUT", "compilerVersion: expected a version such as 0.8.37");
  return {
    sources: texts,
    contract,
    ...(settings === undefined ? {} : { settings }),
    ...(compilerVersion === undefined ? {} : { compilerVersion }),
  };
}

/** The outputs verification reads, for the contract named `name` only. */
export const OUTPUTS = [
  "abi",
  "metadata",
  "evm.deployedBytecode.object",
  "evm.deployedBytecode.immutableReferences",
];

/** The standard-JSON input for `request`. */
export function solcInput(request: SourceRequest): string {
  const name = request.contract.includes(":")
    ? request.contract.slice(request.contract.lastIndexOf(":") + 1)
    : request.contract;
  return JSON.stringify({
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(request.sources).map(([p, content]) => [p, { content }])),
    settings: { ...(request.settings ?? {}), outputSelection: { "*": { [name]: OUTPUTS } } },
  });
}

export interface SolcCompilerOptions {
  /** How long one compilation may take (default `DEFAULT_COMPILE_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Compilations at once (default `MAX_COMPILATIONS`). */
  maxAtOnce?: number;
  /** How long an idle compiler process is kept for the next compilation (default 60 s). */
  idleMs?: number;
}

export interface SolcCompiler {
  /**
   * Compiles standard-JSON `input` with this node's solc-js; resolves to solc's output (text)
   * and version. Throws `EvmVerifyError` BUSY, COMPILE_TIMEOUT, COMPILER_UNAVAILABLE,
   * COMPILER_VERSION, COMPILE_FAILED (the process died: out of memory).
   */
  compile(input: string, version?: string): Promise<{ version: string; output: string }>;
  /** The process ids of the compiler processes alive (compiling or idle). */
  processes(): number[];
  /** Ends the idle processes. */
  close(): void;
}

/**
 * A compiler of at most `maxAtOnce` child processes, each kept `idleMs` after a compilation
 * so that the next one does not load solc-js again (seconds), killed at once past its time
 * limit or on failure. Compiler processes do not keep the node's process alive, and end
 * with it.
 */
export function createSolcCompiler(options: SolcCompilerOptions = {}): SolcCompiler {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMPILE_TIMEOUT_MS;
  const maxAtOnce = options.maxAtOnce ?? MAX_COMPILATIONS;
  const idleMs = options.idleMs ?? 60_000;
  const idle: Array<{ child: ChildProcess; timer: NodeJS.Timeout }> = [];
  const alive = new Set<ChildProcess>();
  let running = 0;

  const take = (): ChildProcess => {
    const kept = idle.pop();
    if (kept !== undefined) {
      clearTimeout(kept.timer);
      return kept.child;
    }
    // Its own flags only: the node's (--test, --cpu-prof, ...) are not the compiler's.
    const child = fork(fileURLToPath(new URL("./solcWorker.js", import.meta.url)), [SOLC_CHILD_ARG], {
      execArgv: [`--max-old-space-size=${COMPILER_HEAP_MB}`],
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      serialization: "advanced",
    });
    alive.add(child);
    unref(child);
    // A process that ends while idle is forgotten (one that ends while compiling fails that job).
    child.on("exit", () => {
      alive.delete(child);
      const at = idle.findIndex((e) => e.child === child);
      if (at >= 0) {
        clearTimeout(idle[at]?.timer);
        idle.splice(at, 1);
      }
    });
    // A failure to start is reported by `run` (and then "exit").
    child.on("error", () => undefined);
    return child;
  };
  const park = (child: ChildProcess) => {
    const entry = {
      child,
      timer: setTimeout(() => {
        idle.splice(idle.indexOf(entry), 1);
        child.kill("SIGKILL");
      }, idleMs),
    };
    entry.timer.unref();
    idle.push(entry);
  };
  const run = (child: ChildProcess, job: SolcJob) =>
    new Promise<SolcAnswer>((resolve, reject) => {
      const done = (f: () => void) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("error", onError);
        child.off("exit", onExit);
        f();
      };
      const onMessage = (m: SolcAnswer) => done(() => resolve(m));
      const onError = (error: Error) =>
        done(() =>
          reject(new EvmVerifyError("COMPILE_FAILED", `the compiler failed: ${error.message}`.slice(0, 300))),
        );
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done(() =>
          reject(
            new EvmVerifyError(
              "COMPILE_FAILED",
              `the compiler's process stopped (${signal === null ? `exit code ${code}` : signal})`,
            ),
          ),
        );
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new EvmVerifyError("COMPILE_TIMEOUT", `compiling took longer than ${timeoutMs} ms`, [
                "compile fewer or smaller sources",
              ]),
            ),
          ),
        timeoutMs,
      );
      child.on("message", onMessage);
      child.on("error", onError);
      child.on("exit", onExit);
      child.send(job, (error) => {
        if (error !== null) onError(error);
      });
    });

  return {
    async compile(input, version) {
      if (running >= maxAtOnce)
        throw new EvmVerifyError(
          "BUSY",
          `${running} compilations are running on this node: try again shortly`,
        );
      running++;
      const child = take();
      let answer: SolcAnswer;
      try {
        answer = await run(child, { input, ...(version === undefined ? {} : { version }) });
      } catch (error) {
        child.kill("SIGKILL");
        throw error;
      } finally {
        running--;
      }
      park(child);
      if (answer.type === "unavailable")
        throw new EvmVerifyError("COMPILER_UNAVAILABLE", "this node cannot load the Solidity compiler", [
          answer.message.split("\n")[0]?.slice(0, 200) ?? "",
          "install it beside the node: npm install solc",
        ]);
      if (answer.type === "version")
        throw new EvmVerifyError(
          "COMPILER_VERSION",
          `this node compiles with solc ${answer.have}, not ${version}`,
          [
            `compile and deploy with ${answer.have.split("+")[0]}, or leave compilerVersion out`,
            "the node does not download compilers",
          ],
        );
      return { version: answer.version, output: answer.output };
    },
    processes() {
      return [...alive].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
    },
    close() {
      for (const { child, timer } of idle.splice(0)) {
        clearTimeout(timer);
        child.kill("SIGKILL");
      }
    },
  };
}

/** Lets the node's process exit with `child` alive (it ends when its IPC channel closes). */
function unref(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
}
