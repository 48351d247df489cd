/** Decoding revert data and logs with contract metadata. */
import { decodeErrorName } from "../../codec/abi.js";
import { fromHex } from "../../codec/bytes.js";
import { decodeEthRevert } from "../../codec/ethRevert.js";
import { type ContractMetadata, decodeEvent, decodeRevert, STANDARD_ERRORS } from "../../codec/metadata.js";
import type { DecodedRevert } from "./errors.js";
import type { Hex, Log } from "./types.js";

/**
 * Decodes revert data with the first metadata that declares the error's name (a revert
 * may come from a contract deeper in the call chain), else as a standard VM/SDK error, else
 * as a bare name with `raw` arguments. Undefined for empty or nameless data.
 */
export function decodeRevertWith(
  metadata: readonly ContractMetadata[],
  output: Hex | Uint8Array,
): DecodedRevert | undefined {
  const data = typeof output === "string" ? fromHex(output) : output;
  if (data.length === 0) return undefined;
  // Solidity's Error(string) and Panic(uint256) need no metadata.
  const eth = decodeEthRevert(data);
  if (eth !== undefined) return { name: eth.name, args: eth.args };
  const empty: ContractMetadata = {
    name: "",
    abiVersion: 1,
    constructor: null,
    methods: [],
    events: [],
    errors: [],
  };
  let name: string;
  let rest: Uint8Array;
  try {
    ({ name, rest } = decodeErrorName(data));
  } catch {
    return undefined;
  }
  if (name === "") return undefined;
  for (const meta of metadata) {
    if (!meta.errors.some((e) => e.name === name)) continue;
    try {
      return { ...decodeRevert(meta, data), contract: meta.name };
    } catch {
      // Same name, other arguments: try the next contract.
    }
  }
  if (STANDARD_ERRORS.some((e) => e.name === name)) {
    try {
      return decodeRevert(empty, data);
    } catch {
      // Same name as a standard error, other arguments: the bare name below.
    }
  }
  return { name, args: { raw: rest } };
}

/** A log with its event decoded. */
export interface DecodedLog<L = Log> {
  log: L;
  eventName: string;
  args: Record<string, unknown>;
}

/** Decodes `log` with `metadata` (null when its topic 0 is not one of the contract's events). */
export function decodeLog<L extends { topics: readonly string[]; data: string }>(
  metadata: ContractMetadata,
  log: L,
): DecodedLog<L> | null {
  const event = decodeEvent(metadata, { topics: log.topics, data: fromHex(log.data) });
  return event === null ? null : { log, eventName: event.name, args: event.args };
}

/** Decodes every log that one of `metadata` knows (by address when given, else by topic). */
export function decodeLogs<L extends { address: string; topics: readonly string[]; data: string }>(
  logs: readonly L[],
  metadata: readonly ContractMetadata[] | ReadonlyMap<string, ContractMetadata>,
): DecodedLog<L>[] {
  const out: DecodedLog<L>[] = [];
  for (const log of logs) {
    const candidates =
      metadata instanceof Map
        ? [metadata.get(log.address)].filter((m): m is ContractMetadata => m !== undefined)
        : (metadata as readonly ContractMetadata[]);
    for (const meta of candidates) {
      let decoded: DecodedLog<L> | null = null;
      try {
        decoded = decodeLog(meta, log);
      } catch {
        decoded = null;
      }
      if (decoded !== null) {
        out.push(decoded);
        break;
      }
    }
  }
  return out;
}
