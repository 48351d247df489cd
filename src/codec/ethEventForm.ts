/**
 * A WASM contract's event in Ethereum's form, so that Ethereum tools (viem's
 * `decodeEventLog`, ethers' `Interface.parseLog`, indexers watching ERC-20 topics) decode it.
 * The mapping, from the event's metadata (docs/rpc.md, "WASM events in the eth_ views"):
 *
 * - types: every Weft integer widens to Ethereum's 256-bit form (`u8` … `u256` → `uint256`,
 *   `i32`/`i64` → `int256`); `bool`, `address`, `bytes32`, `bytes` and `string` keep their
 *   names; arrays and tuples map element by element. Weft's `Transfer(address,address,u128)`
 *   is thus ERC-20's `Transfer(address,address,uint256)`.
 * - topic 0: keccak256 of the event's Ethereum signature (its name and the mapped types).
 * - indexed arguments: one 32-byte topic each as Ethereum encodes it (a value type as its
 *   ABI word, `string`/`bytes` as keccak256 of their bytes, which Weft's topic already is).
 * - data: the non-indexed arguments, ABI-encoded as Ethereum does (32-byte words, head and tail).
 *
 * An event with an indexed array or tuple has no Ethereum form (Weft hashes the Weft encoding,
 * Ethereum the Ethereum one, and the value is gone): `ethEventForm` answers undefined and the
 * log is shown as stored. So it does for a log its metadata cannot decode.
 */
import { AbiError, decodeAbi, parseType } from "./abi.js";
import { fromHex, toHex, utf8 } from "./bytes.js";
import { encodeEthAbi, encodeEthWord, ethTypeName } from "./ethAbi.js";
import { keccak256 } from "./hash.js";
import type { EventMetadata } from "./metadata.js";

/** `Transfer(address,address,uint256)` for Weft's `Transfer(address,address,u128)`. */
export function ethEventSignature(e: EventMetadata): string {
  return `${e.name}(${e.inputs.map((p) => ethTypeName(parseType(p.type))).join(",")})`;
}

/** 0x hex of keccak256 of the event's Ethereum signature. */
export function ethEventTopic0(e: EventMetadata): string {
  return `0x${toHex(keccak256(utf8(ethEventSignature(e))))}`;
}

const unhex = (h: string): Uint8Array => fromHex(h.startsWith("0x") ? h.slice(2) : h);

/**
 * The Ethereum form of a WASM log of event `e` (its stored `topics` and Weft-encoded `data`),
 * or undefined when it has none or does not decode as `e`.
 */
export function ethEventForm(
  e: EventMetadata,
  topics: readonly string[],
  data: string,
): { topics: string[]; data: string } | undefined {
  const indexed = e.inputs.filter((p) => p.indexed === true);
  const rest = e.inputs.filter((p) => p.indexed !== true);
  if (topics.length !== indexed.length + 1) return undefined;
  try {
    const out = [ethEventTopic0(e)];
    for (let i = 0; i < indexed.length; i++) {
      const t = parseType((indexed[i] as { type: string }).type);
      const topic = unhex(topics[i + 1] as string);
      if (t.kind === "array" || t.kind === "tuple") return undefined;
      if (t.kind === "string" || t.kind === "bytes" || t.size === null || t.size > 32) {
        out.push(topics[i + 1] as string);
        continue;
      }
      const [value] = decodeAbi([t.name], topic.subarray(0, t.size));
      if (topic.subarray(t.size).some((b) => b !== 0)) return undefined;
      out.push(`0x${toHex(encodeEthWord(t, value))}`);
    }
    const values = decodeAbi(
      rest.map((p) => p.type),
      unhex(data),
    );
    const encoded = encodeEthAbi(
      rest.map((p) => p.type),
      values,
    );
    return { topics: out, data: `0x${toHex(encoded)}` };
  } catch (error) {
    if (error instanceof AbiError) return undefined;
    throw error;
  }
}
