/**
 * Contract metadata as emitted by `scripts/build-contracts.mjs` (`<name>.metadata.json`),
 * and helpers that bind it to the ABI codec: encode a call, decode its return value,
 * decode events and revert data by name.
 */
import { AbiError, decodeAbi, decodeErrorName, encodeAbi, parseType } from "./abi.js";
import { fromHex, toHex } from "./bytes.js";

export interface AbiParam {
  name: string;
  type: string;
  indexed?: boolean;
}

export interface MethodMetadata {
  name: string;
  inputs: AbiParam[];
  outputs: AbiParam[];
  doc?: string;
}

export interface EventMetadata {
  name: string;
  inputs: AbiParam[];
  signature: string;
  /** 0x hex of keccak256(signature). */
  topic0: string;
  doc?: string;
}

export interface ErrorMetadata {
  name: string;
  inputs: AbiParam[];
  doc?: string;
}

export interface ContractMetadata {
  name: string;
  abiVersion: 1;
  constructor: MethodMetadata | null;
  methods: MethodMetadata[];
  events: EventMetadata[];
  errors: ErrorMetadata[];
}

function params(...list: [string, string][]): AbiParam[] {
  return list.map(([name, type]) => ({ name, type }));
}

/** Errors the VM and the contract SDK produce for any contract (docs/host-abi.md). */
export const STANDARD_ERRORS: readonly ErrorMetadata[] = [
  { name: "Error", inputs: params(["message", "string"]) },
  { name: "Panic", inputs: params(["message", "string"]) },
  { name: "OutOfGas", inputs: [] },
  { name: "Trap", inputs: params(["message", "string"]) },
  { name: "NoSuchContract", inputs: params(["address", "address"]) },
  { name: "NoSuchMethod", inputs: params(["method", "string"]) },
  { name: "Reentrancy", inputs: params(["address", "address"]) },
  { name: "CallDepthExceeded", inputs: [] },
  { name: "ReturnDataTooLarge", inputs: [] },
  {
    name: "InsufficientBalance",
    inputs: params(["account", "address"], ["balance", "u128"], ["needed", "u128"]),
  },
  { name: "InvalidArguments", inputs: params(["message", "string"]) },
  { name: "LimitExceeded", inputs: params(["message", "string"]) },
  { name: "AddressInUse", inputs: params(["address", "address"]) },
  { name: "DeployRejected", inputs: params(["code", "string"], ["message", "string"]) },
  { name: "Overflow", inputs: params(["message", "string"]) },
  { name: "NoSuchCode", inputs: params(["codeHash", "bytes32"]) },
  { name: "ForbiddenInValidation", inputs: params(["what", "string"]) },
  { name: "NonCanonicalSignature", inputs: params(["reason", "string"]) },
  // A session key's refusals (contracts/sdk/sessionKeys.ts, in every built-in account's validation).
  { name: "SessionUnknown", inputs: params(["key", "bytes"]) },
  { name: "SessionBadSignature", inputs: params(["key", "bytes"]) },
  { name: "SessionCallNotAllowed", inputs: params(["target", "address"], ["method", "string"]) },
  { name: "SessionNoLimit", inputs: params(["token", "address"], ["amount", "u128"]) },
  {
    name: "SessionLimitExceeded",
    inputs: params(["token", "address"], ["spent", "u128"], ["amount", "u128"], ["limit", "u128"]),
  },
];

const STANDARD_BY_NAME = new Map(STANDARD_ERRORS.map((e) => [e.name, e]));

interface Bound {
  methods: Map<string, MethodMetadata>;
  events: Map<string, EventMetadata>;
  errors: Map<string, ErrorMetadata>;
  types: WeakMap<AbiParam[], string[]>;
}

const bindings = new WeakMap<ContractMetadata, Bound>();

function bind(meta: ContractMetadata): Bound {
  let b = bindings.get(meta);
  if (b === undefined) {
    const methods = new Map<string, MethodMetadata>();
    if (meta.constructor !== null) methods.set(meta.constructor.name, meta.constructor);
    for (const m of meta.methods) methods.set(m.name, m);
    b = {
      methods,
      events: new Map(meta.events.map((e) => [normaliseTopic(e.topic0), e])),
      errors: new Map(meta.errors.map((e) => [e.name, e])),
      types: new WeakMap(),
    };
    bindings.set(meta, b);
  }
  return b;
}

function typesOf(b: Bound, list: AbiParam[]): string[] {
  let t = b.types.get(list);
  if (t === undefined) {
    t = list.map((p) => p.type);
    b.types.set(list, t);
  }
  return t;
}

