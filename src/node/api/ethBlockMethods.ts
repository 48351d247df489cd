/**
 * The rest of Ethereum's read methods that tools call on a dev chain (geth's and Anvil's
 * answers): a block's receipts, its transactions by index and their count by hash, uncles
 * (Weft has none: counts of 0, no uncle), and the node's network and mining status
 * (`net_listening`, `net_peerCount`, `eth_syncing`, `eth_mining`, `eth_hashrate`, `eth_coinbase`), and
 * `web3_sha3`. A block is named by a tag or number (`ethBlockNumber`), or by its hash; an
 * unknown block answers `null`, as geth's.
 */
import { keccak256 } from "../../codec/hash.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { hex, type StoredBlock } from "../store/records.js";
import { chargeAnswer, receiptBytes } from "./answerBytes.js";
import type { NetworkStatus } from "./chainMethods.js";
import { minedTxShape, quantity, receiptShape } from "./ethShapes.js";
import { ethBlockNumber } from "./ethTxMethods.js";
import { bytes, hash, positional, shown } from "./params.js";

/** Most bytes `web3_sha3` hashes (the largest call data a transaction may carry). */
export const MAX_SHA3_BYTES = 128 * 1024;

/** A transaction index (a quantity); indexes past any block's are still well-formed, they find nothing. */
function txIndex(value: unknown, name: string): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,8}$/.test(value))
    throw invalidParams(`${name}: expected a quantity (0x-hex, at most 8 digits), got ${shown(value)}`);
  return Number.parseInt(value.slice(2), 16);
}

export function ethBlockMethods(node: ChainNode, network: () => NetworkStatus): Record<string, RpcHandler> {
  const byNumber = (tag: unknown): StoredBlock | undefined => {
    const n = ethBlockNumber(node, tag);
    return n === undefined ? undefined : node.db.block(n);
  };
  const byHash = (value: unknown, name = "blockHash"): StoredBlock | undefined => {
    const n = node.db.blockNumberOf(hash(value, name));
    return n === undefined ? undefined : node.db.block(n);
  };
  /** geth's BlockNumberOrHash: a tag or number, a block hash, or `{ blockNumber }` / `{ blockHash }`. */
  const byNumberOrHash = (value: unknown): StoredBlock | undefined => {
    if (typeof value === "string" && value.length === 66) return byHash(value, "block");
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      if (o.blockHash !== undefined) return byHash(o.blockHash, "block.blockHash");
      return byNumber(o.blockNumber);
    }
    return byNumber(value);
  };
  const txAt = (block: StoredBlock | undefined, index: number) => {
    const txh = block?.txHashes[index];
    if (block === undefined || txh === undefined) return null;
    const stored = node.db.tx(txh);
    return stored === undefined
      ? null
      : minedTxShape(stored.raw, txh as `0x${string}`, block.header, index, node.db.receipt(txh));
  };
  const uncleCount = (block: StoredBlock | undefined) => (block === undefined ? null : "0x0");

  return {
    /** [] → true: the node answers (a node of one listens on its RPC port; a network node on its p2p port too). */
    net_listening(params) {
      positional(params, 0, 0, "[]");
      return true;
    },
    /** [] → the peers connected now (a quantity; 0 for a node of one). */
    net_peerCount(params) {
      positional(params, 0, 0, "[]");
      return quantity(network().peers);
    },
    /**
     * [] → false at the head (always on a node of one); while block sync brings the node to
     * the network's head, { startingBlock, currentBlock, highestBlock } as quantities.
     */
    eth_syncing(params) {
      positional(params, 0, 0, "[]");
      const progress = network().progress;
      if (progress === null) return false;
      return {
        startingBlock: quantity(progress.startingBlock),
        currentBlock: quantity(progress.currentBlock),
        highestBlock: quantity(progress.highestBlock),
      };
    },
    /** [data] → keccak256 of the bytes (not of their hex text). */
    web3_sha3(params) {
      const [data] = positional(params, 1, 1, "[data]");
      return hex(keccak256(bytes(data, "data", MAX_SHA3_BYTES)));
    },
    /** [] → true: the node makes blocks (automine in dev mode, the block timer otherwise). */
    eth_mining(params) {
      positional(params, 0, 0, "[]");
      return true;
    },
    /** [] → "0x0": no proof of work. */
    eth_hashrate(params) {
      positional(params, 0, 0, "[]");
      return "0x0";
    },
    /** [] → the fee recipient of the blocks this node makes. */
    eth_coinbase(params) {
      positional(params, 0, 0, "[]");
      return node.options.feeRecipient;
    },
    /** [block] → every receipt of the block in order, or null for an unknown block. */
    eth_getBlockReceipts(params, ctx) {
      const [tag] = positional(params, 1, 1, "[block]");
      const block = byNumberOrHash(tag);
      if (block === undefined) return null;
      // Every receipt counted before any is built: a block of cheap events makes an answer
      // far larger than the block (`rpc/responseBudget.ts`), and building the first receipt
      // reads the whole block's summary. A refusal thus reads receipts only up to the bound.
      const receipts = block.txHashes.map((txh) => {
        const receipt = node.db.receipt(txh);
        if (receipt !== undefined) chargeAnswer(ctx, receiptBytes(receipt));
        return receipt;
      });
      return receipts.map((receipt, i) => {
        const stored = node.db.tx(block.txHashes[i] as string);
        if (receipt === undefined || stored === undefined) return null;
        return receiptShape(node, receipt, stored.raw);
      });
    },
    /** [block, index] → the block's transaction at that index, or null. */
    eth_getTransactionByBlockNumberAndIndex(params) {
      const [tag, index] = positional(params, 2, 2, "[block, transactionIndex]");
      return txAt(byNumber(tag), txIndex(index, "transactionIndex"));
    },
    /** [blockHash, index] → the block's transaction at that index, or null. */
    eth_getTransactionByBlockHashAndIndex(params) {
      const [h, index] = positional(params, 2, 2, "[blockHash, transactionIndex]");
      return txAt(byHash(h), txIndex(index, "transactionIndex"));
    },
    /** [blockHash] → its transaction count, or null. */
    eth_getBlockTransactionCountByHash(params) {
      const [h] = positional(params, 1, 1, "[blockHash]");
      const block = byHash(h);
      return block === undefined ? null : quantity(block.txHashes.length);
    },
    /** [block] → "0x0" (Weft has no uncles), or null for an unknown block. */
    eth_getUncleCountByBlockNumber(params) {
      const [tag] = positional(params, 1, 1, "[block]");
      return uncleCount(byNumber(tag));
    },
    /** [blockHash] → "0x0", or null for an unknown block. */
    eth_getUncleCountByBlockHash(params) {
      const [h] = positional(params, 1, 1, "[blockHash]");
      return uncleCount(byHash(h));
    },
    /** [block, index] → null: no uncles. */
    eth_getUncleByBlockNumberAndIndex(params) {
      const [tag, index] = positional(params, 2, 2, "[block, uncleIndex]");
      ethBlockNumber(node, tag);
      txIndex(index, "uncleIndex");
      return null;
    },
    /** [blockHash, index] → null: no uncles. */
    eth_getUncleByBlockHashAndIndex(params) {
      const [h, index] = positional(params, 2, 2, "[blockHash, uncleIndex]");
      hash(h, "blockHash");
      txIndex(index, "uncleIndex");
      return null;
    },
  };
}
