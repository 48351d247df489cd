/** RPC methods that submit and list pending transactions. */
import { toHex } from "../../codec/bytes.js";
import { AdmissionError, type AdmissionErrorCode } from "../admission.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { address, bytes, positional, shown, u64 } from "./params.js";
import { pendingTxJson } from "./txJson.js";

/** JSON-RPC codes of transaction rejections; `data.reason` carries the rule's name. */
export const REJECTION_CODES: Record<AdmissionErrorCode, number> = {
  DECODE: -32010,
  INVALID: -32011,
  ALREADY_KNOWN: -32012,
  ALREADY_INCLUDED: -32013,
  NONCE_TOO_LOW: -32014,
  NONCE_TOO_FAR: -32015,
  REPLACEMENT_UNDERPRICED: -32016,
  FEE_TOO_LOW: -32017,
  SENDER_LIMIT: -32018,
  POOL_FULL: -32018,
  POOL_BYTES_FULL: -32018,
  TOO_LARGE: -32019,
  SENDER_THROTTLED: -32030,
  SENDER_BANNED: -32031,
  INVALID_CONFIG: -32603,
  INVALID_ARGUMENT: -32602,
};

const MAX_PENDING_LISTED = 1_000;

export function txMethods(node: ChainNode): Record<string, RpcHandler> {
  return {
    /** [raw: hex] → { hash }: admits a signed v1 transaction into the pool. */
    async weft_sendRawTransaction(params) {
      const [raw] = positional(params, 1, 1, "[rawTransactionHex]");
      try {
        const record = await node.submitAsync(bytes(raw, "rawTransaction", Number.POSITIVE_INFINITY));
        return { hash: record.hash };
      } catch (error) {
        if (error instanceof AdmissionError)
          throw new RpcError(REJECTION_CODES[error.code], error.message, { reason: error.code });
        throw error;
      }
    },
    /** [] → up to 1,000 pending transactions, highest price first. */
    weft_pendingTransactions(params) {
      positional(params, 0, 0, "[]");
      return node.mempool
        .pending()
        .slice(0, MAX_PENDING_LISTED)
        .map((p) => ({ ...pendingTxJson(p.tx), receivedAt: p.receivedAt }));
    },
    /** [address, nonceKey?, "latest" | "pending"?] → the next sequence for that nonce key (decimal string); "pending" counts this node's pool. */
    weft_nextNonce(params) {
      const [who, key, tag] = positional(params, 1, 3, '[address, nonceKey?, "latest" | "pending"?]');
      const sender = address(who, "address");
      const nonceKey = key === undefined ? 0n : u64(key, "nonceKey");
      if (tag !== undefined && tag !== "latest" && tag !== "pending")
        throw invalidParams(
          `tag: "latest" (the chain's) or "pending" (after this node's pool), got ${shown(tag)}`,
        );
      let next = node.nextSequence(sender, nonceKey);
      if (tag === "pending") {
        // The pool's transactions that would run next, in a row, come first.
        const queued = new Set(
          node.mempool
            .pending()
            .filter((p) => p.sender === sender && p.nonceKey === nonceKey)
            .map((p) => p.sequence),
        );
        while (queued.has(next)) next++;
      }
      return next.toString();
    },
    /** [] → mempool statistics. */
    weft_mempoolStatus(params) {
      positional(params, 0, 0, "[]");
      return node.mempool.stats();
    },
  };
}

export function rawHex(raw: Uint8Array): string {
  return `0x${toHex(raw)}`;
}
