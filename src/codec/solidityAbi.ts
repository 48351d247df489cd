/**
 * Solidity's contract ABI for the CLI's calls of EVM contracts (`weft call|tx <address>
 * --abi <file.json>`): the JSON ABI (a bare array, or a Hardhat or Foundry artifact's `abi`),
 * function selectors, call data from text arguments, and return values and custom errors
 * decoded. Types: `uint<N>`, `int<N>`, `address`, `bool`, `bytes<N>`, `bytes`, `string`,
 * arrays of them (`T[]`, `T[k]`) and tuples (`components`). Events decode from a log's topics
 * and data (`decodeEventLog`). Misuse throws `SolidityAbiError` saying what was wrong.
 */
import { fromHex, toHex, utf8 } from "./bytes.js";
import { keccak256 } from "./hash.js";

export class SolidityAbiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SolidityAbiError";
  }
}

/** A parameter as the JSON ABI writes it. */
export interface AbiParam {
  name?: string;
  type: string;
  components?: AbiParam[];
  /** An event's parameter that is a topic rather than in the data. */
  indexed?: boolean;
}

/** A function, error or event entry of a JSON ABI. */
export interface AbiEntry {
  type: string;
  name?: string;
  inputs?: AbiParam[];
  outputs?: AbiParam[];
  stateMutability?: string;
  /** An event without its signature's hash as topic 0. */
  anonymous?: boolean;
}

/** The ABI entries of a JSON document: a bare ABI array, or an artifact's `abi` (Hardhat, Foundry, solc's output). */
export function abiOfJson(json: unknown): AbiEntry[] {
  const abi = Array.isArray(json)
    ? json
    : typeof json === "object" && json !== null && Array.isArray((json as { abi?: unknown }).abi)
      ? (json as { abi: unknown[] }).abi
      : undefined;
  if (abi === undefined)
    throw new SolidityAbiError("expected a Solidity ABI: a JSON array, or an artifact with an `abi` array");
  for (const [i, e] of abi.entries())
    if (typeof e !== "object" || e === null || typeof (e as AbiEntry).type !== "string")
      throw new SolidityAbiError(`ABI entry ${i} is not an object with a type`);
  return abi as AbiEntry[];
}

/** The canonical type of a parameter (tuples spelled out: `(uint256,address)[]`). */
export function canonicalType(p: AbiParam): string {
  if (!p.type.startsWith("tuple")) return p.type;
  return `(${(p.components ?? []).map(canonicalType).join(",")})${p.type.slice("tuple".length)}`;
}

/** `name(type,...)` of a function or error. */
export function signatureOf(e: AbiEntry): string {
  return `${e.name ?? ""}(${(e.inputs ?? []).map(canonicalType).join(",")})`;
}

/** The 4-byte selector of a function or error. */
export function selectorOf(e: AbiEntry): Uint8Array {
  return keccak256(utf8(signatureOf(e))).subarray(0, 4);
}

/** The function `name` takes with `argCount` arguments; a clear error when there is none or several. */
export function findFunction(abi: AbiEntry[], name: string, argCount: number): AbiEntry {
  const named = abi.filter((e) => e.type === "function" && e.name === name);
  if (named.length === 0) {
    const names = [...new Set(abi.filter((e) => e.type === "function").map((e) => e.name))];
    throw new SolidityAbiError(`the ABI has no function ${name}; it has: ${names.join(", ") || "none"}`);
  }
  const fits = named.filter((e) => (e.inputs ?? []).length === argCount);
  if (fits.length !== 1)
    throw new SolidityAbiError(
      `${name} takes ${named.map((e) => `(${(e.inputs ?? []).map(canonicalType).join(", ")})`).join(" or ")}; got ${argCount} argument(s)`,
    );
  return fits[0] as AbiEntry;
}

// --- types -----------------------------------------------------------------

type Kind =
  | { kind: "uint" | "int"; bits: number }
  | { kind: "address" | "bool" | "bytes" | "string" }
  | { kind: "fixedBytes"; size: number }
  | { kind: "array"; element: Kind; length?: number }
  | { kind: "tuple"; elements: Kind[] };