function normaliseTopic(topic: string): string {
  return (topic.startsWith("0x") || topic.startsWith("0X") ? topic.slice(2) : topic).toLowerCase();
}

function method(meta: ContractMetadata, name: string): MethodMetadata {
  const m = bind(meta).methods.get(name);
  if (m === undefined) throw new AbiError(`unknown method ${JSON.stringify(name)} on ${meta.name}`);
  return m;
}

function withContext<T>(context: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof AbiError) throw new AbiError(`${context}: ${error.message}`);
    throw error;
  }
}

function record(inputs: readonly AbiParam[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < inputs.length; i++) out[(inputs[i] as AbiParam).name || `arg${i}`] = values[i];
  return out;
}

/** ABI-encodes the arguments of `methodName` (the constructor is found under its name, "init"). */
export function encodeCall(meta: ContractMetadata, methodName: string, args: readonly unknown[]): Uint8Array {
  const m = method(meta, methodName);
  if (args.length !== m.inputs.length) {
    throw new AbiError(`${meta.name}.${m.name}: expected ${m.inputs.length} arguments, got ${args.length}`);
  }
  const types = typesOf(bind(meta), m.inputs);
  return withContext(`${meta.name}.${m.name}`, () => encodeAbi(types, args));
}

/** Decodes the return data of `methodName`: the value, `undefined` for no outputs, an array for several. */
export function decodeReturn(meta: ContractMetadata, methodName: string, data: Uint8Array): unknown {
  const m = method(meta, methodName);
  const values = withContext(`${meta.name}.${m.name} return data`, () =>
    decodeAbi(typesOf(bind(meta), m.outputs), data),
  );
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

/**
 * Decodes an event of this contract, found by topic 0; `null` when topic 0 is not one of
 * its events. Fixed-size indexed arguments are decoded from their topic; hashed ones
 * (strings, bytes, arrays, tuples) are returned as the 0x hex topic.
 */
export function decodeEvent(
  meta: ContractMetadata,
  event: { topics: readonly string[]; data: Uint8Array },
): { name: string; args: Record<string, unknown> } | null {
  const first = event.topics[0];
  if (first === undefined) return null;
  const e = bind(meta).events.get(normaliseTopic(first));
  if (e === undefined) return null;
  return withContext(`event ${e.name}`, () => {
    const indexedCount = e.inputs.filter((p) => p.indexed === true).length;
    if (event.topics.length !== indexedCount + 1) {
      throw new AbiError(`expected ${indexedCount + 1} topics, got ${event.topics.length}`);
    }
    const plain = e.inputs.filter((p) => p.indexed !== true);
    const plainValues = decodeAbi(
      plain.map((p) => p.type),
      event.data,
    );
    const args: Record<string, unknown> = {};
    let topicIndex = 1;
    let plainIndex = 0;
    for (let i = 0; i < e.inputs.length; i++) {
      const p = e.inputs[i] as AbiParam;
      const key = p.name || `arg${i}`;
      if (p.indexed === true) {
        const topic = fromHex(event.topics[topicIndex++] as string);
        if (topic.length !== 32) throw new AbiError(`topic of ${key} is ${topic.length} bytes, not 32`);
        args[key] = indexedValue(p.type, topic);
      } else {
        args[key] = plainValues[plainIndex++];
      }
    }
    return { name: e.name, args };
  });
}

function indexedValue(type: string, topic: Uint8Array): unknown {
  const t = parseType(type);
  if (t.size === null || t.size > 32 || t.kind === "tuple") return `0x${toHex(topic)}`;
  return decodeAbi([type], topic.subarray(0, t.size))[0];
}

/**
 * Decodes revert data using the contract's errors and the standard VM/SDK errors. An
 * unknown name gives `{ name, args: { raw } }` with the still-encoded arguments; data that
 * does not even start with a name gives `{ name: "", args: { raw: data } }`.
 */
export function decodeRevert(
  meta: ContractMetadata,
  data: Uint8Array,
): { name: string; args: Record<string, unknown> } {
  let name: string;
  let rest: Uint8Array;
  try {
    ({ name, rest } = decodeErrorName(data));
  } catch (error) {
    if (error instanceof AbiError) return { name: "", args: { raw: data.slice() } };
    throw error;
  }
  const e = bind(meta).errors.get(name) ?? STANDARD_BY_NAME.get(name);
  if (e === undefined) return { name, args: { raw: rest } };
  const values = withContext(`error ${name}`, () =>
    decodeAbi(
      e.inputs.map((p) => p.type),
      rest,
    ),
  );
  return { name, args: record(e.inputs, values) };
}
