/**
 * Ethereum JSON-RPC for transactions, blocks and fees: `eth_sendRawTransaction`, the reads
 * of transactions, receipts and blocks in Ethereum's shapes (`ethShapes.ts`), and the fee
 * suggestions. Weft's envelopes are accepted by `eth_sendRawTransaction` too and show in
 * every view as transactions of type 0x57 (docs/rpc.md).
 *
 * A refusal of `eth_sendRawTransaction` is error -32000 with geth's message for the rule
 * ("nonce too low: …", "already known", "replacement transaction underpriced: …"), which
 * viem and ethers turn into their own typed errors, and `data.reason` the admission code.
 */
import { evmBaseFee } from "../../chain/evmBlock.js";
import { AdmissionError, type AdmissionErrorCode } from "../admission.js";
import type { ChainNode } from "../chainNode.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import type { BlockHeader, StoredBlock } from "../store/records.js";
import {
  blockShape,
  blockSummary,
  minedTxShape,
  pendingTxShape,
  quantity,
  receiptShape,
} from "./ethShapes.js";
import { bool, bytes, hash, positional, shown } from "./params.js";

/** The most blocks one `eth_feeHistory` reads (geth's limit). */
export const MAX_FEE_HISTORY_BLOCKS = 1024;
/** The most blocks one `eth_feeHistory` with reward percentiles reads (each block's receipts are read). */
export const MAX_REWARD_BLOCKS = 100;
/** Blocks looked back for the priority fee suggestion. */
const TIP_BLOCKS = 20;
/** The suggested priority fee when recent blocks paid none: 1 wei (the base fee is Weft's price). */
const MIN_TIP = 1n;
/** Largest raw transaction read from params, hex digits checked before decoding: 512 KiB. */
const MAX_RAW_BYTES = 512 * 1024;

/** The first words of geth's message for each admission refusal (some messages already start so). */
const ETH_WORDS: Partial<Record<AdmissionErrorCode, string>> = {
  ALREADY_KNOWN: "already known",
  // geth checks the nonce against the state, so a mined transaction sent again is "nonce too
  // low" (ethers' NONCE_EXPIRED); "already known" is for one still waiting in the pool.
  ALREADY_INCLUDED: "nonce too low",
  NONCE_TOO_LOW: "nonce too low",
  NONCE_TOO_FAR: "nonce too high",
  REPLACEMENT_UNDERPRICED: "replacement transaction underpriced",
  FEE_TOO_LOW: "transaction underpriced",
  SENDER_LIMIT: "account limit exceeded",
  POOL_FULL: "txpool is full",
  POOL_BYTES_FULL: "txpool is full",
  TOO_LARGE: "oversized data",
};

/** An admission refusal as Ethereum clients expect it. */
export function ethRejection(error: AdmissionError): RpcError {
  const words = ETH_WORDS[error.code];
  const known =
    words === undefined ||
    error.message.startsWith(words) ||
    /^(max fee per gas|nonce too|insufficient funds|intrinsic gas)/.test(error.message);
  const message = known ? error.message : `${words}: ${error.message}`;
  return new RpcError(-32000, message, { reason: error.code });
}

