/**
 * An EVM contract's code and storage as the explorer shows them: `weft_getAccount`'s
 * `evmCodeHash`/`evmCodeSize`, and `weft_getEvmStorage`, a page of the contract's storage
 * slots in slot order (the state keeps each EVM slot under its own key,
 * `state/keys.ts` `evmStorageKey`, so they are listed by prefix).
 */
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { evmCodeHashKey, evmCodeKey, evmStoragePrefix } from "../../state/keys.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex } from "../store/records.js";
import { address, object, positional } from "./params.js";

export const MAX_EVM_STORAGE_PAGE = 100;
const DEFAULT_EVM_STORAGE_PAGE = 20;

/** The EVM code at `a`: its keccak-256 and size in bytes (null and 0 without EVM code). */
export function evmCodeOf(node: ChainNode, a: Address): { evmCodeHash: string | null; evmCodeSize: number } {
  const hash = node.state.get(evmCodeHashKey(a));
  if (hash === undefined) return { evmCodeHash: null, evmCodeSize: 0 };
  return { evmCodeHash: hex(hash), evmCodeSize: node.state.get(evmCodeKey(hash))?.length ?? 0 };
}

const word = (bytes: Uint8Array): string => `0x${toHex(bytes).padStart(64, "0")}`;

export function evmStateMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    /**
     * [address, { limit?, after? }?] → { address, slots: [{ slot, value }], next, blockNumber }:
     * the contract's non-zero storage slots in slot order after `after` (32-byte words), at
     * most `limit` (default 20, at most 100); `next` is the `after` of the following page
     * (null at the end).
     */
    weft_getEvmStorage(params) {
      const [who, opts] = positional(params, 1, 2, "[address, { limit?, after? }?]");
      const a = address(who, "address");
      const o = opts === undefined ? {} : object(opts, "options");
      let limit = DEFAULT_EVM_STORAGE_PAGE;
      if (o.limit !== undefined) {
        if (
          typeof o.limit !== "number" ||
          !Number.isInteger(o.limit) ||
          o.limit < 1 ||
          o.limit > MAX_EVM_STORAGE_PAGE
        )
          throw invalidParams(`limit: expected an integer from 1 to ${MAX_EVM_STORAGE_PAGE}`);
        limit = o.limit;
      }
      let after: string | undefined;
      if (o.after !== undefined && o.after !== null) {
        if (typeof o.after !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(o.after))
          throw invalidParams("after: expected a 32-byte slot (0x + 64 hex) from a previous page's next");
        after = o.after.slice(2).toLowerCase();
      }
      const prefix = evmStoragePrefix(a);
      const slots: Array<{ slot: string; value: string }> = [];
      let more = false;
      // The scan starts after `after`: a page costs what it returns, wherever it starts (a
      // scan from the first slot made a page at the end of a large contract read them all).
      const from = after === undefined ? undefined : prefix + after;
      for (const [key, value] of node.state.iterate(prefix, from)) {
        const slot = key.slice(prefix.length);
        if (slots.length === limit) {
          more = true;
          break;
        }
        slots.push({ slot: `0x${slot}`, value: word(value) });
      }
      const last = slots[slots.length - 1];
      return {
        address: a,
        slots,
        next: more && last !== undefined ? last.slot : null,
        blockNumber: node.head().number,
      };
    },
  };
}