function kindOf(p: AbiParam): Kind {
  const array = /^(.*)\[(\d*)\]$/.exec(p.type);
  if (array !== null) {
    const element = kindOf({ ...p, type: array[1] as string });
    return array[2] === ""
      ? { kind: "array", element }
      : { kind: "array", element, length: Number(array[2]) };
  }
  if (p.type === "tuple") return { kind: "tuple", elements: (p.components ?? []).map(kindOf) };
  if (p.type === "address" || p.type === "bool" || p.type === "bytes" || p.type === "string")
    return { kind: p.type };
  const int = /^(u?int)(\d*)$/.exec(p.type);
  if (int !== null) {
    const bits = int[2] === "" ? 256 : Number(int[2]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) throw new SolidityAbiError(`unknown type ${p.type}`);
    return { kind: int[1] === "uint" ? "uint" : "int", bits };
  }
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed !== null && Number(fixed[1]) >= 1 && Number(fixed[1]) <= 32)
    return { kind: "fixedBytes", size: Number(fixed[1]) };
  throw new SolidityAbiError(`unknown type ${p.type}`);
}

const dynamic = (k: Kind): boolean =>
  k.kind === "bytes" ||
  k.kind === "string" ||
  (k.kind === "array" && (k.length === undefined || dynamic(k.element))) ||
  (k.kind === "tuple" && k.elements.some(dynamic));

/** Bytes a static value takes in the head. */
const headSize = (k: Kind): number =>
  dynamic(k)
    ? 32
    : k.kind === "array"
      ? (k.length as number) * headSize(k.element)
      : k.kind === "tuple"
        ? k.elements.reduce((n, e) => n + headSize(e), 0)
        : 32;

// --- text arguments --------------------------------------------------------

/** A CLI text argument as a value of `p`'s type: integers in decimal or 0x hex, arrays and tuples as JSON. */
export function parseArg(p: AbiParam, text: string): unknown {
  return fromText(kindOf(p), p, text);
}

function fromText(k: Kind, p: AbiParam, given: unknown): unknown {
  const what = `${p.name || "argument"} (${canonicalType(p)})`;
  const fail = (): never => {
    throw new SolidityAbiError(`${what}: cannot read ${JSON.stringify(given)}`);
  };
  switch (k.kind) {
    case "uint":
    case "int": {
      const s = String(given);
      if (!/^-?(0x[0-9a-fA-F]+|\d+)$/.test(s)) fail();
      const n = s.startsWith("-") ? -BigInt(s.slice(1)) : BigInt(s);
      const max = k.kind === "uint" ? (1n << BigInt(k.bits)) - 1n : (1n << BigInt(k.bits - 1)) - 1n;
      const min = k.kind === "uint" ? 0n : -(1n << BigInt(k.bits - 1));
      if (n < min || n > max) throw new SolidityAbiError(`${what}: ${s} is out of range`);
      return n;
    }
    case "address":
      if (typeof given !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(given)) fail();
      return (given as string).toLowerCase();
    case "bool":
      if (given === true || given === "true") return true;
      if (given === false || given === "false") return false;
      return fail();
    case "string":
      return String(given);
    case "bytes":
    case "fixedBytes": {
      if (typeof given !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(given)) fail();
      const bytes = fromHex((given as string).slice(2));
      if (k.kind === "fixedBytes" && bytes.length !== k.size)
        throw new SolidityAbiError(`${what}: expected ${k.size} bytes, got ${bytes.length}`);
      return bytes;
    }
    case "array":
    case "tuple": {
      let items: unknown = given;
      if (typeof given === "string")
        try {
          items = JSON.parse(given);
        } catch {
          fail();
        }
      if (!Array.isArray(items)) return fail();
      if (k.kind === "array") {
        if (k.length !== undefined && items.length !== k.length)
          throw new SolidityAbiError(`${what}: expected ${k.length} items, got ${items.length}`);
        const element = { ...p, type: p.type.replace(/\[\d*\]$/, "") };
        return items.map((x) => fromText(k.element, element, typeof x === "string" ? x : x));
      }
      const components = p.components ?? [];
      if (items.length !== components.length)
        throw new SolidityAbiError(`${what}: expected ${components.length} fields, got ${items.length}`);
      return items.map((x, i) => fromText(k.elements[i] as Kind, components[i] as AbiParam, x));
    }
  }
}