/** A block number from an Ethereum block tag: "latest" and the like are the head; beyond the head: undefined. */
export function ethBlockNumber(node: ChainNode, tag: unknown, name = "block"): number | undefined {
  const head = node.head().number;
  if (tag === undefined || tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized")
    return head;
  if (tag === "earliest") return 0;
  if (typeof tag !== "string" || !/^0x[0-9a-fA-F]{1,16}$/.test(tag))
    throw invalidParams(
      `${name}: expected a block number (0x-hex quantity) or "latest", "earliest", "pending", "safe", "finalized", got ${shown(tag)}`,
    );
  const n = Number(BigInt(tag));
  return n > head ? undefined : n;
}

/** Where a stored transaction is, with its block and receipt, or undefined. */
function mined(node: ChainNode, txh: `0x${string}`) {
  const stored = node.db.tx(txh);
  if (stored === undefined) return undefined;
  const block = node.db.block(stored.blockNumber);
  if (block === undefined) return undefined;
  return { stored, header: block.header, receipt: node.db.receipt(txh) };
}

let lastTip: { head: string; tip: bigint } | undefined;

/** The suggested priority fee: the median tip paid in the last `TIP_BLOCKS` blocks, at least `MIN_TIP` (computed once per head). */
export function suggestedTip(node: ChainNode): bigint {
  const head = node.head();
  if (lastTip?.head === head.hash) return lastTip.tip;
  const tips: bigint[] = [];
  for (let n = head.number; n > head.number - TIP_BLOCKS && n > 0; n--) {
    const block = node.db.block(n);
    if (block !== undefined) for (const t of blockSummary(node, block).tips) tips.push(t.tip);
  }
  tips.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = tips[Math.floor(tips.length / 2)] ?? 0n;
  const tip = median > MIN_TIP ? median : MIN_TIP;
  lastTip = { head: head.hash, tip };
  return tip;
}

function percentileTips(node: ChainNode, block: StoredBlock, percentiles: number[]): string[] {
  const tips = blockSummary(node, block).tips;
  const total = tips.reduce((s, t) => s + t.gas, 0);
  return percentiles.map((p) => {
    if (tips.length === 0) return "0x0";
    const threshold = (total * p) / 100;
    let sum = 0;
    for (const t of tips) {
      sum += t.gas;
      if (sum >= threshold) return quantity(t.tip);
    }
    return quantity((tips[tips.length - 1] as { tip: bigint }).tip);
  });
}

function readPercentiles(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 100)
    throw invalidParams("rewardPercentiles: expected an array of at most 100 numbers");
  let last = -1;
  return value.map((p, i) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 100) || p < last)
      throw invalidParams(
        `rewardPercentiles[${i}]: expected increasing numbers from 0 to 100, got ${shown(p)}`,
      );
    last = p;
    return p;
  });
}

