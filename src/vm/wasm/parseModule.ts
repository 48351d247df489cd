/**
 * Parses a contract module's sections into the facts the validator and instrumenter
 * need, checking the module-level rules as it goes (imports, memory, tables, globals,
 * value types, limits). Function bodies are only located here; `instructions.ts`
 * decodes them.
 */
import { DeployError } from "../errors.js";
import { MAX_FUNCTIONS, MAX_GLOBALS, MAX_LOCALS, MAX_MEMORY_PAGES, MAX_TABLE_ELEMENTS } from "../limits.js";
import { BinaryReader } from "./binary.js";
import { type DataSegment, parseDataSegments } from "./dataSegments.js";
import {
  type FuncSignature,
  formatSignature,
  HOST_IMPORTS,
  HOST_MODULE,
  sameSignature,
} from "./hostImports.js";
import { isFloatType, VALTYPE_I32, VALTYPE_I64, valtypeName } from "./opcodes.js";

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Canonical order of the non-custom sections. */
export const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

export interface RawSection {
  id: number;
  /** The section's contents (without id and size). */
  body: Uint8Array;
}

export interface FunctionBody {
  /** Offsets into the module bytes: the body after its size prefix. */
  start: number;
  end: number;
  /** Offset of the first instruction (after the local declarations). */
  codeStart: number;
  localCount: number;
}

export interface ExportEntry {
  name: string;
  kind: number;
  index: number;
}

export interface GlobalEntry {
  /** `VALTYPE_I32` or `VALTYPE_I64`. */
  type: number;
  mutable: boolean;
  init: Uint8Array;
}

export interface ParsedModule {
  bytes: Uint8Array;
  sections: RawSection[];
  types: FuncSignature[];
  importedFunctionCount: number;
  importedGlobalCount: number;
  /** Type index of every function, imported ones first. */
  functionTypes: number[];
  memory: { min: number; max: number | undefined } | undefined;
  globalCount: number;
  /** The module's own globals: whether each is mutable, and its constant initialiser (with the closing `end`). */
  globals: GlobalEntry[];
  exports: ExportEntry[];
  start: number | undefined;
  bodies: FunctionBody[];
  /** Active data segments, in module order. */
  data: DataSegment[];
}

export const EXPORT_FUNC = 0;
export const EXPORT_TABLE = 1;
export const EXPORT_MEMORY = 2;
export const EXPORT_GLOBAL = 3;

function checkValueType(type: number, where: string): void {
  if (type === VALTYPE_I32 || type === VALTYPE_I64) return;
  if (isFloatType(type))
    throw new DeployError("FLOAT_NOT_ALLOWED", `${where} uses floating-point type ${valtypeName(type)}`);
  throw new DeployError("FEATURE_NOT_ALLOWED", `${where} uses value type ${valtypeName(type)}`);
}

function readLimits(r: BinaryReader, what: string): { min: number; max: number | undefined } {
  const flags = r.u8();
  if (flags & ~1)
    throw new DeployError(
      "FEATURE_NOT_ALLOWED",
      `${what} with flags 0x${flags.toString(16)} (shared or 64-bit)`,
    );
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  return { min, max };
}

function skipConstExpr(r: BinaryReader): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0x41) r.skipSigned(32);
    else if (op === 0x42) r.skipSigned(64);
    else if (op === 0x23) r.u32();
    else if (op === 0x43 || op === 0x44)
      throw new DeployError("FLOAT_NOT_ALLOWED", "a constant expression uses a float");
    else throw new DeployError("FEATURE_NOT_ALLOWED", `constant expression opcode 0x${op.toString(16)}`);
  }
}

export function parseModule(bytes: Uint8Array): ParsedModule {
  const r = new BinaryReader(bytes);
  const magic = r.take(8);
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d)
    r.fail("not a WebAssembly module");
  if (magic[4] !== 1 || magic[5] !== 0 || magic[6] !== 0 || magic[7] !== 0)
    r.fail("unsupported binary version");

  const m: ParsedModule = {
    bytes,
    sections: [],
    types: [],
    importedFunctionCount: 0,
    importedGlobalCount: 0,
    functionTypes: [],
    memory: undefined,
    globalCount: 0,
    globals: [],
    exports: [],
    start: undefined,
    bodies: [],
    data: [],
  };
  let lastOrder = -1;
  while (!r.done) {
    const id = r.u8();
    const size = r.u32();
    const bodyStart = r.offset;
    const body = r.take(size);
    if (id === SECTION.custom) continue;
    const order = SECTION_ORDER.indexOf(id);
    if (order < 0) r.fail(`unknown section id ${id}`);
    if (order <= lastOrder) r.fail(`section ${id} out of order`);
    lastOrder = order;
    m.sections.push({ id, body });
    const s = new BinaryReader(bytes, bodyStart, bodyStart + size);
    parseSection(m, id, s);
    if (!s.done) s.fail(`section ${id} has ${s.end - s.offset} trailing bytes`);
  }
  const defined = m.functionTypes.length - m.importedFunctionCount;
  if (defined !== m.bodies.length) {
    throw new DeployError("MALFORMED_MODULE", `${defined} functions declared but ${m.bodies.length} bodies`);
  }
  return m;
}

