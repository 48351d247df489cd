/**
 * Ethereum's ABI encoding of values of Weft ABI types (`codec/abiTypes.ts`): integers widen to
 * 256-bit words (`uint256`/`int256`), addresses left-padded, `bytes32` as is, `bytes` and
 * `string` as a length word then the bytes padded to whole words, arrays as a count then their
 * elements, tuples with static values in place and dynamic ones by offset into the tail.
 * Used for WASM events in Ethereum's form (`ethEventForm.ts`) and calls into the WASM host
 * precompile from an Ethereum transaction (the CLI's `eth0`..`eth9` accounts).
 */
import type { AbiType } from "./abiTypes.js";
import { parseType } from "./abiTypes.js";
import { fromHex, utf8 } from "./bytes.js";

/** The Ethereum name of Weft ABI type `t` (integers widened to 256 bits). */
export function ethTypeName(t: AbiType): string {
  switch (t.kind) {
    case "uint":
      return "uint256";
    case "int":
      return "int256";
    case "array":
      return `${ethTypeName(t.element)}[]`;
    case "tuple":
      return `(${t.elements.map(ethTypeName).join(",")})`;
    default:
      return t.name;
  }
}

const isDynamic = (t: AbiType): boolean =>
  t.kind === "bytes" ||
  t.kind === "string" ||
  t.kind === "array" ||
  (t.kind === "tuple" && t.elements.some(isDynamic));

function word(value: bigint): Uint8Array {
  return fromHex(BigInt.asUintN(256, value).toString(16).padStart(64, "0"));
}

function padded(bytes: Uint8Array): Uint8Array[] {
  const out = new Uint8Array(Math.ceil(bytes.length / 32) * 32);
  out.set(bytes);
  return [word(BigInt(bytes.length)), out];
}

/** One value's Ethereum ABI encoding (a static value's word, or a dynamic value's tail). */
function encodeValue(t: AbiType, value: unknown): Uint8Array[] {
  switch (t.kind) {
    case "uint":
    case "int":
      return [word(value as bigint)];
    case "bool":
      return [word(value === true ? 1n : 0n)];
    case "address":
      return [word(BigInt(value as string))];
    case "bytes32":
      return [value as Uint8Array];
    case "bytes":
      return padded(value as Uint8Array);
    case "string":
      return padded(utf8(value as string));
    case "array": {
      const items = value as unknown[];
      return [word(BigInt(items.length)), ...encodeTuple(Array(items.length).fill(t.element), items)];
    }
    case "tuple":
      return encodeTuple(t.elements, value as unknown[]);
  }
}

/** A tuple's Ethereum ABI encoding: static values in place, dynamic ones by offset into the tail. */
function encodeTuple(types: readonly AbiType[], values: readonly unknown[]): Uint8Array[] {
  const parts = types.map((t, i) => ({ dynamic: isDynamic(t), chunks: encodeValue(t, values[i]) }));
  const size = (chunks: Uint8Array[]) => chunks.reduce((n, c) => n + c.length, 0);
  let tail = parts.reduce((n, p) => n + (p.dynamic ? 32 : size(p.chunks)), 0);
  const head: Uint8Array[] = [];
  const tails: Uint8Array[] = [];
  for (const p of parts) {
    if (!p.dynamic) {
      head.push(...p.chunks);
      continue;
    }
    head.push(word(BigInt(tail)));
    tails.push(...p.chunks);
    tail += size(p.chunks);
  }
  return [...head, ...tails];
}

/** The Ethereum ABI encoding of `values` as the tuple of Weft `types`. */
export function encodeEthAbi(types: readonly string[], values: readonly unknown[]): Uint8Array {
  return Buffer.concat(encodeTuple(types.map(parseType), values));
}

/** The one 32-byte word of a static value (an integer, `bool`, `address` or `bytes32`). */
export function encodeEthWord(t: AbiType, value: unknown): Uint8Array {
  return encodeValue(t, value)[0] as Uint8Array;
}