// --- encoding --------------------------------------------------------------

function word(value: bigint): Uint8Array {
  return fromHex(BigInt.asUintN(256, value).toString(16).padStart(64, "0"));
}

function rightPadded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 32) * 32);
  out.set(bytes);
  return out;
}

function encodeOne(k: Kind, value: unknown): Uint8Array {
  switch (k.kind) {
    case "uint":
    case "int":
      return word(value as bigint);
    case "bool":
      return word(value === true ? 1n : 0n);
    case "address":
      return word(BigInt(value as string));
    case "fixedBytes":
      return rightPadded(value as Uint8Array);
    case "bytes":
    case "string": {
      const bytes = k.kind === "string" ? utf8(value as string) : (value as Uint8Array);
      return Buffer.concat([word(BigInt(bytes.length)), rightPadded(bytes)]);
    }
    case "array": {
      const items = value as unknown[];
      const body = encodeSequence(Array(items.length).fill(k.element), items);
      return k.length === undefined ? Buffer.concat([word(BigInt(items.length)), body]) : body;
    }
    case "tuple":
      return encodeSequence(k.elements, value as unknown[]);
  }
}

function encodeSequence(kinds: readonly Kind[], values: readonly unknown[]): Uint8Array {
  const encoded = kinds.map((k, i) => encodeOne(k, values[i]));
  let tail = kinds.reduce((n, k) => n + headSize(k), 0);
  const head: Uint8Array[] = [];
  const tails: Uint8Array[] = [];
  kinds.forEach((k, i) => {
    const e = encoded[i] as Uint8Array;
    if (!dynamic(k)) {
      head.push(e);
      return;
    }
    head.push(word(BigInt(tail)));
    tails.push(e);
    tail += e.length;
  });
  return Buffer.concat([...head, ...tails]);
}

/** Call data of `fn` with `values` (as `parseArg` gives them). */
export function encodeFunctionCall(fn: AbiEntry, values: readonly unknown[]): Uint8Array {
  const kinds = (fn.inputs ?? []).map(kindOf);
  return Buffer.concat([selectorOf(fn), encodeSequence(kinds, values)]);
}

// --- decoding --------------------------------------------------------------

function readWord(data: Uint8Array, at: number): bigint {
  if (at < 0 || at + 32 > data.length)
    throw new SolidityAbiError(`data too short: a word at ${at} of ${data.length} bytes`);
  return BigInt(`0x${toHex(data.subarray(at, at + 32))}`);
}

function offsetAt(data: Uint8Array, at: number): number {
  const n = readWord(data, at);
  if (n > BigInt(data.length))
    throw new SolidityAbiError(`an offset ${n} past the data's ${data.length} bytes`);
  return Number(n);
}

function decodeOne(k: Kind, data: Uint8Array, at: number): unknown {
  switch (k.kind) {
    case "uint":
      return readWord(data, at);
    case "int":
      return BigInt.asIntN(256, readWord(data, at));
    case "bool":
      return readWord(data, at) !== 0n;
    case "address":
      return `0x${readWord(data, at).toString(16).padStart(40, "0").slice(-40)}`;
    case "fixedBytes":
      readWord(data, at);
      return data.slice(at, at + k.size);
    case "bytes":
    case "string": {
      const length = Number(readWord(data, at));
      if (at + 32 + length > data.length) throw new SolidityAbiError("a length past the end of the data");
      const bytes = data.slice(at + 32, at + 32 + length);
      return k.kind === "string" ? new TextDecoder().decode(bytes) : bytes;
    }
    case "array": {
      const count = k.length ?? Number(readWord(data, at));
      const start = k.length === undefined ? at + 32 : at;
      if (count > data.length)
        throw new SolidityAbiError(`an array of ${count} items in ${data.length} bytes`);
      return decodeSequence(Array(count).fill(k.element), data.subarray(start));
    }
    case "tuple":
      return decodeSequence(k.elements, data.subarray(at));
  }
}