export function ethTxMethods(node: ChainNode): Record<string, RpcHandler> {
  const blockAt = (n: number | undefined, full: unknown) => {
    const block = n === undefined ? undefined : node.db.block(n);
    return block === undefined ? null : blockShape(node, block, bool(full, "fullTransactions", false));
  };
  return {
    /** [raw] → the transaction hash: admits a signed Ethereum transaction (or a Weft envelope). */
    async eth_sendRawTransaction(params) {
      const [raw] = positional(params, 1, 1, "[signedTransactionData]");
      try {
        return (await node.submitAsync(bytes(raw, "signedTransactionData", MAX_RAW_BYTES))).hash;
      } catch (error) {
        if (error instanceof AdmissionError) throw ethRejection(error);
        throw error;
      }
    },
    /** [hash] → the transaction (mined or pending) or null. */
    eth_getTransactionByHash(params) {
      const [h] = positional(params, 1, 1, "[transactionHash]");
      const txh = hash(h, "transactionHash");
      const found = mined(node, txh);
      if (found !== undefined)
        return minedTxShape(found.stored.raw, txh, found.header, found.stored.index, found.receipt);
      const pending = node.mempool.get(txh);
      return pending === undefined ? null : pendingTxShape(pending.tx);
    },
    /** [hash] → the receipt, or null while pending or unknown. */
    eth_getTransactionReceipt(params) {
      const [h] = positional(params, 1, 1, "[transactionHash]");
      const txh = hash(h, "transactionHash");
      const found = mined(node, txh);
      if (found?.receipt === undefined) return null;
      return receiptShape(node, found.receipt, found.stored.raw);
    },
    /** [block, full?] → the block or null. */
    eth_getBlockByNumber(params) {
      const [tag, full] = positional(params, 1, 2, "[block, fullTransactions?]");
      return blockAt(ethBlockNumber(node, tag), full);
    },
    /** [hash, full?] → the block or null. */
    eth_getBlockByHash(params) {
      const [h, full] = positional(params, 1, 2, "[blockHash, fullTransactions?]");
      return blockAt(node.db.blockNumberOf(hash(h, "blockHash")), full);
    },
    /** [block] → its transaction count, or null. */
    eth_getBlockTransactionCountByNumber(params) {
      const [tag] = positional(params, 1, 1, "[block]");
      const n = ethBlockNumber(node, tag);
      const block = n === undefined ? undefined : node.db.block(n);
      return block === undefined ? null : quantity(block.txHashes.length);
    },
    /** [] → []: the node holds no keys (the dev accounts' keys are printed at start, for clients to sign with). */
    eth_accounts(params) {
      positional(params, 0, 0, "[]");
      return [];
    },
    /** [] → the next block's base fee plus the suggested priority fee. */
    eth_gasPrice(params) {
      positional(params, 0, 0, "[]");
      return quantity(evmBaseFee(node.nextBlock().baseFee ?? 0n) + suggestedTip(node));
    },
    /** [] → the suggested priority fee: the median tip of the last 20 blocks, at least 1. */
    eth_maxPriorityFeePerGas(params) {
      positional(params, 0, 0, "[]");
      return quantity(suggestedTip(node));
    },
    /**
     * [blockCount, newestBlock, rewardPercentiles?] → { oldestBlock, baseFeePerGas (one more:
     * the next block's), gasUsedRatio, reward? }; at most 1,024 blocks.
     */
    eth_feeHistory(params) {
      const [count, newest, percentiles] = positional(
        params,
        2,
        3,
        "[blockCount, newestBlock, rewardPercentiles?]",
      );
      let blocks: number;
      if (typeof count === "number" && Number.isSafeInteger(count) && count >= 0) blocks = count;
      else if (typeof count === "string" && /^0x[0-9a-fA-F]{1,8}$/.test(count))
        blocks = Number(BigInt(count));
      else throw invalidParams(`blockCount: expected a quantity, got ${shown(count)}`);
      if (blocks < 1 || blocks > MAX_FEE_HISTORY_BLOCKS)
        throw invalidParams(`blockCount: ${blocks} is not within 1 to ${MAX_FEE_HISTORY_BLOCKS}`);
      const wanted = readPercentiles(percentiles);
      if (percentiles !== undefined && percentiles !== null && blocks > MAX_REWARD_BLOCKS)
        throw invalidParams(
          `blockCount: at most ${MAX_REWARD_BLOCKS} blocks with rewardPercentiles, got ${blocks}`,
        );
      const last = ethBlockNumber(node, newest, "newestBlock") ?? node.head().number;
      const first = Math.max(0, last - blocks + 1);
      const baseFees: string[] = [];
      const ratios: number[] = [];
      const rewards: string[][] = [];
      let header: BlockHeader | undefined;
      for (let n = first; n <= last; n++) {
        const block = node.db.block(n);
        if (block === undefined) continue;
        header = block.header;
        baseFees.push(quantity(evmBaseFee(BigInt(header.baseFee ?? "0"))));
        ratios.push(header.gasLimit === 0 ? 0 : header.gasUsed / header.gasLimit);
        if (percentiles !== undefined && percentiles !== null)
          rewards.push(percentileTips(node, block, wanted));
      }
      // One more base fee: the block after the newest (the next block's, when the newest is the head).
      const next = last === node.head().number ? node.nextBlock().baseFee : undefined;
      baseFees.push(quantity(evmBaseFee(next ?? BigInt(header?.baseFee ?? "0"))));
      const out: Record<string, unknown> = {
        oldestBlock: quantity(first),
        baseFeePerGas: baseFees,
        gasUsedRatio: ratios,
      };
      if (percentiles !== undefined && percentiles !== null) out.reward = rewards;
      return out;
    },
  };
}
