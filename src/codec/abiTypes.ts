/**
 * ABI types: the `AbiError` every ABI failure throws, and parsing of type strings
 * ("u128", "address[]", "(u8,string)[]") into cached type trees. `abi.ts` encodes and
 * decodes values of them.
 */
import { CodecError } from "./bytes.js";

/** Thrown for malformed ABI types, values out of range and malformed encodings. */
export class AbiError extends CodecError {
  constructor(message: string) {
    super("ABI", message);
    this.name = "AbiError";
  }
}

/** A parsed ABI type. `size` is the encoded size of fixed-size types, `null` when variable. */
export type AbiType =
  | { readonly kind: "uint" | "int"; readonly name: string; readonly bits: number; readonly size: number }
  | {
      readonly kind: "bool" | "address" | "bytes32" | "bytes" | "string";
      readonly name: string;
      readonly size: number | null;
    }
  | { readonly kind: "array"; readonly name: string; readonly element: AbiType; readonly size: null }
  | {
      readonly kind: "tuple";
      readonly name: string;
      readonly elements: readonly AbiType[];
      readonly size: number | null;
    };

export type IntType = Extract<AbiType, { kind: "uint" | "int" }>;

export const BASE_TYPES: ReadonlyMap<string, AbiType> = new Map<string, AbiType>([
  ["u8", { kind: "uint", name: "u8", bits: 8, size: 1 }],
  ["u16", { kind: "uint", name: "u16", bits: 16, size: 2 }],
  ["u32", { kind: "uint", name: "u32", bits: 32, size: 4 }],
  ["u64", { kind: "uint", name: "u64", bits: 64, size: 8 }],
  ["u128", { kind: "uint", name: "u128", bits: 128, size: 16 }],
  ["u256", { kind: "uint", name: "u256", bits: 256, size: 32 }],
  ["i32", { kind: "int", name: "i32", bits: 32, size: 4 }],
  ["i64", { kind: "int", name: "i64", bits: 64, size: 8 }],
  ["bool", { kind: "bool", name: "bool", size: 1 }],
  ["address", { kind: "address", name: "address", size: 20 }],
  ["bytes32", { kind: "bytes32", name: "bytes32", size: 32 }],
  ["bytes", { kind: "bytes", name: "bytes", size: null }],
  ["string", { kind: "string", name: "string", size: null }],
]);

const typeCache = new Map<string, AbiType>();

/**
 * Parses an ABI type string ("u128", "address[]", "(u8,string)[]"...). Results are cached.
 * @example parseType("(address,u128)[]").kind // "array"
 */
export function parseType(type: string): AbiType {
  const cached = typeCache.get(type);
  if (cached !== undefined) return cached;
  const parser = { text: type, pos: 0 };
  const parsed = parseAt(parser);
  if (parser.pos !== type.length) throw new AbiError(`unknown type ${JSON.stringify(type)}`);
  if (typeCache.size < 10_000) typeCache.set(type, parsed);
  return parsed;
}

function parseAt(p: { text: string; pos: number }): AbiType {
  let t: AbiType;
  if (p.text[p.pos] === "(") {
    p.pos++;
    const elements: AbiType[] = [];
    for (;;) {
      elements.push(parseAt(p));
      const c = p.text[p.pos];
      p.pos++;
      if (c === ")") break;
      if (c !== ",") throw new AbiError(`unknown type ${JSON.stringify(p.text)}`);
    }
    let size: number | null = 0;
    for (const e of elements) size = size === null || e.size === null ? null : size + e.size;
    t = { kind: "tuple", name: `(${elements.map((e) => e.name).join(",")})`, elements, size };
  } else {
    let end = p.pos;
    while (end < p.text.length && /[a-z0-9]/.test(p.text[end] as string)) end++;
    const base = BASE_TYPES.get(p.text.slice(p.pos, end));
    if (base === undefined) throw new AbiError(`unknown type ${JSON.stringify(p.text)}`);
    p.pos = end;
    t = base;
  }
  while (p.text.startsWith("[]", p.pos)) {
    p.pos += 2;
    t = { kind: "array", name: `${t.name}[]`, element: t, size: null };
  }
  return t;
}

export function parseTypes(types: readonly string[]): AbiType[] {
  const out = new Array<AbiType>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = parseType(types[i] as string);
  return out;
}
