// The Weft ABI in the browser (docs/host-abi.md, "ABI encoding"): little-endian fixed-width
// integers, u32-length-prefixed bytes, strings and arrays, tuples as their elements in a
// row; revert data is a string (the error's name) then its arguments. Plus the metadata
// helpers the explorer needs: decode a call's arguments, its return value, an event, a
// revert. No DOM here: the node's tests load this module too.
//
// Values: integers are bigint, addresses and bytes/bytes32 are 0x hex strings, arrays and
// tuples are arrays.

const BASE = {
  u8: { kind: "uint", bits: 8, size: 1 },
  u16: { kind: "uint", bits: 16, size: 2 },
  u32: { kind: "uint", bits: 32, size: 4 },
  u64: { kind: "uint", bits: 64, size: 8 },
  u128: { kind: "uint", bits: 128, size: 16 },
  u256: { kind: "uint", bits: 256, size: 32 },
  i32: { kind: "int", bits: 32, size: 4 },
  i64: { kind: "int", bits: 64, size: 8 },
  bool: { kind: "bool", size: 1 },
  address: { kind: "address", size: 20 },
  bytes32: { kind: "bytes32", size: 32 },
  bytes: { kind: "bytes", size: null },
  string: { kind: "string", size: null },
};

export class AbiError extends Error {
  constructor(message) {
    super(message);
    this.name = "AbiError";
  }
}

const typeCache = new Map();

/** Parses "u128", "address[]", "(u8,string)[]"... into a type tree. */
export function parseType(text) {
  const cached = typeCache.get(text);
  if (cached) return cached;
  const p = { text, pos: 0 };
  const t = parseAt(p);
  if (p.pos !== text.length) throw new AbiError(`unknown type ${JSON.stringify(text)}`);
  typeCache.set(text, t);
  return t;
}

function parseAt(p) {
  let t;
  if (p.text[p.pos] === "(") {
    p.pos++;
    const elements = [];
    for (;;) {
      elements.push(parseAt(p));
      const c = p.text[p.pos++];
      if (c === ")") break;
      if (c !== ",") throw new AbiError(`unknown type ${JSON.stringify(p.text)}`);
    }
    let size = 0;
    for (const e of elements) size = size === null || e.size === null ? null : size + e.size;
    t = { kind: "tuple", name: `(${elements.map((e) => e.name).join(",")})`, elements, size };
  } else {
    const m = /^[a-z0-9]+/.exec(p.text.slice(p.pos));
    const base = m ? BASE[m[0]] : undefined;
    if (!base) throw new AbiError(`unknown type ${JSON.stringify(p.text)}`);
    p.pos += m[0].length;
    t = { ...base, name: m[0] };
  }
  while (p.text.startsWith("[]", p.pos)) {
    p.pos += 2;
    t = { kind: "array", name: `${t.name}[]`, element: t, size: null };
  }
  return t;
}

// ---------------------------------------------------------------------------------------
// Bytes

