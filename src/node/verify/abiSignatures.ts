/**
 * A Solidity ABI's selectors and event topics, computed once when the source is verified
 * and stored beside the ABI, so that readers (the explorer has no keccak-256) find the
 * function of an input's first 4 bytes, the event of a log's topic 0 and the custom error
 * of revert data by lookup: canonical signature `name(type,...)` (tuples as `(t1,t2)`,
 * array suffixes kept), keccak-256, 4 bytes for functions and errors, 32 for events.
 */
import { toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";

export interface AbiParam {
  name?: string;
  type: string;
  indexed?: boolean;
  components?: AbiParam[];
}

export interface AbiItem {
  type: string;
  name?: string;
  inputs?: AbiParam[];
  anonymous?: boolean;
}

/** Index into the ABI array of each function, event and error, by selector or topic 0. */
export interface AbiSignatures {
  functions: Record<string, number>;
  events: Record<string, number>;
  errors: Record<string, number>;
}

/** A parameter's canonical type: tuples spelled out, array suffixes kept (`(uint256,address)[]`). */
export function canonicalType(p: AbiParam): string {
  if (!p.type.startsWith("tuple")) return p.type;
  return `(${(p.components ?? []).map(canonicalType).join(",")})${p.type.slice("tuple".length)}`;
}

export function abiSignature(item: AbiItem): string {
  return `${item.name ?? ""}(${(item.inputs ?? []).map(canonicalType).join(",")})`;
}

/** The selectors and topics of `abi`'s functions, events (not anonymous ones) and errors. */
export function abiSignatures(abi: readonly AbiItem[]): AbiSignatures {
  const out: AbiSignatures = { functions: {}, events: {}, errors: {} };
  abi.forEach((item, i) => {
    if (item.type !== "function" && item.type !== "event" && item.type !== "error") return;
    if (item.type === "event" && item.anonymous === true) return;
    const hash = `0x${toHex(keccak256(utf8(abiSignature(item))))}`;
    if (item.type === "event") out.events[hash] = i;
    else (item.type === "function" ? out.functions : out.errors)[hash.slice(0, 10)] = i;
  });
  return out;
}
