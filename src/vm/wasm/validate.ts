/**
 * Deployment-time validation: decides whether a module may become a contract, and names
 * the reason when it may not (a `DeployError` with a code). Checks, in order: size, the
 * module-level rules (`parseModule.ts`), every instruction (`instructions.ts`), the
 * exports (`memory`, methods of type `() -> ()`, nothing reserved), V8's own validation
 * of everything else (types, stack discipline, indices), and last each function's frame
 * size in stack units (`stackHeight.ts`), at most `MAX_FRAME_UNITS`.
 */
import { DeployError } from "../errors.js";
import { MAX_CODE_BYTES, MAX_FRAME_UNITS, MAX_LOCALS } from "../limits.js";
import { decodeInstructions, type Instruction } from "./instructions.js";
import { EXPORT_FUNC, EXPORT_MEMORY, type ParsedModule, parseModule } from "./parseModule.js";
import { frameUnits } from "./stackHeight.js";

/** Names starting with this are the node's (instrumentation exports). */
export const RESERVED_PREFIX = "__";

export interface ContractInfo {
  /** Exported `() -> ()` functions, `init` included if present. */
  methods: string[];
  hasInit: boolean;
  hasStart: boolean;
  /** Pages of memory the module declares to start with. */
  initialPages: number;
  /** Functions the module defines (imports not counted). */
  functions: number;
}

export interface ValidatedModule {
  info: ContractInfo;
  parsed: ParsedModule;
  /** Decoded instructions of every defined function. */
  code: Instruction[][];
  /** Stack units one call of each defined function costs (`stackHeight.ts`). */
  frameUnits: number[];
}

export function validateModule(bytes: Uint8Array): ValidatedModule {
  if (bytes.length > MAX_CODE_BYTES) {
    throw new DeployError("CODE_TOO_LARGE", `code of ${bytes.length} bytes (max ${MAX_CODE_BYTES})`);
  }
  const parsed = parseModule(bytes);
  const code = parsed.bodies.map((body, i) => {
    const fn = parsed.importedFunctionCount + i;
    const type = parsed.types[parsed.functionTypes[fn] as number];
    if (type !== undefined && type.params.length + body.localCount > MAX_LOCALS) {
      throw new DeployError("MODULE_LIMIT", `function ${fn} has over ${MAX_LOCALS} locals`);
    }
    return decodeInstructions(bytes, body.codeStart, body.end, fn);
  });

  const methods: string[] = [];
  let hasMemory = false;
  for (const e of parsed.exports) {
    if (e.name.startsWith(RESERVED_PREFIX)) {
      throw new DeployError("RESERVED_EXPORT", `export "${e.name}": names starting with "__" are reserved`);
    }
    if (e.kind === EXPORT_MEMORY) {
      if (e.name !== "memory")
        throw new DeployError("BAD_EXPORT_SIGNATURE", `memory exported as "${e.name}", not "memory"`);
      hasMemory = true;
    } else if (e.kind === EXPORT_FUNC) {
      const type = parsed.types[parsed.functionTypes[e.index] ?? -1];
      if (type === undefined)
        throw new DeployError("MALFORMED_MODULE", `export "${e.name}" names a missing function`);
      if (type.params.length > 0 || type.results.length > 0) {
        throw new DeployError(
          "BAD_EXPORT_SIGNATURE",
          `export "${e.name}" takes or returns values; methods are () -> () and use input/return data`,
        );
      }
      methods.push(e.name);
    } else {
      throw new DeployError(
        "BAD_EXPORT_SIGNATURE",
        `export "${e.name}": only methods and memory may be exported`,
      );
    }
  }
  if (!hasMemory || parsed.memory === undefined) {
    throw new DeployError("MISSING_EXPORT", 'the module must define and export its memory as "memory"');
  }
  const memoryBytes = parsed.memory.min * 65536;
  parsed.data.forEach((segment, i) => {
    if (segment.offset + segment.bytes.length > memoryBytes) {
      throw new DeployError(
        "MEMORY_LIMIT",
        `data segment ${i} (offset ${segment.offset}, ${segment.bytes.length} bytes) lies outside the initial memory`,
      );
    }
  });
  if (!WebAssembly.validate(bytes)) {
    throw new DeployError("MALFORMED_MODULE", "the module does not pass WebAssembly validation");
  }
  const units = code.map((instrs, i) => {
    const fn = parsed.importedFunctionCount + i;
    const type = parsed.types[parsed.functionTypes[fn] as number];
    const body = parsed.bodies[i];
    if (type === undefined || body === undefined) throw new Error("parsed module lost a function");
    const n = frameUnits(bytes, instrs, type, body.localCount, parsed);
    if (n > MAX_FRAME_UNITS) {
      throw new DeployError(
        "MODULE_LIMIT",
        `function ${fn} needs a frame of ${n} stack units (max ${MAX_FRAME_UNITS}): params, results, locals and operand stack height`,
      );
    }
    return n;
  });
  return {
    info: {
      methods,
      hasInit: methods.includes("init"),
      hasStart: parsed.start !== undefined,
      initialPages: parsed.memory.min,
      functions: parsed.bodies.length,
    },
    parsed,
    code,
    frameUnits: units,
  };
}

/** Validates a contract for deployment; throws `DeployError` naming the reason. */
export function validateContract(bytes: Uint8Array): ContractInfo {
  return validateModule(bytes).info;
}
