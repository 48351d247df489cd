// Ethereum ABI decoding for EVM contracts whose Solidity source was verified with the node
// (weft_getEvmSource: the ABI, and its selectors and event topics already hashed by the node,
// so no keccak-256 is needed here): a call's input, a log and revert data, each decoded to
// named arguments `[{ name, type, value }]` (integers as bigint, addresses lower case, bytes
// as 0x hex, arrays and tuples as arrays). Bounded: a malformed offset or length throws.

/** The most elements one dynamic array may claim (a hostile length cannot make a huge array). */
const MAX_ELEMENTS = 10_000;

const ARRAY = /^(.*)\[(\d*)\]$/;

function isDynamic(p) {
  if (p.type === "string" || p.type === "bytes") return true;
  const m = ARRAY.exec(p.type);
  if (m) return m[2] === "" || isDynamic({ ...p, type: m[1] });
  if (p.type === "tuple") return (p.components ?? []).some(isDynamic);
  return false;
}

/** The bytes a static parameter takes in the head (a static array or tuple inline, else one word). */
function headSize(p) {
  if (isDynamic(p)) return 32;
  const m = ARRAY.exec(p.type);
  if (m) return Number(m[2]) * headSize({ ...p, type: m[1] });
  if (p.type === "tuple") return (p.components ?? []).reduce((n, c) => n + headSize(c), 0);
  return 32;
}

function word(hex, at) {
  const w = hex.slice(at * 2, at * 2 + 64);
  if (w.length !== 64 || at < 0) throw new Error(`the data ends before byte ${at + 32}`);
  return w;
}

function count(hex, at) {
  const n = BigInt(`0x${word(hex, at)}`);
  if (n > BigInt(hex.length)) throw new Error(`a length or offset of ${n} runs past the data`);
  return Number(n);
}

function decodeWord(type, w) {
  if (type === "address") return `0x${w.slice(24)}`;
  if (type === "bool") return BigInt(`0x${w}`) !== 0n;
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const v = BigInt(`0x${w}`);
    if (int[1] === "u") return v;
    const bits = BigInt(int[2] || 256);
    const low = v & ((1n << bits) - 1n);
    return low >= 1n << (bits - 1n) ? low - (1n << bits) : low;
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) return `0x${w.slice(0, Number(fixed[1]) * 2)}`;
  return `0x${w}`;
}

function decodeAt(p, hex, at) {
  const m = ARRAY.exec(p.type);
  if (m) {
    const inner = { ...p, type: m[1] };
    const dynamic = m[2] === "";
    const n = dynamic ? count(hex, at) : Number(m[2]);
    if (n > MAX_ELEMENTS) throw new Error(`an array of ${n} elements`);
    return decodeList(new Array(n).fill(inner), hex, dynamic ? at + 32 : at);
  }
  if (p.type === "tuple") return decodeList(p.components ?? [], hex, at);
  if (p.type === "string" || p.type === "bytes") {
    const n = count(hex, at);
    const body = hex.slice((at + 32) * 2, (at + 32 + n) * 2);
    if (body.length !== n * 2) throw new Error(`a ${p.type} of ${n} bytes runs past the data`);
    if (p.type === "bytes") return `0x${body}`;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = Number.parseInt(body.slice(2 * i, 2 * i + 2), 16);
    return new TextDecoder().decode(bytes);
  }
  return decodeWord(p.type, word(hex, at));
}

/** The values of `params` laid out from byte `base` of `hex` (heads, then tails at offsets from `base`). */
function decodeList(params, hex, base) {
  let at = base;
  return params.map((p) => {
    const value = isDynamic(p) ? decodeAt(p, hex, base + count(hex, at)) : decodeAt(p, hex, at);
    at += headSize(p);
    return value;
  });
}

const body = (data) => (data.startsWith("0x") ? data.slice(2) : data).toLowerCase();

/** `data` decoded as `params` (ABI inputs): `[{ name, type, value }]`. Throws on malformed data. */
export function decodeEthParams(params, data) {
  const values = decodeList(params, body(data), 0);
  return params.map((p, i) => ({ name: p.name || `arg${i}`, type: p.type, value: values[i] }));
}

function item(source, kind, key) {
  const i = source?.signatures?.[kind]?.[key?.toLowerCase()];
  return i === undefined ? undefined : source.abi[i];
}

/** A call's input decoded with a verified source: `{ name, args }`, `{ name, error }` when malformed, or null. */
export function decodeEthCall(source, data) {
  if (typeof data !== "string" || data.length < 10) return null;
  const fn = item(source, "functions", data.slice(0, 10));
  if (!fn) return null;
  try {
    return { name: fn.name, args: decodeEthParams(fn.inputs ?? [], data.slice(10)) };
  } catch (e) {
    return { name: fn.name, error: e.message };
  }
}

/**
 * A log decoded with a verified source: `{ name, args }` (indexed arguments from the topics,
 * a dynamic one as the hash its topic holds), `{ name, error }` when malformed, or null.
 */
export function decodeEthEvent(source, log) {
  const event = item(source, "events", log.topics?.[0]);
  if (!event) return null;
  try {
    const inputs = event.inputs ?? [];
    const indexed = inputs.filter((p) => p.indexed);
    if (log.topics.length !== indexed.length + 1) throw new Error("the topics do not match the event");
    const data = decodeEthParams(
      inputs.filter((p) => !p.indexed),
      log.data ?? "0x",
    );
    let t = 1;
    let d = 0;
    const args = inputs.map((p, i) => {
      if (!p.indexed) return { ...data[d++], name: p.name || `arg${i}` };
      const topic = body(log.topics[t++]);
      const value = isDynamic(p) || p.type === "tuple" ? `0x${topic}` : decodeWord(p.type, topic);
      return { name: p.name || `arg${i}`, type: p.type, value, indexed: true };
    });
    return { name: event.name, args };
  } catch (e) {
    return { name: event.name, error: e.message };
  }
}

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

/** Revert data decoded with a verified source's custom errors, or as Error(string) / Panic(uint256): `{ name, args }` or null. */
export function decodeEthError(source, data) {
  if (typeof data !== "string" || data.length < 10) return null;
  const selector = data.slice(0, 10).toLowerCase();
  const custom = item(source, "errors", selector);
  const inputs =
    selector === ERROR_STRING
      ? [{ name: "reason", type: "string" }]
      : selector === PANIC
        ? [{ name: "code", type: "uint256" }]
        : custom?.inputs;
  if (!inputs) return null;
  const name = selector === ERROR_STRING ? "Error" : selector === PANIC ? "Panic" : custom.name;
  try {
    return { name, args: decodeEthParams(inputs, data.slice(10)) };
  } catch {
    return null;
  }
}