export function hexToBytes(hex) {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body))
    throw new AbiError(`not hex: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(body.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  let s = "0x";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------
// Decoding

class Reader {
  constructor(data) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = 0;
  }
  take(n, what) {
    const left = this.data.length - this.pos;
    if (n > left)
      throw new AbiError(`truncated: needed ${n} bytes for ${what} at offset ${this.pos}, ${left} left`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u32(what) {
    return this.view.getUint32(this.take(4, what), true);
  }
}

function readUnsigned(r, size, what) {
  const at = r.take(size, what);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(r.data[at + i]);
  return v;
}

function minSize(t) {
  if (t.size !== null) return t.size;
  if (t.kind === "tuple") return t.elements.reduce((n, e) => n + minSize(e), 0);
  return 4;
}

function readValue(r, t) {
  switch (t.kind) {
    case "uint":
      return readUnsigned(r, t.size, t.name);
    case "int":
      return BigInt.asIntN(t.bits, readUnsigned(r, t.size, t.name));
    case "bool": {
      const b = r.data[r.take(1, "bool")];
      if (b > 1) throw new AbiError(`bool: byte ${b} is not 0 or 1`);
      return b === 1;
    }
    case "address":
    case "bytes32": {
      const at = r.take(t.size, t.name);
      return bytesToHex(r.data.subarray(at, at + t.size));
    }
    case "bytes": {
      const n = r.u32("bytes length");
      const at = r.take(n, "bytes");
      return bytesToHex(r.data.subarray(at, at + n));
    }
    case "string": {
      const n = r.u32("string length");
      const at = r.take(n, "string");
      try {
        return utf8Decoder.decode(r.data.subarray(at, at + n));
      } catch {
        throw new AbiError(`string: invalid UTF-8 at offset ${at}`);
      }
    }
    case "array": {
      const count = r.u32(`${t.name} count`);
      if (count * minSize(t.element) > r.data.length - r.pos)
        throw new AbiError(`truncated: ${t.name} of ${count} elements does not fit`);
      const out = [];
      for (let i = 0; i < count; i++) out.push(readValue(r, t.element));
      return out;
    }
    case "tuple":
      return t.elements.map((e) => readValue(r, e));
    default:
      throw new AbiError(`unknown type ${t.name}`);
  }
}

/** Decodes `data` (bytes or 0x hex) as the tuple of `types`; refuses truncation and trailing bytes. */
export function decodeAbi(types, data) {
  const r = new Reader(typeof data === "string" ? hexToBytes(data) : data);
  const values = types.map((t) => readValue(r, parseType(t)));
  if (r.pos !== r.data.length) throw new AbiError(`${r.data.length - r.pos} trailing bytes`);
  return values;
}

// ---------------------------------------------------------------------------------------
// Encoding

function toBigInt(t, value) {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?(0x[0-9a-fA-F]+|\d+)$/.test(value.trim())) {
    const s = value.trim();
    return s.startsWith("-") ? -BigInt(s.slice(1)) : BigInt(s);
  }
  throw new AbiError(`${t.name}: expected an integer, got ${JSON.stringify(String(value)).slice(0, 60)}`);
}

function writeValue(out, t, value) {
  switch (t.kind) {
    case "uint":
    case "int": {
      const v = toBigInt(t, value);
      const bits = BigInt(t.bits);
      if (t.kind === "uint" ? v < 0n || v >> bits !== 0n : v < -(1n << (bits - 1n)) || v >= 1n << (bits - 1n))
        throw new AbiError(`${t.name}: ${v} out of range`);
      let u = BigInt.asUintN(t.bits, v);
      for (let i = 0; i < t.size; i++) {
        out.push(Number(u & 0xffn));
        u >>= 8n;
      }
      return;
    }
    case "bool":
      if (value !== true && value !== false) throw new AbiError("bool: expected true or false");
      out.push(value ? 1 : 0);
      return;
    case "address":
    case "bytes32": {
      const hex = String(value);
      const want = t.size * 2;
      if (!new RegExp(`^0x[0-9a-fA-F]{${want}}$`).test(hex))
        throw new AbiError(`${t.name}: expected 0x and ${want} hex digits`);
      out.push(...hexToBytes(hex));
      return;
    }
    case "bytes": {
      const b = value instanceof Uint8Array ? value : hexToBytes(String(value));
      writeU32(out, b.length);
      out.push(...b);
      return;
    }
    case "string": {
      const b = utf8Encoder.encode(String(value));
      writeU32(out, b.length);
      out.push(...b);
      return;
    }
    case "array":
      if (!Array.isArray(value)) throw new AbiError(`${t.name}: expected an array`);
      writeU32(out, value.length);
      for (const v of value) writeValue(out, t.element, v);
      return;
    case "tuple":
      if (!Array.isArray(value) || value.length !== t.elements.length)
        throw new AbiError(`${t.name}: expected an array of ${t.elements.length} elements`);
      for (let i = 0; i < t.elements.length; i++) writeValue(out, t.elements[i], value[i]);
      return;
    default:
      throw new AbiError(`unknown type ${t.name}`);
  }
}

function writeU32(out, n) {
  out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

/** ABI-encodes `values` as the tuple of `types`; returns bytes. */
export function encodeAbi(types, values) {
  if (types.length !== values.length)
    throw new AbiError(`expected ${types.length} values, got ${values.length}`);
  const out = [];
  for (let i = 0; i < types.length; i++) writeValue(out, parseType(types[i]), values[i]);
  return Uint8Array.from(out);
}

/**
 * A value of `type` from form text: integers in decimal or 0x hex, "true"/"false", addresses
 * and bytes as 0x hex, strings as typed, arrays and tuples as JSON.
 */
export function parseInput(type, text) {
  const t = parseType(type);
  if (t.kind === "string") return text;
  const s = text.trim();
  if (t.kind === "bool") {
    if (s === "true" || s === "1") return true;
    if (s === "false" || s === "0" || s === "") return false;
    throw new AbiError(`${type}: expected true or false`);
  }
  if (t.kind === "array" || t.kind === "tuple") {
    let parsed;
    try {
      parsed = JSON.parse(s);
    } catch {
      throw new AbiError(`${type}: expected JSON, e.g. ${t.kind === "array" ? '["…", "…"]' : '["…", 1]'}`);
    }
    return fromJson(t, parsed);
  }
  if (t.kind === "address" || t.kind === "bytes32") return s.toLowerCase();
  return s;
}

function fromJson(t, value) {
  if (t.kind === "array") {
    if (!Array.isArray(value)) throw new AbiError(`${t.name}: expected a JSON array`);
    return value.map((v) => fromJson(t.element, v));
  }
  if (t.kind === "tuple") {
    if (!Array.isArray(value)) throw new AbiError(`${t.name}: expected a JSON array`);
    return t.elements.map((e, i) => fromJson(e, value[i]));
  }
  if (t.kind === "bool") return value === true || value === "true";
  return String(value);
}

// ---------------------------------------------------------------------------------------
// Metadata

/** Errors any contract can revert with (the VM's and the contract SDK's): src/codec/metadata.ts. */
export const STANDARD_ERRORS = [
  ["Error", [["message", "string"]]],
  ["Panic", [["message", "string"]]],
  ["OutOfGas", []],
  ["Trap", [["message", "string"]]],
  ["NoSuchContract", [["address", "address"]]],
  ["NoSuchMethod", [["method", "string"]]],
  ["Reentrancy", [["address", "address"]]],
  ["CallDepthExceeded", []],
  ["ReturnDataTooLarge", []],
  ["InsufficientBalance", []],
  ["InvalidArguments", [["message", "string"]]],
  ["LimitExceeded", [["message", "string"]]],
  ["AddressInUse", [["address", "address"]]],
  [
    "DeployRejected",
    [
      ["code", "string"],
      ["message", "string"],
    ],
  ],
  ["Overflow", [["message", "string"]]],
  ["NoSuchCode", [["codeHash", "bytes32"]]],
  ["ForbiddenInValidation", [["what", "string"]]],
].map(([name, inputs]) => ({ name, inputs: inputs.map(([n, type]) => ({ name: n, type })) }));

function named(params, values) {
  return params.map((p, i) => ({
    name: p.name || `arg${i}`,
    type: p.type,
    value: values[i],
    indexed: p.indexed,
  }));
}

export function findMethod(meta, name) {
  if (!meta) return undefined;
  const ctor = Object.hasOwn(meta, "constructor") ? meta.constructor : null;
  if (ctor && ctor.name === name) return ctor;
  return meta.methods.find((m) => m.name === name);
}

/** A call's arguments: `{ method, args: [{ name, type, value }] }`, or `{ error }`. */
export function decodeCallArgs(meta, methodName, argsHex) {
  const method = findMethod(meta, methodName);
  if (!method) return { error: meta ? `${meta.name} has no method ${methodName}` : "unknown contract" };
  try {
    const values = decodeAbi(
      method.inputs.map((p) => p.type),
      argsHex,
    );
    return { method, args: named(method.inputs, values) };
  } catch (error) {
    return { method, error: String(error.message ?? error) };
  }
}

/** A method's return data as named values, or `{ error }`. */
export function decodeReturnData(meta, methodName, outputHex) {
  const method = findMethod(meta, methodName);
  if (!method) return { error: "unknown method" };
  try {
    const outputs = method.outputs.map((p, i) => ({
      ...p,
      name: p.name || (method.outputs.length === 1 ? "result" : `[${i}]`),
    }));
    return {
      method,
      values: named(
        outputs,
        decodeAbi(
          method.outputs.map((p) => p.type),
          outputHex,
        ),
      ),
    };
  } catch (error) {
    return { method, error: String(error.message ?? error) };
  }
}

function normTopic(t) {
  return String(t).toLowerCase().replace(/^0x/, "");
}

/** The event of `meta` with topic 0 `topic`, if any. */
export function eventByTopic(meta, topic) {
  if (!meta || topic === undefined) return undefined;
  const want = normTopic(topic);
  return meta.events.find((e) => normTopic(e.topic0) === want);
}

/**
 * Decodes a log `{ topics, data }` with `meta`: `{ name, event, args: [{ name, type, value, indexed }] }`,
 * `null` when topic 0 is not one of its events, or `{ name, error }` when it does not decode.
 * Indexed fixed-size values come from their topic; hashed ones stay the topic's hex.
 */
export function decodeEvent(meta, log) {
  const event = eventByTopic(meta, log.topics[0]);
  if (!event) return null;
  try {
    const indexed = event.inputs.filter((p) => p.indexed === true);
    if (log.topics.length !== indexed.length + 1)
      throw new AbiError(`expected ${indexed.length + 1} topics, got ${log.topics.length}`);
    const plain = event.inputs.filter((p) => p.indexed !== true);
    const plainValues = decodeAbi(
      plain.map((p) => p.type),
      log.data,
    );
    let topicAt = 1;
    let plainAt = 0;
    const values = event.inputs.map((p) => {
      if (p.indexed !== true) return plainValues[plainAt++];
      const topic = log.topics[topicAt++];
      const t = parseType(p.type);
      if (t.size === null || t.size > 32 || t.kind === "tuple") return topic;
      return decodeAbi([p.type], hexToBytes(topic).subarray(0, t.size))[0];
    });
    return { name: event.name, event, args: named(event.inputs, values) };
  } catch (error) {
    return { name: event.name, event, error: String(error.message ?? error) };
  }
}

/**
 * Decodes revert data: the error's name, then its arguments decoded with the first of
 * `metas` that declares an error of that name and whose types fit, else the standard
 * errors. `{ name, args }`, or `{ name, raw }` when no declaration fits, or
 * `{ name: "", raw }` when the data does not start with a name.
 */
export function decodeRevert(metas, data) {
  const bytes = typeof data === "string" ? hexToBytes(data) : data;
  let name;
  let rest;
  try {
    const r = new Reader(bytes);
    name = readValue(r, parseType("string"));
    rest = bytes.subarray(r.pos);
  } catch {
    return { name: "", raw: bytesToHex(bytes) };
  }
  const candidates = [];
  for (const meta of metas) for (const e of meta?.errors ?? []) if (e.name === name) candidates.push(e);
  for (const e of STANDARD_ERRORS) if (e.name === name) candidates.push(e);
  for (const e of candidates) {
    try {
      const values = decodeAbi(
        e.inputs.map((p) => p.type),
        rest,
      );
      return { name, args: named(e.inputs, values) };
    } catch {
      // the next declaration of that name may fit
    }
  }
  return { name, raw: bytesToHex(rest) };
}

/** The topic of an indexed address: its 20 bytes, zero-padded at the end to 32. */
export function addressTopic(address) {
  return `${address.toLowerCase()}${"0".repeat(24)}`;
}

/** "transfer(to: address, amount: u128) → bool" */
export function signature(method) {
  const inputs = method.inputs.map((p) => `${p.indexed ? "indexed " : ""}${p.name}: ${p.type}`).join(", ");
  const outputs = method.outputs?.length ? ` → ${method.outputs.map((p) => p.type).join(", ")}` : "";
  return `${method.name}(${inputs})${outputs}`;
}