function decodeSequence(kinds: readonly Kind[], data: Uint8Array): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  for (const k of kinds) {
    out.push(dynamic(k) ? decodeOne(k, data, offsetAt(data, at)) : decodeOne(k, data, at));
    at += headSize(k);
  }
  return out;
}

/** Values of `params` ABI-encoded in `data`, by name (`_0`, `_1`... for unnamed ones). */
export function decodeParams(params: readonly AbiParam[], data: Uint8Array): Record<string, unknown> {
  const values = decodeSequence(params.map(kindOf), data);
  return Object.fromEntries(params.map((p, i) => [p.name || `_${i}`, values[i]]));
}

/** A function's return data: its one value, or its values by name when it has several; undefined for none. */
export function decodeFunctionResult(fn: AbiEntry, data: Uint8Array): unknown {
  const outputs = fn.outputs ?? [];
  if (outputs.length === 0) return undefined;
  const values = decodeSequence(outputs.map(kindOf), data);
  return outputs.length === 1 ? values[0] : decodeParams(outputs, data);
}

/** Revert data as one of the ABI's custom errors: `{ name, args }`, or undefined when none matches. */
export function decodeCustomError(
  abi: readonly AbiEntry[],
  data: Uint8Array,
): { name: string; args: Record<string, unknown> } | undefined {
  if (data.length < 4) return undefined;
  for (const e of abi) {
    if (e.type !== "error" || toHex(selectorOf(e)) !== toHex(data.subarray(0, 4))) continue;
    try {
      return { name: e.name ?? "", args: decodeParams(e.inputs ?? [], data.subarray(4)) };
    } catch {
      // Same selector, other data: not this error.
    }
  }
  return undefined;
}

/**
 * A log as one of the ABI's events: `{ name, args }` (args by name), or undefined when no
 * non-anonymous event has its topic 0, its number of indexed parameters and data that decode.
 * An indexed parameter of a value type is decoded from its topic; one of a reference type
 * (string, bytes, array, tuple) is only its keccak-256 hash in the log, given as that hash (hex).
 */
export function decodeEventLog(
  abi: readonly AbiEntry[],
  topics: readonly string[],
  data: Uint8Array,
): { name: string; args: Record<string, unknown> } | undefined {
  const [topic0, ...rest] = topics.map((t) => t.toLowerCase());
  if (topic0 === undefined) return undefined;
  for (const e of abi) {
    if (e.type !== "event" || e.anonymous === true) continue;
    const inputs = e.inputs ?? [];
    if (`0x${toHex(keccak256(utf8(signatureOf(e))))}` !== topic0) continue;
    if (inputs.filter((p) => p.indexed === true).length !== rest.length) continue;
    try {
      const unindexed = inputs.filter((p) => p.indexed !== true);
      const values = decodeSequence(unindexed.map(kindOf), data);
      const args: Record<string, unknown> = {};
      let topic = 0;
      let value = 0;
      for (const [i, p] of inputs.entries()) {
        const name = p.name || `_${i}`;
        if (p.indexed !== true) {
          args[name] = values[value++];
          continue;
        }
        const word = rest[topic++] as string;
        const k = kindOf(p);
        const reference = dynamic(k) || k.kind === "array" || k.kind === "tuple";
        if (!/^0x[0-9a-f]{64}$/.test(word)) throw new SolidityAbiError(`topic ${topic} is not 32 bytes`);
        args[name] = reference ? word : decodeOne(k, fromHex(word.slice(2)), 0);
      }
      return { name: e.name ?? "", args };
    } catch {
      // Same topic 0, other layout: not this event.
    }
  }
  return undefined;
}