function parseSection(m: ParsedModule, id: number, s: BinaryReader): void {
  switch (id) {
    case SECTION.type: {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const form = s.u8();
        if (form !== 0x60) throw new DeployError("FEATURE_NOT_ALLOWED", `type ${i} is not a function type`);
        const params: number[] = [];
        const results: number[] = [];
        for (let n = s.u32(), j = 0; j < n; j++) params.push(s.u8());
        for (let n = s.u32(), j = 0; j < n; j++) results.push(s.u8());
        for (const t of [...params, ...results]) checkValueType(t, `type ${i}`);
        m.types.push({ params, results });
      }
      return;
    }
    case SECTION.import: {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const module = s.name();
        const name = s.name();
        const kind = s.u8();
        const what = `import "${module}"."${name}"`;
        if (kind !== EXPORT_FUNC)
          throw new DeployError("IMPORT_NOT_ALLOWED", `${what}: only functions may be imported`);
        const typeIndex = s.u32();
        const expected = module === HOST_MODULE ? HOST_IMPORTS[name] : undefined;
        if (expected === undefined || !Object.hasOwn(HOST_IMPORTS, name)) {
          throw new DeployError("IMPORT_NOT_ALLOWED", `${what} is not part of the host ABI`, [module, name]);
        }
        const actual = m.types[typeIndex];
        if (actual === undefined) s.fail(`import type index ${typeIndex} out of range`);
        if (!sameSignature(actual, expected)) {
          throw new DeployError(
            "IMPORT_NOT_ALLOWED",
            `${what} has type ${formatSignature(actual)}, the host ABI says ${formatSignature(expected)}`,
            [module, name],
          );
        }
        m.functionTypes.push(typeIndex);
        m.importedFunctionCount++;
      }
      return;
    }
    case SECTION.function: {
      const count = s.u32();
      if (count + m.importedFunctionCount > MAX_FUNCTIONS) {
        throw new DeployError(
          "MODULE_LIMIT",
          `${count + m.importedFunctionCount} functions (max ${MAX_FUNCTIONS})`,
        );
      }
      for (let i = 0; i < count; i++) {
        const t = s.u32();
        if (t >= m.types.length) s.fail(`function type index ${t} out of range`);
        m.functionTypes.push(t);
      }
      return;
    }
    case SECTION.table: {
      const count = s.u32();
      if (count > 1) throw new DeployError("FEATURE_NOT_ALLOWED", `${count} tables (at most one)`);
      for (let i = 0; i < count; i++) {
        const elem = s.u8();
        if (elem !== 0x70) throw new DeployError("FEATURE_NOT_ALLOWED", `table of ${valtypeName(elem)}`);
        const { min, max } = readLimits(s, "table");
        if (min > MAX_TABLE_ELEMENTS || (max !== undefined && max > MAX_TABLE_ELEMENTS)) {
          throw new DeployError("TABLE_LIMIT", `table of ${max ?? min} elements (max ${MAX_TABLE_ELEMENTS})`);
        }
      }
      return;
    }
    case SECTION.memory: {
      const count = s.u32();
      if (count > 1) throw new DeployError("FEATURE_NOT_ALLOWED", `${count} memories (at most one)`);
      if (count === 1) {
        const limits = readLimits(s, "memory");
        if (limits.min > MAX_MEMORY_PAGES || (limits.max !== undefined && limits.max > MAX_MEMORY_PAGES)) {
          throw new DeployError(
            "MEMORY_LIMIT",
            `memory of ${limits.max ?? limits.min} pages (max ${MAX_MEMORY_PAGES} pages of 64 KiB)`,
          );
        }
        m.memory = limits;
      }
      return;
    }
    case SECTION.global: {
      const count = s.u32();
      if (count > MAX_GLOBALS) throw new DeployError("MODULE_LIMIT", `${count} globals (max ${MAX_GLOBALS})`);
      for (let i = 0; i < count; i++) {
        const type = s.u8();
        checkValueType(type, `global ${i}`);
        const mut = s.u8();
        if (mut > 1) s.fail("bad global mutability");
        const start = s.offset;
        skipConstExpr(s);
        m.globals.push({ type, mutable: mut === 1, init: s.bytes.subarray(start, s.offset) });
      }
      m.globalCount = count;
      return;
    }
    case SECTION.export: {
      const count = s.u32();
      for (let i = 0; i < count; i++) m.exports.push({ name: s.name(), kind: s.u8(), index: s.u32() });
      return;
    }
    case SECTION.start:
      m.start = s.u32();
      return;
    case SECTION.code: {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const size = s.u32();
        const start = s.offset;
        const b = new BinaryReader(s.bytes, start, start + size);
        s.take(size);
        let localCount = 0;
        for (let n = b.u32(), j = 0; j < n; j++) {
          const c = b.u32();
          localCount += c;
          if (localCount > MAX_LOCALS) {
            throw new DeployError(
              "MODULE_LIMIT",
              `function ${m.importedFunctionCount + i} has over ${MAX_LOCALS} locals`,
            );
          }
          checkValueType(b.u8(), `function ${m.importedFunctionCount + i} locals`);
        }
        m.bodies.push({ start, end: start + size, codeStart: b.offset, localCount });
      }
      return;
    }
    case SECTION.data:
      m.data = parseDataSegments(s);
      return;
    case SECTION.tag:
      throw new DeployError("FEATURE_NOT_ALLOWED", "exception handling (tag section)");
    default:
      // Element and data count sections are copied as they are; V8 validates them.
      s.offset = s.end;
  }
}
